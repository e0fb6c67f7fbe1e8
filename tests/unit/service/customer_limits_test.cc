// Limits per customer (issue 13): the processor's rate limit with a fake limiter, and the
// engine's per-message caps (message length, cart lines, long texts, payment proofs, holds).
#include <gtest/gtest.h>

#include "fakes/fakes.h"
#include "service/inbound_processor.h"
#include "unit/bot/engine_fixture.h"

namespace chatshop::service {
namespace {

using namespace chatshop::bot;  // the engine's types and the engine fixture

constexpr const char* kShopNumber = "106540352242922";
constexpr const char* kCustomer = "919876543210";
constexpr const char* kOwner = "919800000001";

whatsapp::InboundEvent MessageFrom(const std::string& from, const std::string& wamid,
                                   const std::string& type, nlohmann::json data) {
  whatsapp::InboundEvent e;
  e.kind = whatsapp::InboundEvent::Kind::kMessage;
  e.phone_number_id = kShopNumber;
  e.customer = from;
  e.customer_name = "Ramesh";
  e.id = wamid;
  e.type = type;
  e.data = std::move(data);
  return e;
}
whatsapp::InboundEvent TextFrom(const std::string& from, const std::string& wamid,
                                const std::string& body) {
  return MessageFrom(from, wamid, "text", {{"body", body}});
}
std::string BodyOf(const nlohmann::json& payload) {
  if (payload.contains("text")) return payload["text"]["body"];
  return payload["interactive"]["body"]["text"];
}

class CustomerLimitsProcessorTest : public ::testing::Test {
 protected:
  CustomerLimitsProcessorTest() {
    ShopRecord shop;
    shop.id = 7;
    shop.name = "Sharma Kirana";
    shop.phone_number_id = kShopNumber;
    shop.owners = {{kOwner, "Mr Sharma", "en"}};
    shop.payment = {"sharmakirana@okaxis", false, ""};
    store_.shops[kShopNumber] = shop;
    store_.ledger.catalogs = &catalogs_.catalogs;
    catalogs_.catalogs[7] = orders::Catalog{{orders::Product{
        "MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet", "snacks", {"maggi"}}}};
  }
  static const common::TemplateSet& Templates() {
    static const common::TemplateSet set =
        *common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, WorkerTemplateNames());
    return set;
  }
  std::vector<std::string> RepliesTo(const std::string& to) const {
    std::vector<std::string> bodies;
    for (const auto& m : store_.outbox) {
      if (m["to"] == "+" + to) bodies.push_back(BodyOf(m));
    }
    return bodies;
  }
  void Handle(const whatsapp::InboundEvent& event) {
    ASSERT_EQ(processor_.Handle(event).disposition, Disposition::kAck) << event.id;
  }

  common::MetricsRegistry metrics_;
  fakes::FakeInboundStore store_;
  fakes::FakeCatalogSource catalogs_;
  fakes::FakeCustomerLimiter limiter_;
  CustomerLimits limits_ = [] {  // before processor_, which takes a copy
    CustomerLimits limits;
    limits.messages_per_minute = 3;
    return limits;
  }();
  InboundProcessor processor_{store_, &catalogs_, Templates(), metrics_, 30, &limiter_, limits_};
};

TEST_F(CustomerLimitsProcessorTest, BeyondTheLimitMessagesAreKeptMarkedAndToldOnce) {
  for (int i = 1; i <= 6; ++i) Handle(TextFrom(kCustomer, "wamid.R" + std::to_string(i), "help"));
  ASSERT_EQ(limiter_.calls.size(), 6u);
  EXPECT_EQ(limiter_.calls[0].limit, 3) << "[limits] customer_messages_per_minute";
  EXPECT_EQ(limiter_.calls[0].window, std::chrono::minutes(1));
  EXPECT_EQ(store_.inbox.size(), 6u) << "every message is kept";
  EXPECT_EQ(store_.rate_limited, (std::set<std::string>{"wamid.R4", "wamid.R5", "wamid.R6"}));
  const auto said = RepliesTo(kCustomer);
  ASSERT_EQ(said.size(), 4u) << "three answers, then one slow-down, then silence";
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(said[i].find("Type your list"), std::string::npos) << said[i];
  EXPECT_NE(said[3].find("more than 3 a minute"), std::string::npos) << said[3];
  EXPECT_EQ(metrics_.GetCounter("chatshop_inbound_rate_limited_total", "").value(), 3u);
  // The engine did not run on them: the conversation was written only by the first three.
  EXPECT_EQ(store_.conversations.at({7, kCustomer}).version, 3);

  // A redelivery of a limited message is a duplicate like any other.
  Handle(TextFrom(kCustomer, "wamid.R5", "help"));
  EXPECT_EQ(RepliesTo(kCustomer).size(), 4u);

  // Once the window is over the customer is answered again (and told again if they overdo it).
  limiter_.Expire();
  Handle(TextFrom(kCustomer, "wamid.R7", "2 maggi"));
  ASSERT_EQ(RepliesTo(kCustomer).size(), 5u);
  EXPECT_NE(RepliesTo(kCustomer).back().find("Maggi 70g"), std::string::npos);
  EXPECT_EQ(store_.conversations.at({7, kCustomer}).state["cart"][0]["qty"], 2);
}

TEST_F(CustomerLimitsProcessorTest, OtherCustomersAndOwnersAreNotHeldBack) {
  for (int i = 1; i <= 5; ++i) Handle(TextFrom(kCustomer, "wamid.A" + std::to_string(i), "help"));
  Handle(TextFrom("919811111111", "wamid.B1", "help"));
  EXPECT_EQ(RepliesTo("919811111111").size(), 1u) << "limits are per customer";
  for (int i = 1; i <= 10; ++i) Handle(TextFrom(kOwner, "wamid.O" + std::to_string(i), "orders"));
  EXPECT_EQ(RepliesTo(kOwner).size(), 10u) << "owners are not limited";
  for (const auto& call : limiter_.calls) EXPECT_NE(call.customer, kOwner);
  EXPECT_EQ(store_.rate_limited.size(), 2u);
}

TEST_F(CustomerLimitsProcessorTest, SlowDownIsInTheCustomersLanguage) {
  Handle(TextFrom(kCustomer, "wamid.L1", "hindi"));
  for (int i = 2; i <= 4; ++i) Handle(TextFrom(kCustomer, "wamid.L" + std::to_string(i), "help"));
  const auto said = RepliesTo(kCustomer);
  ASSERT_EQ(said.size(), 4u);
  EXPECT_NE(said[3].find("एक मिनट में 3 से ज़्यादा"), std::string::npos) << said[3];
}

TEST_F(CustomerLimitsProcessorTest, UnreachableLimiterAdmitsRatherThanSilencing) {
  limiter_.unavailable = true;
  for (int i = 1; i <= 5; ++i) Handle(TextFrom(kCustomer, "wamid.U" + std::to_string(i), "help"));
  EXPECT_EQ(RepliesTo(kCustomer).size(), 5u);
  EXPECT_TRUE(store_.rate_limited.empty());
  EXPECT_EQ(metrics_.GetCounter("chatshop_inbound_limiter_unavailable_total", "").value(), 5u);
}

TEST_F(CustomerLimitsProcessorTest, AnOrderTakesAtMostTheCappedNumberOfProofs) {
  limits_.messages_per_minute = 100;
  limits_.proofs_per_order_max = 2;
  InboundProcessor processor(store_, &catalogs_, Templates(), metrics_, 30, &limiter_, limits_);
  auto handle = [&](const whatsapp::InboundEvent& e) {
    ASSERT_EQ(processor.Handle(e).disposition, Disposition::kAck) << e.id;
  };
  handle(TextFrom(kCustomer, "wamid.P1", "2 maggi"));
  handle(MessageFrom(
      kCustomer, "wamid.P2", "interactive",
      {{"type", "button_reply"}, {"button_reply", {{"id", "cart:checkout"}, {"title", "x"}}}}));
  ASSERT_EQ(store_.ledger.orders.size(), 1u);
  for (int i = 3; i <= 5; ++i) {
    handle(MessageFrom(kCustomer, "wamid.P" + std::to_string(i), "image",
                       {{"id", "media-" + std::to_string(i)}, {"mime_type", "image/jpeg"}}));
  }
  ASSERT_EQ(store_.ledger.proofs.size(), 2u) << "the third is not recorded";
  EXPECT_EQ(store_.ledger.proofs[1].second, "media-4");
  const std::string last = RepliesTo(kCustomer).back();
  EXPECT_NE(last.find("I already have 2 payment screenshots for order #1001"), std::string::npos)
      << last;
}

TEST_F(CustomerLimitsProcessorTest, CheckoutBeyondTheHoldAcrossOpenOrdersReservesNothing) {
  limits_.messages_per_minute = 100;
  limits_.held_units_max = 5;
  store_.shops[kShopNumber].payment.cod_allowed = true;
  InboundProcessor processor(store_, &catalogs_, Templates(), metrics_, 30, &limiter_, limits_);
  auto handle = [&](const whatsapp::InboundEvent& e) {
    ASSERT_EQ(processor.Handle(e).disposition, Disposition::kAck) << e.id;
  };
  auto tap = [&](const std::string& wamid, const std::string& id) {
    handle(MessageFrom(kCustomer, wamid, "interactive",
                       {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}}));
  };
  handle(TextFrom(kCustomer, "wamid.H1", "3 maggi"));
  tap("wamid.H2", "cart:checkout");
  tap("wamid.H3", "pay:cod");  // confirmed: still open, still holding 3
  ASSERT_EQ(store_.ledger.orders.size(), 1u);
  handle(TextFrom(kCustomer, "wamid.H4", "3 maggi"));
  tap("wamid.H5", "cart:checkout");
  EXPECT_EQ(store_.ledger.orders.size(), 1u) << "3 + 3 units is more than 5";
  EXPECT_EQ(catalogs_.catalogs[7].products[0].stock, 97) << "nothing more reserved";
  const std::string said = RepliesTo(kCustomer).back();
  EXPECT_NE(said.find("your open orders already hold 3 items worth ₹42.00"), std::string::npos)
      << said;
  EXPECT_NE(said.find("at most 5 items"), std::string::npos) << said;
  EXPECT_EQ(store_.conversations.at({7, kCustomer}).state["cart"][0]["qty"], 3) << "cart kept";
  handle(TextFrom(kCustomer, "wamid.H6", "make maggi 2"));
  tap("wamid.H7", "cart:checkout");
  EXPECT_EQ(store_.ledger.orders.size(), 2u) << "3 + 2 fits";
}

// The engine's own caps, with the sample kirana shop.
class CustomerLimitsEngineTest : public EngineTest {};

TEST_F(CustomerLimitsEngineTest, AMessageLongerThanTheCapIsNotParsed) {
  shop_.limits.message_chars_max = 100;
  std::string list;
  while (list.size() <= 100) list += "2 maggi, ";
  Transition t = Step(ConversationState{}, Text(list), shop_);
  ASSERT_EQ(t.effects.size(), 1u);
  const std::string body = ReplyAt(t, 0)["text"]["body"];
  EXPECT_NE(body.find("too long for me to read (" + std::to_string(list.size()) +
                      " characters; I read up to 100)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("split your list"), std::string::npos);
  EXPECT_TRUE(t.next.cart.empty());
  // Characters, not bytes: 98 Devanagari characters are within a 100-character cap.
  std::string hindi;
  for (int i = 0; i < 14; ++i) hindi += "2 दूध, ";
  EXPECT_GT(hindi.size(), 100u);
  t = Step(ConversationState{}, Text(hindi), shop_);
  EXPECT_FALSE(t.next.cart.empty()) << ReplyAt(t, 0).dump();
}

TEST_F(CustomerLimitsEngineTest, ACartHoldsAtMostTheCappedNumberOfLines) {
  shop_.limits.cart_lines_max = 2;
  Transition t = Step(ConversationState{}, Text("2 maggi, 1 kg sugar, 1 paneer, 2 lays"), shop_);
  ASSERT_EQ(t.next.cart.size(), 2u);
  const std::string body = BodyOf(ReplyAt(t, 0));
  EXPECT_NE(body.find("one order can have at most 2 different products"), std::string::npos)
      << body;
  EXPECT_NE(body.find("Amul Malai Paneer 200g"), std::string::npos) << "names what was left out";
  // More of a product already in the cart still fits; a new one from a list row does not.
  t = Step(t.next, Text("1 maggi"), shop_);
  EXPECT_EQ(t.next.cart[0].qty, 3);
  t = Step(t.next, Pick("add:PANEER-200:1"), shop_);
  EXPECT_EQ(t.next.cart.size(), 2u);
  EXPECT_NE(BodyOf(ReplyAt(t, 0)).find("at most 2 different products"), std::string::npos);
}

TEST_F(CustomerLimitsEngineTest, AHugeBillGoesAsAtMostTheCappedNumberOfMessages) {
  // 120 products with long names make a bill of about three 4096-character messages.
  orders::Catalog big;
  for (int i = 0; i < 120; ++i) {
    big.products.push_back({"SKU-" + std::to_string(i),
                            "Very Long Product Name For The Bill Number " + std::to_string(i) +
                                " Family Pack Of Good Things",
                            orders::Money{10000 + i},
                            1000,
                            "pack",
                            "misc",
                            {}});
  }
  OrderParser parser(big);
  ShopView view = shop_;
  view.catalog = &big;
  view.parser = &parser;
  view.limits.cart_lines_max = 1000;
  ConversationState state = CartOf({});
  for (const auto& p : big.products) state.cart.push_back({p.sku, 2});

  auto texts = [](const Transition& t) {
    std::vector<std::string> bodies;
    for (const auto& e : t.effects) {
      const auto& payload = std::get<SendReply>(e).payload;
      if (payload["type"] == "text") bodies.push_back(payload["text"]["body"]);
    }
    return bodies;
  };
  const auto whole = texts(Step(state, Text("status"), view));
  ASSERT_GE(whole.size(), 3u) << "the cap is above this bill: nothing shortened";
  EXPECT_EQ(whole.back().find("shortened"), std::string::npos);

  view.limits.text_messages_per_answer_max = 2;
  Transition t = Step(state, Text("status"), view);
  const auto capped = texts(t);
  ASSERT_EQ(capped.size(), 2u);
  EXPECT_EQ(capped[0], whole[0]);
  EXPECT_LE(capped[1].size(), whole[1].size() + 300);
  EXPECT_NE(capped[1].find("too long to send in full, so the rest is shortened"), std::string::npos)
      << capped[1];
  EXPECT_EQ(std::get<SendReply>(t.effects.back()).payload["type"], "interactive")
      << "the bill's buttons still follow";
}

TEST_F(CustomerLimitsEngineTest, ProofsCarryTheCapAndARefusalIsExplained) {
  orders::OrderView order = AnOrder(1042);
  auto [state, view] = WithOrder(order, orders::OrderStatus::kAwaitingPayment);
  view.limits.proofs_per_order_max = 4;
  Transition t = Step(state, Message("image", {{"id", "m1"}, {"mime_type", "image/jpeg"}}), view);
  ASSERT_EQ(t.effects.size(), 1u);
  EXPECT_EQ(std::get<RecordProof>(t.effects[0]).max_per_order, 4);
  t = Resume(state, ProofLimitReached{order.id, 4}, Message("image", {{"id", "m9"}}), view);
  EXPECT_NE(BodyOf(ReplyAt(t, 0)).find("I already have 4 payment screenshots for order #1042"),
            std::string::npos);
}

}  // namespace
}  // namespace chatshop::service
