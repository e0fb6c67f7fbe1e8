// The customer engine from checkout on: the payment request, messages while an order waits
// for payment or review, and what the customer (and the owners) hear after an effect's outcome
// (see customer_turn.h).
#include "bot/customer_turn.h"
#include "bot/lexicon/lexicon.h"
#include "bot/overloaded.h"
#include "bot/text.h"

namespace chatshop::bot::customer {

// The order, how to pay (UPI link; cash on delivery where allowed) and how long it is held.
void Turn::SendPaymentRequest(const orders::OrderView& order, const std::string& preface) {
  const Wording words = WordsFor(ReplyLocale(next_, shop_));
  const bool upi = !shop_.payment.upi_vpa.empty();
  const bool cod = shop_.payment.cod_allowed;
  const std::string payee =
      shop_.payment.payee_name.empty() ? shop_.name : shop_.payment.payee_name;
  std::string body =
      preface + Say("payment_request",
                    {{"number", order.number},
                     {"summary", words.OrderSummary(order)},
                     {"minutes", shop_.reservation_minutes},
                     {"upi_link", upi ? json(orders::UpiPaymentLink(shop_.payment.upi_vpa, payee,
                                                                    order.total, order.number))
                                      : json(false)},
                     {"cod", cod}});
  std::vector<whatsapp::ReplyButton> buttons;
  if (cod) buttons.push_back({EncodeChoice(choice::PayCod{}), Say("button_cod")});
  buttons.push_back({EncodeChoice(choice::CancelOrder{}), Say("button_cancel_order")});
  SendButtons(body, buttons);
}

// Owners hear of what customers do to orders (cash on delivery chosen, an order cancelled),
// each in their own language, with the next step as a button.
void Turn::NotifyOwners(const std::string& name, const orders::OrderView& order,
                        const std::vector<std::pair<std::string, std::string>>& buttons) {
  for (const auto& owner : shop_.owners) {
    const Wording words = WordsFor(owner.locale);
    const std::string body = words.Say(name, {{"number", order.number},
                                              {"customer", "+" + order.customer},
                                              {"summary", words.OrderSummary(order)}});
    std::vector<whatsapp::ReplyButton> owner_buttons;
    for (const auto& [id, label] : buttons) owner_buttons.push_back({id, words.Say(label)});
    nlohmann::json payload = owner_buttons.empty() ? TextTo(owner.phone, body)
                                                   : ButtonsTo(owner.phone, body, owner_buttons);
    effects_.emplace_back(std::in_place_type<SendReply>, SendReply{std::move(payload)});
  }
}

bool Turn::OrderNeedsPayment() const {
  return shop_.order != nullptr && shop_.order->id == state_.order_id &&
         (shop_.order->status == orders::OrderStatus::kAwaitingPayment ||
          shop_.order->status == orders::OrderStatus::kPaymentReview);
}

// Messages while the order waits for payment: cancel, cash on delivery, a screenshot, or a
// reminder of what is expected. Everything else waits until the order is paid or cancelled.
void Turn::OnOrderMessage(const whatsapp::MessageContent& content) {
  const orders::OrderView& order = *shop_.order;
  const bool awaiting = order.status == orders::OrderStatus::kAwaitingPayment;
  std::string command;
  Choice tapped = choice::Unknown{};
  const whatsapp::MediaMessage* proof = nullptr;
  std::visit(Overloaded{
                 [&](const whatsapp::TextMessage& m) { command = Trimmed(FoldText(m.body)); },
                 [&](const whatsapp::ButtonReply& m) { tapped = DecodeChoice(m.id); },
                 [&](const whatsapp::ListReply& m) { tapped = DecodeChoice(m.id); },
                 [&](const whatsapp::MediaMessage& m) {
                   // A screenshot, or a PDF from a banking app.
                   if (m.kind == whatsapp::MediaMessage::Kind::kImage ||
                       m.kind == whatsapp::MediaMessage::Kind::kDocument) {
                     proof = &m;
                   }
                 },
                 [&](const auto&) {},
             },
             content);
  const bool cancel = std::holds_alternative<choice::CancelOrder>(tapped) ||
                      std::holds_alternative<choice::CancelCart>(tapped);

  if (IsCancel(command) || cancel) {
    effects_.push_back(ChangeOrder{order.id, 0, "", orders::OrderAction::kCancel,
                                   orders::Actor::kCustomer, "cancelled by the customer"});
  } else if (awaiting && shop_.payment.cod_allowed &&
             (lexicon::CashOnDeliveryWords().count(command) ||
              std::holds_alternative<choice::PayCod>(tapped))) {
    effects_.push_back(ChangeOrder{order.id, 0, "", orders::OrderAction::kChooseCod,
                                   orders::Actor::kCustomer, ""});
  } else if (proof != nullptr) {
    if (proof->media_id.empty()) return SendText(Say("unsupported"));
    effects_.push_back(RecordProof{order.id, proof->media_id, proof->mime_type,
                                   shop_.limits.proofs_per_order_max});
  } else if (command == "help") {
    SendText(Say("help_payment", {{"number", order.number}}));
  } else if (SwitchLanguage(command)) {
    if (awaiting) return SendPaymentRequest(order, Say("language_set") + "\n\n");
    SendText(Say("language_set") + "\n" + Say("review_pending", {{"number", order.number}}));
  } else if (awaiting) {
    SendPaymentRequest(order, Say("awaiting_payment_hint", {{"number", order.number}}) + "\n\n");
  } else {
    SendText(Say("review_pending", {{"number", order.number}}));
  }
}

Transition Turn::Run(const whatsapp::InboundMessage& message) {
  // An order that is over (or gone) no longer shapes the conversation.
  if (state_.order_id != 0 && (shop_.order == nullptr || shop_.order->id != state_.order_id ||
                               orders::IsFinal(shop_.order->status))) {
    next_.order_id = 0;
  }
  if (OrderNeedsPayment()) {
    OnOrderMessage(message.content);
    return Done();
  }
  const bool replying = !message.replied_to.empty();
  std::visit(Overloaded{
                 [&](const whatsapp::TextMessage& m) { OnText(m.body, replying); },
                 [&](const whatsapp::ButtonReply& m) { OnChoice(DecodeChoice(m.id)); },
                 [&](const whatsapp::ListReply& m) { OnChoice(DecodeChoice(m.id)); },
                 // A template's quick reply: its label is what the customer said.
                 [&](const whatsapp::QuickReply& m) { OnText(m.text, replying); },
                 [&](const whatsapp::CatalogOrder& m) { OnCatalogOrder(m); },
                 // Stickers, voice notes, photos, locations, unsupported types: a short,
                 // useful answer.
                 [&](const auto&) { SendText(Say("unsupported")); },
             },
             message.content);
  return Done();
}

Transition Turn::AfterShortage() {
  Review(true);
  return Done();
}

Transition Turn::AskToPayAgain(const orders::OrderView& order) {
  SendPaymentRequest(order, "");
  return Done();
}

Transition Turn::AfterOutcome(const Outcome& outcome) {
  using orders::OrderStatus;
  if (const auto* placed = std::get_if<OrderPlaced>(&outcome)) {
    next_.order_id = placed->order.id;
    next_.cart.clear();
    next_.issues.clear();
    next_.stage = Stage::kIdle;
    SendPaymentRequest(placed->order, "");
  } else if (const auto* changed = std::get_if<OrderChanged>(&outcome)) {
    const orders::OrderView& order = changed->order;
    if (order.status == OrderStatus::kCancelled) {
      next_.order_id = 0;
      SendText(Say("order_cancelled", {{"number", order.number}}) + "\n" + Say("try_list"));
      NotifyOwners("owner_cancelled_by_customer", order, {});
    } else if (order.status == OrderStatus::kConfirmed) {
      SendText(
          Say("cod_confirmed", {{"number", order.number}, {"total", order.total.ToRupeeText()}}));
      NotifyOwners("owner_new_cod", order,
                   {{EncodeChoice(OwnerButton{OwnerVerb::kPack, order.id, order.nonce, ""}),
                     "owner_button_packed"}});
    } else if (order.status == OrderStatus::kPaymentReview) {
      SendText(Say("proof_received", {{"number", order.number}}));
    } else {
      SendText(Say("order_status",
                   {{"number", order.number},
                    {"status", WordsFor(ReplyLocale(next_, shop_)).StatusWords(order.status)}}));
    }
  } else if (const auto* over = std::get_if<HoldLimitReached>(&outcome)) {
    // Nothing was reserved; the cart stays, to be made smaller or checked out later.
    SendBill(Say("limit_hold", {{"units_held", over->units_held},
                                {"value_held", over->value_held.ToRupeeText()},
                                {"units_max", over->units_max},
                                {"value_max", over->value_max.ToRupeeText()}}) +
             "\n\n");
  } else if (const auto* proofs = std::get_if<ProofLimitReached>(&outcome)) {
    const int64_t number =
        shop_.order != nullptr && shop_.order->id == proofs->order_id ? shop_.order->number : 0;
    SendText(Say("limit_proofs", {{"number", number}, {"max", proofs->max_per_order}}));
  } else if (const auto* unchanged = std::get_if<OrderUnchanged>(&outcome)) {
    if (!unchanged->order) {
      next_.order_id = 0;
      SendText(Say("not_understood") + " " + Say("try_list"));
    } else {
      const Wording words = WordsFor(ReplyLocale(next_, shop_));
      SendText(
          Say("order_change_refused", {{"number", unchanged->order->number},
                                       {"status", words.StatusWords(unchanged->order->status)}}));
    }
  } else {
    SendText(Say("help"));  // no customer effect leads here; never leave the customer unanswered
  }
  return Done();
}

}  // namespace chatshop::bot::customer
