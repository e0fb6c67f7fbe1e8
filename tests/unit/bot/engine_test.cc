#include "bot/engine.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine_fixture.h"
#include "support/fixture_cases.h"
#include "support/fixtures.h"
#include "whatsapp/envelope.h"

namespace chatshop::bot {
namespace {

using nlohmann::json;
using Stage = ConversationState::Stage;

TEST_F(EngineTest, GreetingShowsCategoriesAsAList) {
  Transition t = Step({}, Text("Hello!"), shop_);
  EXPECT_EQ(t.next.stage, Stage::kMenu);
  const json reply = OnlyReply(t);
  EXPECT_EQ(reply["to"], "+919876543210");
  const json rows = RowsOf(reply);
  EXPECT_LE(rows.size(), 10u);
  EXPECT_EQ(rows[0]["id"], "v2:cat:0:staples");
  EXPECT_EQ(rows[0]["title"], "Staples");
  EXPECT_TRUE(Has(BodyOf(reply), "Sharma Kirana"));
}

TEST_F(EngineTest, CategoryPickListsItsProductsWithinTheLimits) {
  ConversationState menu;
  menu.stage = Stage::kMenu;
  const json reply = OnlyReply(Step(menu, Pick("cat:0:snacks"), shop_));
  const json rows = RowsOf(reply);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["id"], "v2:add:MAGGI-70:1");
  EXPECT_EQ(rows[4]["description"], "₹20.00 · out of stock") << "Kurkure";
  // A name too long for the row's title is shortened visibly and given whole below it.
  EXPECT_EQ(rows[0]["title"], "Maggi 2-Minute Noodles…");
  EXPECT_EQ(rows[0]["description"], "Maggi 2-Minute Noodles 70g · ₹14.00");
  EXPECT_EQ(rows[1]["title"], "Maggi 2-Minute Noodles…");
  EXPECT_EQ(rows[1]["description"], "Maggi 2-Minute Noodles 4-pack 280g · ₹56.00")
      << "the description tells the two packs apart";
  EXPECT_EQ(rows[2]["description"], "₹25.00") << "Parle-G Biscuits 250g fits the title";
  // The id of the first version ("cat:<category>") still works.
  EXPECT_EQ(RowIds(OnlyReply(Step(menu, Pick("cat:snacks"), shop_))).size(), 5u);
}

TEST_F(EngineTest, ManyCategoriesAndProductsArePagedTenRowsAtATime) {
  orders::Catalog big;
  for (int c = 0; c < 12; ++c) {
    for (int p = 0; p < (c == 0 ? 23 : 1); ++p) {
      big.products.push_back({"C" + std::to_string(c) + "-P" + std::to_string(p),
                              "Product " + std::to_string(c) + "/" + std::to_string(p),
                              orders::Money{100},
                              5,
                              "pc",
                              "category " + std::to_string(c),
                              {}});
    }
  }
  OrderParser parser(big);
  ShopView shop = shop_;
  shop.catalog = &big;
  shop.parser = &parser;
  std::vector<std::string> ids = RowIds(OnlyReply(Step({}, Text("menu"), shop)));
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids[8], "v2:cat:0:category 8");
  EXPECT_EQ(ids[9], "v2:cats:9");
  ids = RowIds(OnlyReply(Step({}, Pick("cats:9"), shop)));
  EXPECT_EQ(ids, (std::vector<std::string>{"v2:cat:0:category 9", "v2:cat:0:category 10",
                                           "v2:cat:0:category 11"}));
  // 23 products: 9 + More, 9 + More, 5.
  ids = RowIds(OnlyReply(Step({}, Pick("cat:0:category 0"), shop)));
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids[9], "v2:cat:9:category 0");
  ids = RowIds(OnlyReply(Step({}, Pick("cat:9:category 0"), shop)));
  EXPECT_EQ(ids[0], "v2:add:C0-P9:1");
  EXPECT_EQ(ids[9], "v2:cat:18:category 0");
  EXPECT_EQ(RowIds(OnlyReply(Step({}, Pick("cat:18:category 0"), shop))).size(), 5u);
}

TEST_F(EngineTest, TypedListBecomesAnItemisedBillWithButtonsAndNamesWhatItCouldNotFind) {
  Transition t = Step({}, Text("2 atta, 1 kg sugar, 1 pizza"), shop_);
  EXPECT_EQ(t.next.stage, Stage::kCart);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"ATTA-AASH-5", 2}, {"SUGAR-1", 1}}));
  const json reply = OnlyReply(t);
  ASSERT_EQ(reply["interactive"]["type"], "button");
  const std::string body = BodyOf(reply);
  EXPECT_TRUE(Has(body, "I couldn't find \"pizza\"")) << body;
  EXPECT_TRUE(Has(body, "2 × Aashirvaad Whole Wheat Atta 5kg @ ₹289.00 = ₹578.00")) << body;
  EXPECT_TRUE(Has(body, "Subtotal: ₹626.00")) << body;
  EXPECT_TRUE(Has(body, "Delivery: free")) << body;
  EXPECT_TRUE(Has(body, "*Total: ₹626.00*")) << body;
  const auto& buttons = reply["interactive"]["action"]["buttons"];
  ASSERT_EQ(buttons.size(), 3u);
  EXPECT_EQ(buttons[0]["reply"]["id"], "v2:cart:checkout");
  EXPECT_EQ(buttons[2]["reply"]["title"], "Cancel");
}

TEST_F(EngineTest, SmallOrderPaysTheShopsDeliveryFeeAndLaterItemsAddToTheCart) {
  Transition first = Step({}, Text("2 maggi"), shop_);
  EXPECT_TRUE(
      Has(BodyOf(OnlyReply(first)), "Delivery: ₹30.00 (free from ₹500.00)\n*Total: ₹58.00*"));
  Transition second = Step(first.next, Text("maggi 3, 1 bread"), shop_);
  EXPECT_EQ(second.next.cart, (std::vector<CartLine>{{"MAGGI-70", 5}, {"BREAD-BRIT", 1}}));

  ShopView always_charged = shop_;
  always_charged.delivery = {orders::Money{4000}, std::nullopt};
  const std::string body = BodyOf(OnlyReply(Step({}, Text("2 atta"), always_charged)));
  EXPECT_TRUE(Has(body, "Delivery: ₹40.00\n*Total: ₹618.00*")) << body;
}

TEST_F(EngineTest, BillTooLongForButtonsGoesAsTextWithTheButtonsUnderTheTotal) {
  std::string list;
  for (const auto& p : catalog_.products) {
    if (p.stock > 5) list += "1 " + p.sku + "\n";
  }
  ConversationState state;
  for (const auto& p : catalog_.products) {
    if (p.stock > 5) state.cart.push_back({p.sku, 1});
  }
  state.stage = Stage::kCart;
  Transition t = Step(state, Text("status"), shop_);
  ASSERT_EQ(t.effects.size(), 2u);
  const json text = ReplyAt(t, 0), buttons = ReplyAt(t, 1);
  EXPECT_EQ(text["type"], "text");
  EXPECT_GT(BodyOf(text).size(), 1024u);
  EXPECT_EQ(BodyOf(buttons).rfind("*Total: ₹", 0), 0u) << BodyOf(buttons);
  EXPECT_EQ(buttons["interactive"]["action"]["buttons"].size(), 3u);
}

TEST_F(EngineTest, OutOfStockOffersReplacementsFromTheSameCategoryRemoveAndCancel) {
  Transition t = Step({}, Text("2 kurkure, 1 maggi"), shop_);
  EXPECT_EQ(t.next.stage, Stage::kIssues);
  EXPECT_EQ(t.next.issues, (std::vector<std::string>{"KURKURE"}));
  ASSERT_EQ(t.effects.size(), 2u);
  const std::string said = BodyOf(ReplyAt(t, 0));
  EXPECT_TRUE(Has(said, "Kurkure Masala Munch 90g is out of stock.")) << said;
  const json choices = ReplyAt(t, 1);
  EXPECT_EQ(BodyOf(choices),
            "What should I do about *Kurkure Masala Munch 90g*? It is out of stock.");
  const std::vector<std::string> ids = RowIds(choices);
  // Up to three in-stock snacks, closest in price first (Kurkure costs ₹20), then no "reduce"
  // (nothing left), remove and cancel.
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], "v2:fix:swap:KURKURE:LAYS-CLASSIC");
  for (int i = 0; i < 3; ++i) {
    const orders::Product* p = catalog_.Find(ids[i].substr(ids[i].rfind(':') + 1));
    ASSERT_NE(p, nullptr) << ids[i];
    EXPECT_EQ(p->category, "snacks");
    EXPECT_GT(p->stock, 0);
  }
  EXPECT_EQ(ids[3], "v2:fix:remove:KURKURE");
  EXPECT_EQ(ids[4], "v2:order:cancel");

  Transition replaced = Step(t.next, Pick(ids[0]), shop_);
  EXPECT_EQ(replaced.next.stage, Stage::kCart);
  EXPECT_TRUE(replaced.next.issues.empty());
  EXPECT_EQ(replaced.next.cart, (std::vector<CartLine>{{"MAGGI-70", 1}, {"LAYS-CLASSIC", 2}}));
  const std::string bill = BodyOf(OnlyReply(replaced));
  EXPECT_TRUE(Has(bill, "Replaced Kurkure Masala Munch 90g with Lays Classic Salted Chips 52g."))
      << bill;
  EXPECT_TRUE(Has(bill, "2 × Lays Classic Salted Chips 52g")) << bill;
}

TEST_F(EngineTest, ShortItemCanBeReducedToWhatIsAvailable) {
  Transition t = Step({}, Text("15 paneer"), shop_);  // 10 in stock
  ASSERT_EQ(t.effects.size(), 2u);
  EXPECT_TRUE(Has(BodyOf(ReplyAt(t, 0)),
                  "Only 10 of Amul Malai Paneer 200g available (you asked for 15)."));
  const json rows = RowsOf(ReplyAt(t, 1));
  bool offered = false;
  for (const auto& row : rows)
    offered |= row["id"] == "v2:fix:reduce:PANEER-200" && row["title"] == "Reduce to 10";
  EXPECT_TRUE(Has(BodyOf(ReplyAt(t, 1)), "Only 10 available."));
  EXPECT_TRUE(offered) << rows.dump();
  Transition reduced = Step(t.next, Pick("fix:reduce:PANEER-200"), shop_);
  EXPECT_EQ(reduced.next.cart, (std::vector<CartLine>{{"PANEER-200", 10}}));
  EXPECT_EQ(reduced.next.stage, Stage::kCart);
}

TEST_F(EngineTest, EachShortItemGetsItsChoiceAndTheBillFollowsWhenAllAreSettled) {
  Transition t = Step({}, Text("2 kurkure, 1 tomato, 1 maggi"), shop_);
  ASSERT_EQ(t.effects.size(), 3u) << "the problems, then one choice list per item";
  Transition first = Step(t.next, Pick("fix:remove:KURKURE"), shop_);
  EXPECT_EQ(first.next.stage, Stage::kIssues);
  const std::string reminder = BodyOf(OnlyReply(first));
  EXPECT_TRUE(Has(reminder, "Removed Kurkure Masala Munch 90g.")) << reminder;
  EXPECT_TRUE(Has(reminder, "Still waiting for your choice on: Tomato 1kg.")) << reminder;
  Transition second = Step(first.next, Pick("fix:remove:TOMATO-1"), shop_);
  EXPECT_EQ(second.next.stage, Stage::kCart);
  EXPECT_EQ(second.next.cart, (std::vector<CartLine>{{"MAGGI-70", 1}}));
  EXPECT_EQ(OnlyReply(second)["interactive"]["type"], "button");
}

TEST_F(EngineTest, CancelOrderChoiceEmptiesTheCart) {
  Transition t = Step({}, Text("2 kurkure, 1 maggi"), shop_);
  Transition cancelled = Step(t.next, Pick("order:cancel"), shop_);
  EXPECT_TRUE(cancelled.next.cart.empty());
  EXPECT_EQ(cancelled.next.stage, Stage::kIdle);
}

TEST_F(EngineTest, CheckoutAsksTheDatabaseToReserveAndShortStockThereOffersTheChoices) {
  const ConversationState cart = Step({}, Text("2 maggi, 1 bread"), shop_).next;
  Transition checkout = Step(cart, Button("cart:checkout"), shop_);
  ASSERT_EQ(checkout.effects.size(), 1u);
  const auto* place = std::get_if<PlaceOrder>(&checkout.effects[0]);
  ASSERT_NE(place, nullptr) << "the view's stock suffices: reserve";
  EXPECT_EQ(place->lines, cart.cart);

  // Meanwhile another customer took the Maggi: the database says only 1 is left.
  Transition short_stock =
      Resume(checkout.next, StockShort{{{"MAGGI-70", 1}}}, Button("cart:checkout"), shop_);
  EXPECT_EQ(short_stock.next.stage, Stage::kIssues);
  ASSERT_EQ(short_stock.effects.size(), 2u);
  EXPECT_TRUE(Has(BodyOf(ReplyAt(short_stock, 0)),
                  "Before checkout, some items need your choice:\n• Only 1 of Maggi"));
  EXPECT_EQ(RowIds(ReplyAt(short_stock, 1))[0], "v2:fix:swap:MAGGI-70:MAGGI-4PK");
  EXPECT_TRUE(Has(RowsOf(ReplyAt(short_stock, 1)).dump(), "fix:reduce:MAGGI-70"));
}

TEST_F(EngineTest, PlacedOrderAsksForPaymentWithTheUpiLinkAndCashOnDelivery) {
  shop_.payment = {"sharmakirana@okaxis", true, ""};
  const ConversationState cart = Step({}, Text("2 maggi"), shop_).next;
  Transition placed = Resume(cart, OrderPlaced{AnOrder(1042)}, Button("cart:checkout"), shop_);
  EXPECT_EQ(placed.next.order_id, 7);
  EXPECT_TRUE(placed.next.cart.empty());
  const json request = OnlyReply(placed);
  const std::string body = BodyOf(request);
  EXPECT_TRUE(Has(body, "*Order #1042* is reserved for you for 30 minutes.")) << body;
  EXPECT_TRUE(
      Has(body, "2 × Maggi 2-Minute Noodles 70g = ₹28.00\nDelivery: ₹30.00\n*Total: ₹58.00*"))
      << body;
  EXPECT_TRUE(
      Has(body,
          "upi://pay?pa=sharmakirana@okaxis&pn=Sharma%20Kirana&am=58.00&cu=INR&tn=Order%20%231042"))
      << body;
  const auto& buttons = request["interactive"]["action"]["buttons"];
  ASSERT_EQ(buttons.size(), 2u);
  EXPECT_EQ(buttons[0]["reply"]["id"], "v2:pay:cod");
  EXPECT_EQ(buttons[1]["reply"]["id"], "v2:order:cancel");
}

TEST_F(EngineTest, CartEditsInWords) {
  ConversationState cart = CartOf({{"MAGGI-70", 5}, {"LAYS-CLASSIC", 2}});
  Transition made = Step(cart, Text("make maggi 3"), shop_);
  EXPECT_EQ(made.next.cart, (std::vector<CartLine>{{"MAGGI-70", 3}, {"LAYS-CLASSIC", 2}}));
  EXPECT_TRUE(Has(BodyOf(OnlyReply(made)), "3 × Maggi")) << BodyOf(OnlyReply(made));

  EXPECT_EQ(Step(cart, Text("remove lays"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 5}}));
  EXPECT_EQ(Step(cart, Text("lays hata do"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 5}}));
  EXPECT_EQ(Step(cart, Text("add 2 bread"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 5}, {"LAYS-CLASSIC", 2}, {"BREAD-BRIT", 2}}));
  EXPECT_EQ(Step(cart, Text("maggi 1 kar do, lays nahi chahiye"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 1}}));

  Transition missing = Step(cart, Text("remove bread, remove pizza"), shop_);
  EXPECT_EQ(missing.next.cart, cart.cart);
  const std::string said = BodyOf(OnlyReply(missing));
  EXPECT_TRUE(Has(said, "\"Britannia Bread 400g\" is not in your cart.")) << said;
  EXPECT_TRUE(Has(said, "I couldn't find \"pizza\".")) << said;
}

TEST_F(EngineTest, ReplyQuotingTheBillSetsQuantities) {
  ConversationState cart = CartOf({{"MAGGI-70", 5}, {"LAYS-CLASSIC", 2}});
  Transition t = Step(cart, Quoting("maggi 2\nlays 0\n1 bread"), shop_);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"MAGGI-70", 2}, {"BREAD-BRIT", 1}}));
  // Without the quote the same words add.
  EXPECT_EQ(Step(cart, Text("maggi 2"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 7}, {"LAYS-CLASSIC", 2}}));
}

TEST_F(EngineTest, EditButtonListsTheLinesAndEachLineHasPlusMinusRemove) {
  ConversationState cart = CartOf({{"MAGGI-70", 5}, {"LAYS-CLASSIC", 2}});
  EXPECT_EQ(RowIds(OnlyReply(Step(cart, Button("cart:edit"), shop_))),
            (std::vector<std::string>{"v2:edit:MAGGI-70", "v2:edit:LAYS-CLASSIC"}));
  const json line = OnlyReply(Step(cart, Pick("edit:LAYS-CLASSIC"), shop_));
  const auto& buttons = line["interactive"]["action"]["buttons"];
  ASSERT_EQ(buttons.size(), 3u);
  EXPECT_EQ(buttons[0]["reply"]["id"], "v2:qty:LAYS-CLASSIC:1");
  EXPECT_EQ(Step(cart, Button("qty:LAYS-CLASSIC:1"), shop_).next.cart[1].qty, 3);
  EXPECT_EQ(Step(cart, Button("qty:LAYS-CLASSIC:-1"), shop_).next.cart[1].qty, 1);
  EXPECT_EQ(Step(cart, Button("rm:LAYS-CLASSIC"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 5}}));
}

TEST_F(EngineTest, AmbiguousWordOffersTheCandidatesToPick) {
  Transition t = Step({}, Text("rice 2"), shop_);
  const json reply = OnlyReply(t);
  const std::vector<std::string> ids = RowIds(reply);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], "v2:add:RICE-BASM-1:1");
  Transition picked = Step(t.next, Pick("add:RICE-SONA-5:1"), shop_);
  EXPECT_EQ(picked.next.cart, (std::vector<CartLine>{{"RICE-SONA-5", 1}}));
}

TEST_F(EngineTest, CustomerSwitchesToHindiAndBack) {
  Transition hindi = Step(CartOf({{"MAGGI-70", 2}}), Text("hindi"), shop_);
  EXPECT_EQ(hindi.next.locale, "hi");
  const std::string bill = BodyOf(OnlyReply(hindi));
  EXPECT_TRUE(Has(bill, "ठीक है, अब मैं हिंदी में लिखूँगा।")) << bill;
  EXPECT_TRUE(Has(bill, "*कुल: ₹58.00*")) << bill;
  EXPECT_EQ(OnlyReply(hindi)["interactive"]["action"]["buttons"][0]["reply"]["title"], "ऑर्डर करें");
  // The choice survives storage and later messages; "english" switches back.
  const ConversationState stored = StateFromJson(StateToJson(hindi.next));
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step(stored, Text("help"), shop_))), "भाषा बदलें"));
  EXPECT_EQ(Step({}, Text("हिंदी"), shop_).next.locale, "hi") << "typed in Devanagari";
  Transition english = Step(stored, Text("English"), shop_);
  EXPECT_EQ(english.next.locale, "en");
  EXPECT_TRUE(Has(BodyOf(OnlyReply(english)), "*Total: ₹58.00*"));
}

TEST_F(EngineTest, ShopDefaultLocaleAndOwnWordingApplyWithoutARebuild) {
  ShopView hindi_shop = shop_;
  hindi_shop.locale = "hi";
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step({}, Text("hi"), hindi_shop))), "में आपका स्वागत है"));

  common::TemplateOverrides own = {{"en/welcome", "Ram Ram {{customer}}! {{shop}} here."}};
  ShopView custom = shop_;
  custom.overrides = &own;
  auto greeting = Text("hello");
  greeting.customer_name = "Priya";
  EXPECT_EQ(BodyOf(OnlyReply(Step({}, greeting, custom))), "Ram Ram Priya! Sharma Kirana here.");
  // An override of another language, or a broken one, leaves the shipped wording.
  own = {{"hi/welcome", "x"}, {"en/help", "{{#broken"}};
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step({}, greeting, custom))), "Welcome to *Sharma Kirana*"));
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step({}, Text("help"), custom))), "*menu*"));
}

// A tap whose id is not one the bot makes (forged, truncated, from a future version) changes
// nothing and gets the help reply, in every stage.
TEST_F(EngineTest, AForgedOrMalformedTapChangesNothingAndGetsHelp) {
  const ConversationState cart = CartOf({{"MAGGI-70", 2}});
  for (const char* id : {"cats:abc", "fix:steal:MAGGI-70", "add:MAGGI-70:zz", "v9:cart:checkout",
                         "qty:MAGGI-70:1000000000000", ""}) {
    Transition t = Step(cart, Button(id), shop_);
    EXPECT_EQ(t.next.cart, cart.cart) << id;
    EXPECT_EQ(t.next.stage, cart.stage) << id;
    EXPECT_TRUE(Has(BodyOf(OnlyReply(t)), "*menu*")) << id;
  }
}

TEST_F(EngineTest, CommandsWorkInEveryStage) {
  ConversationState menu;
  menu.stage = Stage::kMenu;
  ConversationState issues = Step({}, Text("2 kurkure"), shop_).next;
  ASSERT_EQ(issues.stage, Stage::kIssues);
  for (const auto& state : {ConversationState{}, menu, CartOf({{"MAGGI-70", 2}}), issues}) {
    EXPECT_TRUE(Has(BodyOf(OnlyReply(Step(state, Text("help"), shop_))), "*menu*"));
    Transition cancelled = Step(state, Text("Cancel"), shop_);
    EXPECT_TRUE(cancelled.next.cart.empty());
    EXPECT_EQ(cancelled.next.stage, Stage::kIdle);
    EXPECT_EQ(OnlyReply(Step(state, Text("menu"), shop_))["interactive"]["type"], "list");
    EXPECT_FALSE(Step(state, Text("status"), shop_).effects.empty());
  }
  EXPECT_TRUE(
      Has(BodyOf(OnlyReply(Step(CartOf({{"MAGGI-70", 2}}), Text("status"), shop_))), "2 × Maggi"));
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step({}, Text("status"), shop_))), "Your cart is empty"));
}

// Where each kind of input leads from each stage (DESIGN.md "Conversation").
TEST_F(EngineTest, TransitionTable) {
  ConversationState menu;
  menu.stage = Stage::kMenu;
  const ConversationState cart = CartOf({{"MAGGI-70", 2}});
  const ConversationState issues = Step({}, Text("2 kurkure"), shop_).next;
  struct Row {
    const char* name;
    ConversationState from;
    whatsapp::InboundEvent event;
    Stage to;
  };
  const Row table[] = {
      {"idle greeting", {}, Text("hi"), Stage::kMenu},
      {"idle list", {}, Text("2 maggi"), Stage::kCart},
      {"idle short list", {}, Text("1 tomato"), Stage::kIssues},
      {"idle nonsense", {}, Text("qwerty"), Stage::kIdle},
      {"menu pick", menu, Pick("add:MAGGI-70:1"), Stage::kCart},
      {"menu category", menu, Pick("cat:0:snacks"), Stage::kMenu},
      {"cart greeting keeps cart", cart, Text("hello"), Stage::kCart},
      {"cart checkout ok", cart, Button("cart:checkout"), Stage::kCart},
      {"cart remove last", cart, Text("remove maggi"), Stage::kIdle},
      {"cart cancel", cart, Button("cart:cancel"), Stage::kIdle},
      {"cart add short", cart, Text("add 1 tomato"), Stage::kIssues},
      {"cart sticker", cart, Message("sticker", {{"id", "1"}}), Stage::kCart},
      {"issues unrelated text", issues, Text("1 maggi"), Stage::kIssues},
      {"issues remove", issues, Pick("fix:remove:KURKURE"), Stage::kIdle},
      {"issues swap", issues, Pick("fix:swap:KURKURE:LAYS-CLASSIC"), Stage::kCart},
      {"issues checkout", issues, Button("cart:checkout"), Stage::kIssues},
      {"issues cancel", issues, Pick("order:cancel"), Stage::kIdle},
  };
  for (const auto& row : table) {
    Transition t = Step(row.from, row.event, shop_);
    EXPECT_EQ(t.next.stage, row.to) << row.name;
    EXPECT_FALSE(t.effects.empty()) << row.name;
  }
}

TEST_F(EngineTest, StickersVoiceNotesAndNonsenseGetAUsefulReplyAndChangeNothing) {
  ConversationState cart = CartOf({{"MAGGI-70", 2}});
  for (const auto& event :
       {Message("sticker", {{"id", "1"}}), Message("audio", {{"id", "2"}}),
        Message("unsupported", {{"type", "poll_creation"}}), Message("future_type", json()),
        Text("asdf qwerty"), Pick("nonsense:id"), Pick("fix:swap:NOPE:ALSO-NOPE"), Pick("cat"),
        Pick("cats"), Pick("cat:"), Pick(""), Pick("add"), Pick("qty:MAGGI-70"), Pick("edit:NOPE"),
        Pick(std::string(300, ':'))}) {
    Transition t = Step(cart, event, shop_);
    EXPECT_EQ(t.next.cart, cart.cart) << event.type;
    ASSERT_GE(t.effects.size(), 1u) << event.type;
    EXPECT_FALSE(BodyOf(ReplyAt(t, 0)).empty());
  }
}

TEST_F(EngineTest, CustomerWithoutAProfileNameIsGreetedWithoutAGap) {
  EXPECT_EQ(BodyOf(OnlyReply(Step({}, Text("hi"), shop_))).rfind("Namaste! Welcome", 0), 0u);
  auto named = Text("hi");
  named.customer_name = "Priya";
  EXPECT_EQ(BodyOf(OnlyReply(Step({}, named, shop_))).rfind("Namaste Priya! Welcome", 0), 0u);
}

TEST_F(EngineTest, CancelInWordsAndHugeQuantitiesAreHandled) {
  ConversationState cart = CartOf({{"MAGGI-70", 2}});
  for (const char* words : {"cancel my order", "order cancel kar do", "please cancel"}) {
    EXPECT_TRUE(Step(cart, Text(words), shop_).next.cart.empty()) << words;
  }
  EXPECT_EQ(Step(cart, Text("cancel maggi"), shop_).next.cart.size(), 0u) << "a remove edit";
  json order = {{"product_items",
                 {{{"product_retailer_id", "MAGGI-70"}, {"quantity", INT64_MAX}},
                  {{"product_retailer_id", "MAGGI-70"}, {"quantity", INT64_MAX}}}}};
  Transition t = Step({}, Message("order", order), shop_);
  ASSERT_EQ(t.next.cart.size(), 1u);
  EXPECT_EQ(t.next.cart[0].qty, 999) << "capped, never overflowing";
}

TEST_F(EngineTest, CartWithProductsNoLongerSoldIsCleanedBeforeEditOrStatus) {
  ConversationState stale = CartOf({{"GONE-1", 2}});
  for (const auto& event : {Button("cart:edit"), Text("status")}) {
    Transition t = Step(stale, event, shop_);
    EXPECT_TRUE(t.next.cart.empty());
    const json reply = OnlyReply(t);
    EXPECT_EQ(reply["type"], "text") << "no empty list, no ₹0 bill with a Checkout button";
    EXPECT_TRUE(Has(BodyOf(reply), "no longer sold")) << BodyOf(reply);
  }
}

TEST_F(EngineTest, EditsUseTheParsersQuantityAndAskWhichLineWhenTwoMatch) {
  ConversationState cart = CartOf({{"COKE-750", 1}, {"RICE-BASM-1", 1}, {"RICE-SONA-5", 1}});
  EXPECT_EQ(Step(cart, Text("make coke 750 ml 2"), shop_).next.cart[0].qty, 2);
  Transition which = Step(cart, Text("make rice 3"), shop_);
  EXPECT_EQ(which.next.cart, cart.cart);
  EXPECT_EQ(RowIds(OnlyReply(which)),
            (std::vector<std::string>{"v2:edit:RICE-BASM-1", "v2:edit:RICE-SONA-5"}));
  EXPECT_EQ(Step(CartOf({{"MAGGI-70", 5}}), Text("remove 2 maggi"), shop_).next.cart,
            (std::vector<CartLine>{{"MAGGI-70", 3}}));
}

TEST_F(EngineTest, CatalogCartMessageFillsTheCartAndNamesUnknownProducts) {
  json order = {{"catalog_id", "1"},
                {"product_items",
                 {{{"product_retailer_id", "MAGGI-70"}, {"quantity", 3}, {"item_price", 14}},
                  {{"product_retailer_id", "NOT-SOLD"}, {"quantity", 1}, {"item_price", 89.5}}}}};
  Transition t = Step({}, Message("order", order), shop_);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"MAGGI-70", 3}}));
  EXPECT_TRUE(Has(BodyOf(OnlyReply(t)), "I couldn't find \"NOT-SOLD\""));
}

TEST_F(EngineTest, EveryCustomerMessageFixtureGetsAReplyAndStatusesGetNone) {
  for (const auto& c : testing::FixtureCases()) {
    if (c.status != 200) continue;
    auto batch = whatsapp::ParseWebhookBody(json::parse(testing::ReadWebhookFixture(c.file)));
    ASSERT_TRUE(batch) << c.file;
    for (const auto& event : batch->events) {
      Transition t = Step({}, event, shop_);
      if (event.kind == whatsapp::InboundEvent::Kind::kMessage) {
        EXPECT_FALSE(t.effects.empty()) << c.file << " " << event.type;
      } else {
        EXPECT_TRUE(t.effects.empty()) << c.file << " " << event.type;
      }
    }
  }
}

TEST_F(EngineTest, StateSurvivesStorageAndUnreadableStateStartsFresh) {
  ConversationState state = Step({}, Text("2 kurkure, 1 maggi"), shop_).next;
  state.locale = "hi";
  EXPECT_EQ(StateFromJson(StateToJson(state)), state);
  EXPECT_EQ(StateFromJson(json::parse(R"({"stage":"warp","cart":"x","issues":7})")),
            ConversationState{});
}

TEST_F(EngineTest, EveryTemplateExistsInEveryShippedLanguage) {
  const auto& set = Templates();
  EXPECT_EQ(set.Locales(), (std::vector<std::string>{"en", "hi"}));
  auto loaded = common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, {"no_such_template"});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(Has(loaded.error().message, "en/no_such_template.mustache: missing"));
}

TEST_F(EngineTest, LargeTotalsUseIndianGrouping) {
  orders::Catalog catalog{
      {orders::Product{"TV", "Television", orders::Money{4599900}, 5, "piece", "electronics", {}}}};
  OrderParser parser(catalog);
  ShopView shop = shop_;
  shop.catalog = &catalog;
  shop.parser = &parser;
  const std::string bill = RenderBill({{"TV", 3}}, shop, "en");
  EXPECT_TRUE(Has(bill, "= ₹1,37,997.00")) << bill;
  EXPECT_TRUE(Has(bill, "*Total: ₹1,37,997.00*")) << bill;
}

}  // namespace
}  // namespace chatshop::bot
