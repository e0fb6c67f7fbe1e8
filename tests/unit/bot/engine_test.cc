#include "bot/engine.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/fixture_cases.h"
#include "support/fixtures.h"
#include "whatsapp/envelope.h"

namespace chatshop::bot {
namespace {

using nlohmann::json;
using Stage = ConversationState::Stage;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    std::ifstream in(std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv");
    std::ostringstream text;
    text << in.rdbuf();
    catalog_ = orders::ParseCatalogCsv(text.str()).catalog;
    parser_ = std::make_unique<OrderParser>(catalog_);
    shop_ = {"Sharma Kirana", &catalog_, parser_.get(), orders::Money{3000}, orders::Money{50000}};
  }

  static whatsapp::InboundEvent Message(const std::string& type, json data) {
    whatsapp::InboundEvent e;
    e.kind = whatsapp::InboundEvent::Kind::kMessage;
    e.phone_number_id = "106540352242922";
    e.customer = "919876543210";
    e.id = "wamid.T";
    e.type = type;
    e.data = std::move(data);
    return e;
  }
  static whatsapp::InboundEvent Text(const std::string& body) { return Message("text", {{"body", body}}); }
  static whatsapp::InboundEvent Pick(const std::string& id) {
    return Message("interactive", {{"type", "list_reply"}, {"list_reply", {{"id", id}, {"title", "x"}}}});
  }
  static whatsapp::InboundEvent Button(const std::string& id) {
    return Message("interactive", {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}});
  }

  // The one reply of a transition, as its Graph API body.
  static json OnlyReply(const Transition& t) {
    EXPECT_EQ(t.effects.size(), 1u);
    return std::get<SendReply>(t.effects.at(0)).payload;
  }
  static std::string BodyOf(const json& payload) {
    if (payload["type"] == "text") return payload["text"]["body"];
    return payload["interactive"]["body"]["text"];
  }

  orders::Catalog catalog_;
  std::unique_ptr<OrderParser> parser_;
  ShopView shop_;
};

TEST_F(EngineTest, GreetingShowsCategoriesAsAList) {
  Transition t = Step({}, Text("Hello!"), shop_);
  EXPECT_EQ(t.next.stage, Stage::kMenu);
  const json reply = OnlyReply(t);
  EXPECT_EQ(reply["to"], "+919876543210");
  ASSERT_EQ(reply["interactive"]["type"], "list");
  const auto& rows = reply["interactive"]["action"]["sections"][0]["rows"];
  EXPECT_LE(rows.size(), 10u);
  EXPECT_EQ(rows[0]["id"], "cat:staples");
  EXPECT_NE(BodyOf(reply).find("Sharma Kirana"), std::string::npos);
}

TEST_F(EngineTest, CategoryPickListsItsProductsWithinTheLimits) {
  const json reply = OnlyReply(Step({Stage::kMenu, {}}, Pick("cat:snacks"), shop_));
  const auto& rows = reply["interactive"]["action"]["sections"][0]["rows"];
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    EXPECT_LE(row["title"].get<std::string>().size(), 24u * 4);
    EXPECT_EQ(row["id"].get<std::string>().rfind("add:", 0), 0u);
  }
}

TEST_F(EngineTest, TypedListBecomesAnItemisedBillWithButtonsAndNamesWhatItCouldNotFind) {
  Transition t = Step({}, Text("2 atta, 1 kg sugar, 1 pizza"), shop_);
  EXPECT_EQ(t.next.stage, Stage::kCart);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"ATTA-AASH-5", 2}, {"SUGAR-1", 1}}));
  const json reply = OnlyReply(t);
  ASSERT_EQ(reply["interactive"]["type"], "button");
  const std::string body = BodyOf(reply);
  EXPECT_NE(body.find("I couldn't find \"pizza\""), std::string::npos) << body;
  EXPECT_NE(body.find("2 × Aashirvaad Whole Wheat Atta 5kg @ ₹289.00 = ₹578.00"), std::string::npos)
      << body;
  EXPECT_NE(body.find("Subtotal: ₹626.00"), std::string::npos) << body;
  EXPECT_NE(body.find("Delivery: free"), std::string::npos) << body;
  EXPECT_NE(body.find("*Total: ₹626.00*"), std::string::npos) << body;
  const auto& buttons = reply["interactive"]["action"]["buttons"];
  ASSERT_EQ(buttons.size(), 3u);
  EXPECT_EQ(buttons[0]["reply"]["id"], "cart:checkout");
  EXPECT_EQ(buttons[2]["reply"]["title"], "Cancel");
}

TEST_F(EngineTest, SmallOrderPaysDeliveryAndLaterItemsAddToTheCart) {
  Transition first = Step({}, Text("2 maggi"), shop_);
  EXPECT_NE(BodyOf(OnlyReply(first)).find("Delivery: ₹30.00 (free from ₹500.00)"), std::string::npos);
  Transition second = Step(first.next, Text("maggi 3, 1 bread"), shop_);
  EXPECT_EQ(second.next.cart, (std::vector<CartLine>{{"MAGGI-70", 5}, {"BREAD-BRIT", 1}}));
}

TEST_F(EngineTest, OutOfStockIsSaidAtOnceAndAgainAtCheckout) {
  Transition t = Step({}, Text("2 kurkure, 1 maggi"), shop_);
  const std::string body = BodyOf(OnlyReply(t));
  EXPECT_NE(body.find("Sorry, Kurkure Masala Munch 90g is out of stock."), std::string::npos) << body;
  EXPECT_NE(body.find("(out of stock)"), std::string::npos) << body;
  const std::string checkout = BodyOf(OnlyReply(Step(t.next, Button("cart:checkout"), shop_)));
  EXPECT_NE(checkout.find("Before checkout:\n• Kurkure Masala Munch 90g is out of stock"),
            std::string::npos) << checkout;
}

TEST_F(EngineTest, CheckoutWithEverythingInStockSaysSo) {
  Transition t = Step({}, Text("2 maggi"), shop_);
  const std::string body = BodyOf(OnlyReply(Step(t.next, Button("cart:checkout"), shop_)));
  EXPECT_EQ(body.rfind("Everything in your cart is in stock.", 0), 0u) << body;
}

TEST_F(EngineTest, AmbiguousWordOffersTheCandidatesToPick) {
  Transition t = Step({}, Text("rice 2"), shop_);
  const json reply = OnlyReply(t);
  ASSERT_EQ(reply["interactive"]["type"], "list");
  const auto& rows = reply["interactive"]["action"]["sections"][0]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["id"], "add:RICE-BASM-1:1");
  Transition picked = Step(t.next, Pick("add:RICE-SONA-5:1"), shop_);
  EXPECT_EQ(picked.next.cart, (std::vector<CartLine>{{"RICE-SONA-5", 1}}));
}

TEST_F(EngineTest, CommandsWorkInEveryStage) {
  ConversationState cart{Stage::kCart, {{"MAGGI-70", 2}}};
  for (const auto& state : {ConversationState{}, ConversationState{Stage::kMenu, {}}, cart}) {
    EXPECT_NE(BodyOf(OnlyReply(Step(state, Text("help"), shop_))).find("*menu*"), std::string::npos);
    Transition cancelled = Step(state, Text("Cancel"), shop_);
    EXPECT_TRUE(cancelled.next.cart.empty());
    EXPECT_EQ(cancelled.next.stage, Stage::kIdle);
    EXPECT_EQ(OnlyReply(Step(state, Text("menu"), shop_))["interactive"]["type"], "list");
  }
  EXPECT_NE(BodyOf(OnlyReply(Step(cart, Text("status"), shop_))).find("2 × Maggi"), std::string::npos);
  EXPECT_NE(BodyOf(OnlyReply(Step({}, Text("status"), shop_))).find("Your cart is empty"),
            std::string::npos);
}

TEST_F(EngineTest, StickersVoiceNotesAndNonsenseGetAUsefulReplyAndChangeNothing) {
  ConversationState cart{Stage::kCart, {{"MAGGI-70", 2}}};
  for (const auto& event : {Message("sticker", {{"id", "1"}}), Message("audio", {{"id", "2"}}),
                            Message("unsupported", {{"type", "poll_creation"}}),
                            Message("future_type", json()), Text("asdf qwerty")}) {
    Transition t = Step(cart, event, shop_);
    EXPECT_EQ(t.next.cart, cart.cart) << event.type;
    ASSERT_EQ(t.effects.size(), 1u) << event.type;
    EXPECT_FALSE(BodyOf(OnlyReply(t)).empty());
  }
}

TEST_F(EngineTest, CatalogCartMessageFillsTheCartAndNamesUnknownProducts) {
  json order = {{"catalog_id", "1"},
                {"product_items",
                 {{{"product_retailer_id", "MAGGI-70"}, {"quantity", 3}, {"item_price", 14}},
                  {{"product_retailer_id", "NOT-SOLD"}, {"quantity", 1}, {"item_price", 89.5}}}}};
  Transition t = Step({}, Message("order", order), shop_);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"MAGGI-70", 3}}));
  EXPECT_NE(BodyOf(OnlyReply(t)).find("I couldn't find \"NOT-SOLD\""), std::string::npos);
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

TEST(BillTest, LargeTotalsUseIndianGrouping) {
  orders::Catalog catalog{{orders::Product{"TV", "Television", orders::Money{4599900}, 5, "piece",
                                           "electronics", {}}}};
  OrderParser parser(catalog);
  ShopView shop{"Big Shop", &catalog, &parser, orders::Money{3000}, orders::Money{50000}};
  const std::string bill = RenderBill({{"TV", 3}}, shop);
  EXPECT_NE(bill.find("= ₹1,37,997.00"), std::string::npos) << bill;
  EXPECT_NE(bill.find("*Total: ₹1,37,997.00*"), std::string::npos) << bill;
}

}  // namespace
}  // namespace chatshop::bot
