#include "bot/owner_engine.h"

#include <gtest/gtest.h>

#include "engine_fixture.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {
namespace {

class OwnerEngineTest : public EngineTest {
 protected:
  OwnerEngineTest() {
    view_.shop = &shop_;
    view_.owner = {"919800000001", "Mr Sharma", "en"};
    orders::OrderView review = AnOrder(1042);
    review.status = orders::OrderStatus::kPaymentReview;
    view_.open_orders = {review};
  }
  whatsapp::InboundEvent FromOwner(whatsapp::InboundEvent e) {
    e.customer = view_.owner.phone;
    return e;
  }
  std::vector<Effect> Says(const std::string& text) {
    return OwnerStep(FromOwner(Text(text)), view_);
  }
  static ChangeOrder OnlyChange(const std::vector<Effect>& effects) {
    EXPECT_EQ(effects.size(), 1u);
    const auto* change = effects.empty() ? nullptr : std::get_if<ChangeOrder>(&effects[0]);
    EXPECT_NE(change, nullptr);
    return change != nullptr ? *change : ChangeOrder{};
  }
  static json Reply(const std::vector<Effect>& effects, size_t i = 0) {
    const auto* reply = i < effects.size() ? std::get_if<SendReply>(&effects[i]) : nullptr;
    EXPECT_NE(reply, nullptr);
    return reply != nullptr ? reply->payload : json();
  }
  OwnerView view_;
};

TEST_F(OwnerEngineTest, TypedCommandsBecomeOrderChangesByNumber) {
  struct Case {
    const char* text;
    orders::OrderAction action;
    const char* reason;
  };
  for (const Case& c :
       {Case{"approve 1042", orders::OrderAction::kApprove, ""},
        Case{"Reject #1042 blurry photo", orders::OrderAction::kReject, "blurry photo"},
        Case{"packed 1042", orders::OrderAction::kPack, ""},
        Case{"out 1042", orders::OrderAction::kDispatch, ""},
        Case{"delivered 1042", orders::OrderAction::kDeliver, ""},
        Case{"cancel 1042 no stock of atta", orders::OrderAction::kCancel, "no stock of atta"}}) {
    const ChangeOrder change = OnlyChange(Says(c.text));
    EXPECT_EQ(change.order_number, 1042) << c.text;
    EXPECT_EQ(change.order_id, 0) << c.text;
    EXPECT_EQ(change.action, c.action) << c.text;
    EXPECT_EQ(change.actor, orders::Actor::kOwner) << c.text;
    EXPECT_EQ(change.reason, c.reason) << c.text;
  }
}

TEST_F(OwnerEngineTest, ButtonsCarryTheOrderAndItsNonceAndRejectAsksWhy) {
  const ChangeOrder approve =
      OnlyChange(OwnerStep(FromOwner(Button("own:approve:7:n0nce")), view_));
  EXPECT_EQ(approve.order_id, 7);
  EXPECT_EQ(approve.nonce, "n0nce");
  EXPECT_EQ(approve.action, orders::OrderAction::kApprove);

  auto why = OwnerStep(FromOwner(Button("own:reject:7:n0nce")), view_);
  const json reasons = Reply(why);
  EXPECT_EQ(reasons["to"], "+919800000001");
  EXPECT_EQ(RowIds(reasons), (std::vector<std::string>{"v2:own:reject:7:n0nce:amount",
                                                       "v2:own:reject:7:n0nce:not_received",
                                                       "v2:own:reject:7:n0nce:unclear"}));
  view_.open_orders[0].customer_locale = "hi";  // the reason is worded for the customer
  const ChangeOrder reject =
      OnlyChange(OwnerStep(FromOwner(Pick("own:reject:7:n0nce:unclear")), view_));
  EXPECT_EQ(reject.action, orders::OrderAction::kReject);
  EXPECT_EQ(reject.reason, "स्क्रीनशॉट साफ़ नहीं है");
}

TEST_F(OwnerEngineTest, OutcomesAnswerTheOwnerAndTellTheCustomer) {
  orders::OrderView order = view_.open_orders[0];
  order.status = orders::OrderStatus::kConfirmed;
  ChangeOrder approve{7, 0, "n0nce", orders::OrderAction::kApprove, orders::Actor::kOwner, ""};
  auto effects =
      OwnerResume(OrderChanged{order, orders::OrderStatus::kPaymentReview, approve}, view_);
  ASSERT_EQ(effects.size(), 2u);
  const json owner = Reply(effects, 0);
  EXPECT_EQ(BodyOf(owner), "Order #1042 is now confirmed. +919876543210 has been told.");
  EXPECT_EQ(owner["interactive"]["action"]["buttons"][0]["reply"]["id"], "v2:own:pack:7:n0nce")
      << "the next step as a button";
  EXPECT_EQ(Reply(effects, 1)["to"], "+919876543210");

  // Pressing Approve again: the order is confirmed already, nothing happens twice.
  effects = OwnerResume(OrderUnchanged{order, approve}, view_);
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(BodyOf(Reply(effects)), "Order #1042 is confirmed: that is not possible now.");
  effects =
      OwnerResume(OrderUnchanged{std::nullopt, ChangeOrder{0, 999, "", orders::OrderAction::kPack,
                                                           orders::Actor::kOwner, ""}},
                  view_);
  EXPECT_TRUE(Has(BodyOf(Reply(effects)), "There is no open order #999."));
}

TEST_F(OwnerEngineTest, AButtonChangeMustCarryTheOrdersPresentNonce) {
  const ChangeOrder approve =
      OnlyChange(OwnerStep(FromOwner(Button("own:approve:7:n0nce")), view_));
  EXPECT_TRUE(approve.by_button) << "the ledger checks the nonce under the row lock";
  EXPECT_FALSE(OnlyChange(Says("approve 1042")).by_button) << "a typed command names the order";

  // A button without a nonce never becomes a change: the owner is told, with fresh buttons.
  for (const char* id : {"own:approve:7:", "own:approve:7", "own:reject:7::unclear"}) {
    auto effects = OwnerStep(FromOwner(Button(id)), view_);
    ASSERT_EQ(effects.size(), 1u) << id;
    const json reply = Reply(effects);
    EXPECT_TRUE(Has(BodyOf(reply), "This button is from an older notice of *order #1042*")) << id;
    EXPECT_EQ(reply["interactive"]["action"]["buttons"][0]["reply"]["id"],
              "v2:own:approve:7:n0nce");
  }
  // An older notice's reject does not even ask for a reason.
  auto stale_reject = OwnerStep(FromOwner(Button("own:reject:7:older")), view_);
  ASSERT_EQ(stale_reject.size(), 1u);
  EXPECT_TRUE(Has(BodyOf(Reply(stale_reject)), "older notice")) << BodyOf(Reply(stale_reject));
  auto stale_row = OwnerStep(FromOwner(Pick("own:show:7:older")), view_);
  ASSERT_EQ(stale_row.size(), 1u);
  EXPECT_TRUE(Has(BodyOf(Reply(stale_row)), "older notice")) << "a stale list row says so";
}

TEST_F(OwnerEngineTest, AStaleButtonRefusedByTheLedgerSaysSoWithThePresentButtons) {
  // Approve tapped on a notice from before a rejection: the order awaits payment again, with
  // a new nonce.
  orders::OrderView order = view_.open_orders[0];
  order.status = orders::OrderStatus::kAwaitingPayment;
  order.nonce = "n3w";
  ChangeOrder approve{7,  0,   "n0nce", orders::OrderAction::kApprove, orders::Actor::kOwner,
                      "", true};
  auto effects = OwnerResume(OrderUnchanged{order, approve, /*stale_button=*/true}, view_);
  ASSERT_EQ(effects.size(), 1u) << "nothing for the customer: nothing changed";
  const json reply = Reply(effects);
  EXPECT_EQ(BodyOf(reply),
            "This button is from an older notice of *order #1042*, which is now waiting for "
            "payment: nothing was changed. Use the buttons below, or send *orders*.");
  order.status = orders::OrderStatus::kCancelled;
  effects = OwnerResume(OrderUnchanged{order, approve, true}, view_);
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(Reply(effects)["type"], "text") << "a closed order has no next step";
}

TEST_F(OwnerEngineTest, APdfProofHeadsTheNoticeAsADocumentAndWebpIsNamed) {
  const orders::OrderView& order = view_.open_orders[0];
  const json pdf = PaymentProofNotice(order, view_.owner,
                                      {"UPLOADED-PDF", whatsapp::ProofFileKind::kPdf}, 0, shop_);
  EXPECT_EQ(pdf["interactive"]["header"]["type"], "document");
  EXPECT_EQ(pdf["interactive"]["header"]["document"]["id"], "UPLOADED-PDF");
  EXPECT_EQ(pdf["interactive"]["header"]["document"]["filename"], "payment-order-1042.pdf");
  EXPECT_TRUE(Has(BodyOf(pdf), "Payment receipt (PDF) for *order #1042*")) << BodyOf(pdf);
  EXPECT_EQ(pdf["interactive"]["action"]["buttons"].size(), 2u) << "Approve · Reject";

  const json webp =
      PaymentProofNotice(order, view_.owner, {"", whatsapp::ProofFileKind::kWebp}, 0, shop_);
  EXPECT_FALSE(webp["interactive"].contains("header"));
  EXPECT_TRUE(Has(BodyOf(webp), "cannot be shown in WhatsApp")) << BodyOf(webp);
  EXPECT_EQ(webp["interactive"]["action"]["buttons"].size(), 2u);

  const json refused = ProofRefusedNotice(order, shop_);
  EXPECT_EQ(refused["to"], "+919876543210");
  EXPECT_TRUE(Has(BodyOf(refused), "not a picture or a PDF")) << BodyOf(refused);
}

TEST_F(OwnerEngineTest, OrdersListStockAndHelp) {
  const json list = Reply(Says("orders"));
  EXPECT_EQ(RowIds(list), (std::vector<std::string>{"v2:own:show:7:n0nce"}));
  EXPECT_TRUE(Has(RowsOf(list).dump(), "#1042 · ₹58.00"));

  auto stock = Says("stock MAGGI-70 5");
  ASSERT_EQ(stock.size(), 1u);
  EXPECT_EQ(std::get<SetStock>(stock[0]).sku, "MAGGI-70");
  EXPECT_EQ(std::get<SetStock>(stock[0]).stock, 5);
  auto out = Says("out of stock tomato");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<SetStock>(out[0]).sku, "TOMATO-1");
  EXPECT_EQ(std::get<SetStock>(out[0]).stock, 0);
  EXPECT_TRUE(Has(BodyOf(Reply(Says("stock rice 5"))), "No single product matches \"rice\""));
  auto set = OwnerResume(StockWasSet{{"MAGGI-70", 5}, true}, view_);
  EXPECT_EQ(BodyOf(Reply(set)), "Maggi 2-Minute Noodles 70g: stock is now 5.");

  EXPECT_TRUE(Has(BodyOf(Reply(Says("help"))), "*orders*"));
  EXPECT_TRUE(Has(BodyOf(Reply(Says("what is this"))), "I didn't understand that."));
  EXPECT_TRUE(Has(BodyOf(Reply(OwnerStep(FromOwner(Message("sticker", {{"id", "1"}})), view_))),
                  "*orders*"));
}

TEST_F(OwnerEngineTest, MoreOpenOrdersThanAListHoldsAreNamedHonestly) {
  for (int i = 1; i <= 14; ++i) {
    orders::OrderView order = AnOrder(1042 + i);
    order.id = 7 + i;
    order.status = orders::OrderStatus::kAwaitingPayment;
    view_.open_orders.push_back(order);
  }
  const json list = Reply(Says("orders"));
  EXPECT_EQ(RowIds(list).size(), whatsapp::kMaxListRows);
  EXPECT_EQ(BodyOf(list),
            "15 open order(s); the 10 oldest are here (type *approve 1042* and the "
            "like for the others). Tap one to see it.");
}

TEST_F(OwnerEngineTest, AnOwnerWhoReadsHindiIsAnsweredInHindi) {
  view_.owner.locale = "hi";
  const std::string help = BodyOf(Reply(Says("help")));
  EXPECT_TRUE(Has(help, "*orders*")) << "commands stay as typed";
  EXPECT_NE(help, BodyOf(Reply(OwnerStep(FromOwner(Text("help")), [&] {
              OwnerView en = view_;
              en.owner.locale = "en";
              return en;
            }()))));
  const std::string list = BodyOf(Reply(Says("orders")));
  EXPECT_EQ(list, "1 खुले ऑर्डर। देखने के लिए किसी पर टैप करें।");
  const json notice =
      PaymentProofNotice(view_.open_orders[0], view_.owner, {"UPLOADED-1"}, 0, shop_);
  EXPECT_TRUE(Has(BodyOf(notice), "ऑर्डर")) << BodyOf(notice);
}

TEST_F(OwnerEngineTest, PaymentProofNoticeShowsTheImageWithApproveAndReject) {
  orders::OrderView order = view_.open_orders[0];
  const json notice = PaymentProofNotice(order, view_.owner, {"UPLOADED-1"}, 1039, shop_);
  EXPECT_EQ(notice["interactive"]["header"]["image"]["id"], "UPLOADED-1");
  const std::string body = BodyOf(notice);
  EXPECT_TRUE(Has(body, "Payment screenshot for *order #1042* from +919876543210")) << body;
  EXPECT_TRUE(Has(body, "already sent for order #1039")) << body;
  const auto& buttons = notice["interactive"]["action"]["buttons"];
  ASSERT_EQ(buttons.size(), 2u);
  EXPECT_EQ(buttons[0]["reply"]["id"], "v2:own:approve:7:n0nce");
  EXPECT_EQ(buttons[1]["reply"]["id"], "v2:own:reject:7:n0nce");
}

}  // namespace
}  // namespace chatshop::bot
