// The customer's side from checkout on: paying, proof, cash on delivery, cancelling, and what
// the customer is told when the shop moves the order.
#include <gtest/gtest.h>

#include "bot/engine.h"
#include "engine_fixture.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {
namespace {

class PaymentTest : public EngineTest {
 protected:
  PaymentTest() {
    shop_.payment = {"sharmakirana@okaxis", true, ""};
    shop_.owners = {{"919800000001", "Mr Sharma", "hi"}};
    order_ = AnOrder(1042);
  }
  orders::OrderView order_;
};

TEST_F(PaymentTest, ScreenshotWhileAwaitingPaymentIsRecordedAsProof) {
  auto [state, view] = WithOrder(order_, orders::OrderStatus::kAwaitingPayment);
  Transition t =
      Step(state, Message("image", {{"id", "MEDIA-1"}, {"mime_type", "image/jpeg"}}), view);
  ASSERT_EQ(t.effects.size(), 1u);
  const auto* proof = std::get_if<RecordProof>(&t.effects[0]);
  ASSERT_NE(proof, nullptr);
  EXPECT_EQ(proof->order_id, 7);
  EXPECT_EQ(proof->media_id, "MEDIA-1");
  EXPECT_EQ(proof->mime_type, "image/jpeg");

  order_.status = orders::OrderStatus::kPaymentReview;
  Transition after = Resume(t.next, OrderChanged{order_, orders::OrderStatus::kAwaitingPayment, {}},
                            Message("image", {{"id", "MEDIA-1"}}), view);
  EXPECT_EQ(BodyOf(OnlyReply(after)),
            "Thank you! Your payment for order #1042 has gone to the shop for approval.");
  // A PDF receipt counts too, and a second screenshot while the owner looks replaces the first.
  Transition pdf =
      Step(state, Message("document", {{"id", "DOC-1"}, {"mime_type", "application/pdf"}}), view);
  EXPECT_NE(std::get_if<RecordProof>(&pdf.effects.at(0)), nullptr);
}

TEST_F(PaymentTest, CashOnDeliveryConfirmsAndTellsTheOwnerInTheirLanguage) {
  auto [state, view] = WithOrder(order_, orders::OrderStatus::kAwaitingPayment);
  Transition t = Step(state, Button("pay:cod"), view);
  ASSERT_EQ(t.effects.size(), 1u);
  const auto* change = std::get_if<ChangeOrder>(&t.effects[0]);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->action, orders::OrderAction::kChooseCod);
  EXPECT_EQ(change->actor, orders::Actor::kCustomer);

  order_.status = orders::OrderStatus::kConfirmed;
  Transition after =
      Resume(state, OrderChanged{order_, orders::OrderStatus::kAwaitingPayment, *change},
             Button("pay:cod"), view);
  ASSERT_EQ(after.effects.size(), 2u);
  EXPECT_EQ(BodyOf(ReplyAt(after, 0)),
            "Order #1042 is confirmed, cash on delivery: please keep ₹58.00 ready.");
  const json owner = ReplyAt(after, 1);
  EXPECT_EQ(owner["to"], "+919800000001");
  EXPECT_TRUE(Has(BodyOf(owner), "नया ऑर्डर #1042")) << BodyOf(owner);
  EXPECT_EQ(owner["interactive"]["action"]["buttons"][0]["reply"]["id"], "v2:own:pack:7:n0nce");

  shop_.payment.cod_allowed = false;
  auto [state2, no_cod] = WithOrder(order_, orders::OrderStatus::kAwaitingPayment);
  Transition refused = Step(state2, Text("cod"), no_cod);
  EXPECT_EQ(std::get_if<ChangeOrder>(&refused.effects.at(0)), nullptr)
      << "a shop without cash on delivery gets the payment request again";
}

TEST_F(PaymentTest, CancelBeforePaymentReleasesAndLaterIsRefused) {
  auto [state, view] = WithOrder(order_, orders::OrderStatus::kPaymentReview);
  for (const auto& event : {Text("cancel"), Button("order:cancel"), Text("cancel my order")}) {
    Transition t = Step(state, event, view);
    const auto* change = std::get_if<ChangeOrder>(&t.effects.at(0));
    ASSERT_NE(change, nullptr);
    EXPECT_EQ(change->action, orders::OrderAction::kCancel);
  }
  order_.status = orders::OrderStatus::kCancelled;
  Transition done = Resume(state, OrderChanged{order_, orders::OrderStatus::kPaymentReview, {}},
                           Text("cancel"), view);
  EXPECT_EQ(done.next.order_id, 0);
  ASSERT_EQ(done.effects.size(), 2u) << "the customer and the owner";
  EXPECT_TRUE(Has(BodyOf(ReplyAt(done, 0)), "Order #1042 is cancelled."));

  order_.status = orders::OrderStatus::kConfirmed;
  Transition late = Resume(state, OrderUnchanged{order_, {}}, Text("cancel"), view);
  EXPECT_EQ(BodyOf(OnlyReply(late)),
            "Order #1042 is confirmed and can't be changed here any more; please call the shop.");
}

TEST_F(PaymentTest, AnythingElseWhileAwaitingPaymentRemindsHowToPay) {
  auto [state, view] = WithOrder(order_, orders::OrderStatus::kAwaitingPayment);
  for (const auto& event :
       {Text("2 maggi"), Message("sticker", {{"id", "1"}}), Pick("add:MAGGI-70:1")}) {
    Transition t = Step(state, event, view);
    const json reply = OnlyReply(t);
    EXPECT_TRUE(Has(BodyOf(reply), "Order #1042 is waiting for your payment.")) << BodyOf(reply);
    EXPECT_TRUE(Has(BodyOf(reply), "upi://pay?pa=sharmakirana@okaxis")) << BodyOf(reply);
    EXPECT_TRUE(t.next.cart.empty());
  }
  auto [review_state, review] = WithOrder(order_, orders::OrderStatus::kPaymentReview);
  EXPECT_TRUE(Has(BodyOf(OnlyReply(Step(review_state, Text("hello?"), review))),
                  "with the shop for approval"));
}

TEST_F(PaymentTest, FinishedOrderNoLongerShapesTheConversation) {
  auto [state, view] = WithOrder(order_, orders::OrderStatus::kDelivered);
  Transition t = Step(state, Text("2 maggi"), view);
  EXPECT_EQ(t.next.order_id, 0);
  EXPECT_EQ(t.next.cart, (std::vector<CartLine>{{"MAGGI-70", 2}}));
  auto [confirmed_state, confirmed] = WithOrder(order_, orders::OrderStatus::kPacked);
  const std::string status = BodyOf(OnlyReply(Step(confirmed_state, Text("status"), confirmed)));
  EXPECT_TRUE(Has(status, "Order #1042: packed.")) << status;
}

TEST_F(PaymentTest, NoticesCarryTheShopsApprovedTemplateForAClosedWindow) {
  order_.status = orders::OrderStatus::kPacked;
  EXPECT_FALSE(CustomerNotices(order_, orders::OrderAction::kPack, shop_)[0].contains(
      whatsapp::kFallbackKey))
      << "no template configured: none";
  shop_.notice_templates["packed"] = {"order_packed", "en_US"};
  const json notice = CustomerNotices(order_, orders::OrderAction::kPack, shop_)[0];
  const json& fallback = notice[whatsapp::kFallbackKey];
  EXPECT_EQ(fallback["to"], "+919876543210");
  EXPECT_EQ(fallback["template"]["name"], "order_packed");
  EXPECT_EQ(fallback["template"]["language"]["code"], "en_US");
  const auto& params = fallback["template"]["components"][0]["parameters"];
  EXPECT_EQ(params[0]["text"], "#1042");
  EXPECT_EQ(params[1]["text"], "Sharma Kirana");
}

TEST_F(PaymentTest, CustomerIsToldOfEveryMoveTheShopMakesInTheirLanguage) {
  order_.status = orders::OrderStatus::kConfirmed;
  EXPECT_EQ(CustomerNotices(order_, orders::OrderAction::kApprove, shop_)[0]["text"]["body"],
            "Your payment for order #1042 is approved. The shop is packing it now.");
  order_.status = orders::OrderStatus::kOutForDelivery;
  order_.customer_locale = "hi";
  EXPECT_EQ(CustomerNotices(order_, orders::OrderAction::kDispatch, shop_)[0]["text"]["body"],
            "ऑर्डर #1042 डिलीवरी के लिए निकल चुका है।");
  order_.customer_locale = "";
  order_.status = orders::OrderStatus::kAwaitingPayment;
  order_.reason = "the screenshot is not clear";
  auto rejected = CustomerNotices(order_, orders::OrderAction::kReject, shop_);
  ASSERT_EQ(rejected.size(), 2u) << "why, then how to pay again";
  EXPECT_EQ(rejected[0]["text"]["body"],
            "The shop could not accept your payment for order #1042: the screenshot is not clear.\n"
            "Please pay again and send the new screenshot, or cancel the order.");
  EXPECT_TRUE(Has(rejected[1].dump(), "upi://pay"));
  order_.status = orders::OrderStatus::kCancelled;
  EXPECT_TRUE(Has(CustomerNotices(order_, orders::OrderAction::kExpire, shop_)[0]["text"]["body"],
                  "the payment did not arrive within 30 minutes"));
  for (auto action :
       {orders::OrderAction::kPack, orders::OrderAction::kDeliver, orders::OrderAction::kCancel}) {
    auto notices = CustomerNotices(order_, action, shop_);
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0]["to"], "+919876543210");
    EXPECT_FALSE(notices[0]["text"]["body"].get<std::string>().empty());
  }
}

}  // namespace
}  // namespace chatshop::bot
