#include "bot/owner_engine.h"

#include <algorithm>
#include <cctype>

#include "bot/overloaded.h"
#include "bot/reply_ids.h"
#include "bot/text.h"
#include "bot/wording.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {
namespace {

using nlohmann::json;
using orders::OrderAction;
using orders::OrderStatus;
using orders::OrderView;

Wording OwnerWords(const ShopOwner& owner, const ShopView& shop) {
  const std::string locale =
      shop.templates->HasLocale(owner.locale) ? owner.locale : ReplyLocale({}, shop);
  return Wording(*shop.templates, shop.overrides, locale, shop.name);
}

std::string ButtonId(OwnerVerb verb, const OrderView& order) {
  return EncodeChoice(OwnerButton{verb, order.id, order.nonce, ""});
}

// The buttons for what the owner does next with an order in its present status.
std::vector<whatsapp::ReplyButton> NextStepButtons(const OrderView& order, const Wording& words) {
  switch (order.status) {
    case OrderStatus::kPaymentReview:
      return {{ButtonId(OwnerVerb::kApprove, order), words.Say("owner_button_approve")},
              {ButtonId(OwnerVerb::kReject, order), words.Say("owner_button_reject")}};
    case OrderStatus::kConfirmed:
      return {{ButtonId(OwnerVerb::kPack, order), words.Say("owner_button_packed")}};
    case OrderStatus::kPacked:
      return {{ButtonId(OwnerVerb::kOut, order), words.Say("owner_button_out")}};
    case OrderStatus::kOutForDelivery:
      return {{ButtonId(OwnerVerb::kDeliver, order), words.Say("owner_button_delivered")}};
    default:
      return {};
  }
}

json OrderData(const OrderView& order, const Wording& words) {
  return {{"number", order.number},
          {"customer", "+" + order.customer},
          {"status", words.StatusWords(order.status)},
          {"total", order.total.ToRupeeText()},
          {"summary", words.OrderSummary(order)}};
}

// Rejection reasons offered as a list, worded for the customer who will read them.
const std::vector<std::string>& RejectReasons() {
  static const std::vector<std::string> codes = {"amount", "not_received", "unclear"};
  return codes;
}

std::optional<int64_t> Number(const std::string& token) {
  std::string digits = token;
  if (!digits.empty() && digits[0] == '#') digits.erase(0, 1);
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

std::vector<std::string> Words(const std::string& folded) {
  std::vector<std::string> words;
  std::string word;
  for (char c : folded + " ") {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return words;
}

class OwnerTurn {
 public:
  explicit OwnerTurn(const OwnerView& view)
      : view_(view), words_(OwnerWords(view.owner, *view.shop)) {}

  std::vector<Effect> Run(const whatsapp::InboundMessage& message);
  std::vector<Effect> After(const Outcome& outcome);

 private:
  void Reply(const std::string& body) {
    effects_.push_back(SendReply{TextTo(view_.owner.phone, body)});
  }
  void ReplyWithButtons(const std::string& body, const std::vector<whatsapp::ReplyButton>& b) {
    effects_.push_back(SendReply{b.empty() ? TextTo(view_.owner.phone, body)
                                           : ButtonsTo(view_.owner.phone, body, b)});
  }
  const OrderView* OpenOrder(int64_t id) const {
    for (const auto& o : view_.open_orders) {
      if (o.id == id) return &o;
    }
    return nullptr;
  }
  void Change(int64_t id, int64_t number, const std::string& nonce, OrderAction action,
              const std::string& reason) {
    effects_.push_back(ChangeOrder{id, number, nonce, action, orders::Actor::kOwner, reason});
  }
  void OnText(const std::string& text);
  void OnButton(const Choice& tapped);
  // A button from an older notice of `order` (null: not open any more): refused, with the
  // order's present status and buttons.
  void StaleButton(const orders::OrderView* order);
  void ListOrders();
  void ShowOrder(const OrderView& order);
  void OnStock(const std::vector<std::string>& product_words, int64_t stock);

  const OwnerView& view_;
  Wording words_;
  std::vector<Effect> effects_;
};

void OwnerTurn::ListOrders() {
  if (view_.open_orders.empty()) return Reply(words_.Say("owner_no_orders"));
  whatsapp::ListSection section{words_.Say("owner_orders_button"), {}};
  for (const auto& order : view_.open_orders) {
    if (section.rows.size() == whatsapp::kMaxListRows) break;
    section.rows.push_back({ButtonId(OwnerVerb::kShow, order),
                            "#" + std::to_string(order.number) + " · " + order.total.ToRupeeText(),
                            words_.StatusWords(order.status) + " · +" + order.customer});
  }
  // Only ten fit in a list: say so rather than count orders the owner cannot see.
  const size_t shown = section.rows.size();
  const bool more = view_.open_orders.size() > shown;
  effects_.push_back(SendReply{whatsapp::BuildListMessage(
      view_.owner.phone,
      words_.Say("owner_orders",
                 {{"count", view_.open_orders.size()}, {"more", more}, {"shown", shown}}),
      words_.Say("owner_orders_button"), {section})});
}

void OwnerTurn::ShowOrder(const OrderView& order) {
  ReplyWithButtons(words_.Say("owner_order_detail", OrderData(order, words_)),
                   NextStepButtons(order, words_));
}

// "stock SKU 5" / "stock atta 5" / "out of stock tomato": a SKU as written, else the product
// the order parser finds in the words.
void OwnerTurn::OnStock(const std::vector<std::string>& product_words, int64_t stock) {
  std::string text;
  for (const auto& w : product_words) text += (text.empty() ? "" : " ") + w;
  const ShopView& shop = *view_.shop;
  for (const auto& p : shop.catalog->products) {
    if (FoldText(p.sku) == text) {
      effects_.push_back(SetStock{p.sku, stock});
      return;
    }
  }
  ParsedOrder parsed = shop.parser->Parse(text);
  if (parsed.items.size() == 1 && parsed.ambiguous.empty()) {
    effects_.push_back(SetStock{parsed.items[0].sku, stock});
    return;
  }
  std::string candidates;
  for (const auto& a : parsed.ambiguous) {
    for (const auto& sku : a.candidates) candidates += (candidates.empty() ? "" : ", ") + sku;
  }
  Reply(words_.Say(
      "owner_unknown_product",
      {{"text", text}, {"candidates", candidates.empty() ? json(false) : json(candidates)}}));
}

void OwnerTurn::OnText(const std::string& text) {
  const std::vector<std::string> w = Words(FoldText(text));
  auto rest = [&](size_t from) {
    std::string joined;
    for (size_t i = from; i < w.size(); ++i) joined += (joined.empty() ? "" : " ") + w[i];
    return joined;
  };
  if (w.empty()) return Reply(words_.Say("owner_help"));
  const std::string& verb = w[0];
  if (verb == "help") return Reply(words_.Say("owner_help"));
  if (verb == "orders" || verb == "pending" || verb == "list") return ListOrders();
  if (w.size() >= 4 && verb == "out" && w[1] == "of" && w[2] == "stock") {
    return OnStock({w.begin() + 3, w.end()}, 0);
  }
  if (verb == "stock" && w.size() >= 3) {
    if (auto n = Number(w.back()); n && *n <= 1000000000) {
      return OnStock({w.begin() + 1, w.end() - 1}, *n);
    }
  }
  struct Command {
    const char* word;
    OrderAction action;
  };
  static const Command kCommands[] = {
      {"approve", OrderAction::kApprove},   {"accept", OrderAction::kApprove},
      {"reject", OrderAction::kReject},     {"packed", OrderAction::kPack},
      {"pack", OrderAction::kPack},         {"out", OrderAction::kDispatch},
      {"dispatch", OrderAction::kDispatch}, {"dispatched", OrderAction::kDispatch},
      {"delivered", OrderAction::kDeliver}, {"deliver", OrderAction::kDeliver},
      {"cancel", OrderAction::kCancel}};
  if (w.size() >= 2) {
    if (auto number = Number(w[1])) {
      for (const auto& c : kCommands) {
        if (verb == c.word) return Change(0, *number, "", c.action, rest(2));
      }
      if (verb == "order" || verb == "show") {
        for (const auto& o : view_.open_orders) {
          if (o.number == *number) return ShowOrder(o);
        }
        return Reply(words_.Say("owner_not_found", {{"number", *number}}));
      }
    }
  }
  if (w.size() == 1) {
    if (auto number = Number(w[0])) {
      for (const auto& o : view_.open_orders) {
        if (o.number == *number) return ShowOrder(o);
      }
    }
  }
  Reply(words_.Say("owner_not_understood") + "\n\n" + words_.Say("owner_help"));
}

// A button or row of an owner notice (bot/reply_ids.h).
void OwnerTurn::OnButton(const Choice& tapped) {
  const OwnerButton* button = std::get_if<OwnerButton>(&tapped);
  if (button == nullptr) return Reply(words_.Say("owner_help"));
  const OrderView* order = OpenOrder(button->order_id);
  if (button->nonce.empty()) {
    // Every notice's buttons carry the order's nonce; one without is not ours to act on.
    return StaleButton(order);
  }
  if (button->verb == OwnerVerb::kShow) {
    if (order == nullptr) return Reply(words_.Say("owner_not_found", {{"number", false}}));
    if (order->nonce != button->nonce) return StaleButton(order);
    return ShowOrder(*order);
  }
  if (button->verb == OwnerVerb::kReject && button->reason_code.empty()) {
    // Ask why, in a list the customer's reason is picked from. An older notice's reject is
    // refused here already, so the owner never picks a reason for nothing.
    if (order != nullptr && order->nonce != button->nonce) return StaleButton(order);
    whatsapp::ListSection section{words_.Say("owner_reject_button"), {}};
    for (const auto& code : RejectReasons()) {
      OwnerButton with_reason = *button;
      with_reason.reason_code = code;
      section.rows.push_back({EncodeChoice(with_reason), words_.Say("reason_" + code), ""});
    }
    effects_.push_back(SendReply{whatsapp::BuildListMessage(
        view_.owner.phone,
        words_.Say("owner_reject_prompt",
                   {{"number", order != nullptr ? json(order->number) : json(false)}}),
        words_.Say("owner_reject_button"), {section})});
    return;
  }
  static const std::map<OwnerVerb, OrderAction> kActions = {
      {OwnerVerb::kApprove, OrderAction::kApprove},
      {OwnerVerb::kReject, OrderAction::kReject},
      {OwnerVerb::kPack, OrderAction::kPack},
      {OwnerVerb::kOut, OrderAction::kDispatch},
      {OwnerVerb::kDeliver, OrderAction::kDeliver}};
  const OrderAction action = kActions.at(button->verb);
  std::string reason;
  if (action == OrderAction::kReject) {
    // The reason is for the customer: in their language.
    ConversationState as_customer;
    as_customer.locale = order != nullptr ? order->customer_locale : "";
    const Wording customer_words(*view_.shop->templates, view_.shop->overrides,
                                 ReplyLocale(as_customer, *view_.shop), view_.shop->name);
    reason = customer_words.Say("reason_" + button->reason_code);
  }
  // The nonce is checked again by the ledger, under the order's row lock: the open orders
  // seen here may already be older than the order.
  effects_.push_back(ChangeOrder{button->order_id, 0, button->nonce, action, orders::Actor::kOwner,
                                 reason, /*by_button=*/true});
}

void OwnerTurn::StaleButton(const OrderView* order) {
  if (order == nullptr) return Reply(words_.Say("owner_not_found", {{"number", false}}));
  ReplyWithButtons(words_.Say("owner_stale_button", OrderData(*order, words_)),
                   NextStepButtons(*order, words_));
}

std::vector<Effect> OwnerTurn::Run(const whatsapp::InboundMessage& message) {
  std::visit(Overloaded{
                 [&](const whatsapp::TextMessage& m) { OnText(m.body); },
                 [&](const whatsapp::ButtonReply& m) { OnButton(DecodeChoice(m.id)); },
                 [&](const whatsapp::ListReply& m) { OnButton(DecodeChoice(m.id)); },
                 [&](const auto&) { Reply(words_.Say("owner_help")); },
             },
             message.content);
  return std::move(effects_);
}

std::vector<Effect> OwnerTurn::After(const Outcome& outcome) {
  if (const auto* changed = std::get_if<OrderChanged>(&outcome)) {
    const OrderView& order = changed->order;
    ReplyWithButtons(words_.Say("owner_done", OrderData(order, words_)),
                     NextStepButtons(order, words_));
    for (auto& notice : CustomerNotices(order, changed->request.action, *view_.shop)) {
      effects_.push_back(SendReply{std::move(notice)});
    }
  } else if (const auto* unchanged = std::get_if<OrderUnchanged>(&outcome)) {
    if (unchanged->stale_button && unchanged->order) {
      StaleButton(&*unchanged->order);
    } else if (unchanged->order) {
      ReplyWithButtons(words_.Say("owner_refused", OrderData(*unchanged->order, words_)),
                       NextStepButtons(*unchanged->order, words_));
    } else {
      Reply(words_.Say("owner_not_found", {{"number", unchanged->request.order_number != 0
                                                          ? json(unchanged->request.order_number)
                                                          : json(false)}}));
    }
  } else if (const auto* stock = std::get_if<StockWasSet>(&outcome)) {
    const orders::Product* p = view_.shop->catalog->Find(stock->request.sku);
    if (stock->found && p != nullptr) {
      Reply(words_.Say("owner_stock_set", {{"name", p->name}, {"stock", stock->request.stock}}));
    } else {
      Reply(words_.Say("owner_unknown_product",
                       {{"text", stock->request.sku}, {"candidates", false}}));
    }
  } else {
    Reply(words_.Say("owner_help"));
  }
  return std::move(effects_);
}

}  // namespace

std::vector<Effect> OwnerStep(const whatsapp::ClassifiedEvent& event, const OwnerView& view) {
  const auto* message = std::get_if<whatsapp::InboundMessage>(&event);
  if (message == nullptr) return {};  // statuses and errors are not the owner speaking
  return OwnerTurn(view).Run(*message);
}

std::vector<Effect> OwnerResume(const Outcome& outcome, const OwnerView& view) {
  return OwnerTurn(view).After(outcome);
}

nlohmann::json PaymentProofNotice(const OrderView& order, const ShopOwner& owner,
                                  const ProofAttachment& proof, int64_t duplicate_of,
                                  const ShopView& shop) {
  const Wording words = OwnerWords(owner, shop);
  json data = OrderData(order, words);
  data["duplicate"] = duplicate_of > 0 ? json(duplicate_of) : json(false);
  const bool pdf = proof.kind == whatsapp::ProofFileKind::kPdf;
  data["pdf"] = pdf;
  data["unshown"] = duplicate_of >= 0 && proof.media_id.empty();
  const char* name = duplicate_of < 0 ? "owner_proof_failed" : "owner_proof";
  whatsapp::MessageHeader header;
  if (!proof.media_id.empty()) {
    header = pdf ? whatsapp::MessageHeader::Document(
                       proof.media_id, "payment-order-" + std::to_string(order.number) + ".pdf")
                 : whatsapp::MessageHeader::Image(proof.media_id);
  }
  return whatsapp::BuildButtonsMessage(owner.phone, words.Say(name, data),
                                       NextStepButtons(order, words), header);
}

nlohmann::json ProofRefusedNotice(const OrderView& order, const ShopView& shop) {
  ConversationState state;
  state.locale = order.customer_locale;
  const Wording words(*shop.templates, shop.overrides, ReplyLocale(state, shop), shop.name);
  return TextTo(order.customer, words.Say("proof_refused", {{"number", order.number}}));
}

nlohmann::json ReviewReminder(const OrderView& order, const ShopOwner& owner,
                              const ShopView& shop) {
  const Wording words = OwnerWords(owner, shop);
  return ButtonsTo(owner.phone, words.Say("owner_review_reminder", OrderData(order, words)),
                   NextStepButtons(order, words));
}

nlohmann::json NoticeFailedReport(int64_t order_number, const std::string& customer,
                                  const std::string& error, const ShopOwner& owner,
                                  const ShopView& shop) {
  const Wording words = OwnerWords(owner, shop);
  return TextTo(owner.phone, words.Say("owner_notice_failed", {{"number", order_number},
                                                               {"customer", "+" + customer},
                                                               {"error", error}}));
}

std::vector<std::string> OwnerTemplateNames() {
  std::vector<std::string> names = {"owner_help",
                                    "owner_not_understood",
                                    "owner_orders",
                                    "owner_orders_button",
                                    "owner_no_orders",
                                    "owner_order_detail",
                                    "owner_done",
                                    "owner_refused",
                                    "owner_not_found",
                                    "owner_stock_set",
                                    "owner_unknown_product",
                                    "owner_proof",
                                    "owner_button_approve",
                                    "owner_button_reject",
                                    "owner_reject_prompt",
                                    "owner_reject_button",
                                    "reason_amount",
                                    "reason_not_received",
                                    "reason_unclear",
                                    "owner_button_out",
                                    "owner_button_delivered",
                                    "owner_review_reminder",
                                    "owner_proof_failed",
                                    "owner_notice_failed"};
  // A stale button's answer, and the customer's when their proof is no picture or PDF.
  names.push_back("owner_stale_button");
  names.push_back("proof_refused");
  return names;
}

}  // namespace chatshop::bot
