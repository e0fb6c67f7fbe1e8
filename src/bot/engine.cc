#include "bot/engine.h"

#include <algorithm>

#include "bot/customer_turn.h"
#include "bot/overloaded.h"
#include "bot/wording.h"
#include "whatsapp/json_fields.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {

using nlohmann::json;
using Stage = ConversationState::Stage;

// A table, not logic: one template name a line, as clang-format lays the list out.
const std::vector<std::string>& EngineTemplateNames() {
  static const std::vector<std::string> names = {"welcome",
                                                 "menu_button",
                                                 "menu_section",
                                                 "category_prompt",
                                                 "category_button",
                                                 "more_row",
                                                 "product_row",
                                                 "help",
                                                 "cancelled",
                                                 "cart_empty",
                                                 "try_list",
                                                 "bill",
                                                 "button_checkout",
                                                 "button_edit",
                                                 "button_cancel",
                                                 "unmatched",
                                                 "ambiguous",
                                                 "ambiguous_button",
                                                 "ambiguous_section",
                                                 "not_understood",
                                                 "question",
                                                 "unsupported",
                                                 "stock_short",
                                                 "stock_issues_intro",
                                                 "checkout_issues_intro",
                                                 "issue_prompt",
                                                 "issue_button",
                                                 "issue_section",
                                                 "issue_replace_row",
                                                 "issue_reduce_row",
                                                 "issue_remove_row",
                                                 "issue_cancel_row",
                                                 "fixed_replaced",
                                                 "fixed_reduced",
                                                 "fixed_removed",
                                                 "issues_pending",
                                                 "edit_prompt",
                                                 "edit_button",
                                                 "edit_row",
                                                 "edit_line",
                                                 "button_plus",
                                                 "button_minus",
                                                 "button_remove",
                                                 "not_in_cart",
                                                 "no_longer_sold",
                                                 "language_set",
                                                 "payment_request",
                                                 "button_cod",
                                                 "button_cancel_order",
                                                 "awaiting_payment_hint",
                                                 "review_pending",
                                                 "help_payment",
                                                 "proof_received",
                                                 "order_cancelled",
                                                 "cod_confirmed",
                                                 "order_change_refused",
                                                 "order_status",
                                                 "order_total",
                                                 "notice_confirmed",
                                                 "notice_rejected",
                                                 "notice_packed",
                                                 "notice_out",
                                                 "notice_delivered",
                                                 "notice_cancelled",
                                                 "notice_expired",
                                                 "owner_cancelled_by_customer",
                                                 "owner_new_cod",
                                                 "owner_button_packed",
                                                 "status_awaiting_payment",
                                                 "status_payment_review",
                                                 "status_confirmed",
                                                 "status_packed",
                                                 "status_out_for_delivery",
                                                 "status_delivered",
                                                 "status_cancelled",
                                                 "limit_message_too_long",
                                                 "limit_cart_full",
                                                 "limit_hold",
                                                 "limit_proofs",
                                                 "limit_text_shortened"};
  return names;
}

std::string ReplyLocale(const ConversationState& state, const ShopView& shop) {
  if (!state.locale.empty() && shop.templates->HasLocale(state.locale)) return state.locale;
  if (shop.templates->HasLocale(shop.locale)) return shop.locale;
  return common::kDefaultLocale;
}

nlohmann::json StateToJson(const ConversationState& state) {
  static const char* const kStages[] = {"idle", "menu", "cart", "issues"};
  json cart = json::array();
  for (const auto& line : state.cart) cart.push_back({{"sku", line.sku}, {"qty", line.qty}});
  json out = {{"stage", kStages[static_cast<int>(state.stage)]}, {"cart", cart}};
  if (!state.locale.empty()) out["locale"] = state.locale;
  if (!state.issues.empty()) out["issues"] = state.issues;
  if (state.order_id != 0) out["order_id"] = state.order_id;
  return out;
}

ConversationState StateFromJson(const nlohmann::json& json) {
  ConversationState state;
  const std::string stage = whatsapp::StringField(json, "stage");
  state.stage = stage == "menu"     ? Stage::kMenu
                : stage == "cart"   ? Stage::kCart
                : stage == "issues" ? Stage::kIssues
                                    : Stage::kIdle;
  state.locale = whatsapp::StringField(json, "locale");
  if (json.is_object() && json.contains("cart") && json["cart"].is_array()) {
    for (const auto& line : json["cart"]) {
      const std::string sku = whatsapp::StringField(line, "sku");
      const int64_t qty = whatsapp::IntField(line, "qty", 0);
      if (!sku.empty() && qty > 0) state.cart.push_back({sku, std::min(kMaxLineQuantity, qty)});
    }
  }
  if (json.is_object() && json.contains("issues") && json["issues"].is_array()) {
    for (const auto& sku : json["issues"]) {
      if (sku.is_string()) state.issues.push_back(sku.get<std::string>());
    }
  }
  if (state.stage == Stage::kIssues && state.issues.empty()) state.stage = Stage::kCart;
  state.order_id = std::max<int64_t>(0, whatsapp::IntField(json, "order_id", 0));
  return state;
}

std::string RenderBill(const std::vector<CartLine>& cart, const ShopView& shop,
                       const std::string& locale) {
  const orders::Bill bill = orders::MakeBill(cart, *shop.catalog, shop.delivery);
  json lines = json::array();
  for (const auto& line : bill.lines) {
    const int64_t stock = line.product->stock;
    lines.push_back({{"qty", line.qty},
                     {"name", line.product->name},
                     {"unit_price", line.product->price.ToRupeeText()},
                     {"amount", line.amount.ToRupeeText()},
                     {"out_of_stock", stock <= 0},
                     {"only_left", stock > 0 && stock < line.qty ? json(stock) : json(false)}});
  }
  json data = {{"shop", shop.name},
               {"lines", lines},
               {"subtotal", bill.subtotal.ToRupeeText()},
               {"free_delivery", bill.delivery.minor == 0},
               {"delivery", bill.delivery.ToRupeeText()},
               {"free_from", shop.delivery.free_from ? json(shop.delivery.free_from->ToRupeeText())
                                                     : json(false)},
               {"total", bill.total.ToRupeeText()}};
  return shop.templates->Render(locale, "bill", data, shop.overrides);
}

Transition Step(const ConversationState& state, const whatsapp::ClassifiedEvent& event,
                const ShopView& shop) {
  return std::visit(Overloaded{
                        [&](const whatsapp::InboundMessage& message) {
                          return customer::Turn(state, message.from, shop).Run(message);
                        },
                        // Statuses and errors are not the customer speaking.
                        [&](const auto&) {
                          return Transition{state, {}};
                        },
                    },
                    event);
}

Transition Resume(const ConversationState& state, const Outcome& outcome,
                  const whatsapp::Sender& customer, const ShopView& shop) {
  if (const auto* shortage = std::get_if<StockShort>(&outcome)) {
    // The database knows better than the catalog the view was built from: check again with
    // its figures, which offers the choices for what is short.
    orders::Catalog fresh = *shop.catalog;
    for (auto& product : fresh.products) {
      if (auto it = shortage->available.find(product.sku); it != shortage->available.end()) {
        product.stock = it->second;
      }
    }
    ShopView view = shop;
    view.catalog = &fresh;
    return customer::Turn(state, customer, view).AfterShortage();
  }
  return customer::Turn(state, customer, shop).AfterOutcome(outcome);
}

std::vector<nlohmann::json> CustomerNotices(const orders::OrderView& order,
                                            orders::OrderAction action, const ShopView& shop) {
  using orders::OrderAction;
  ConversationState state;
  state.locale = order.customer_locale;
  const Wording words(*shop.templates, shop.overrides, ReplyLocale(state, shop), shop.name);
  const json data = {{"number", order.number},
                     {"total", order.total.ToRupeeText()},
                     {"reason", order.reason.empty() ? json(false) : json(order.reason)},
                     {"minutes", shop.reservation_minutes}};
  const std::string& to = order.customer;
  // The approved template to send instead if the customer has not written for 24 hours.
  auto with_fallback = [&](const char* kind, const std::string& template_name,
                           const std::string& detail) {
    nlohmann::json notice = TextTo(to, words.Say(template_name, data));
    notice[whatsapp::kNoticeKey] = {{"order", order.number}, {"kind", kind}};
    if (auto t = shop.notice_templates.find(kind); t != shop.notice_templates.end()) {
      notice[whatsapp::kFallbackKey] = whatsapp::BuildTemplateMessage(
          to, t->second.name, t->second.language, {"#" + std::to_string(order.number), detail});
    }
    return notice;
  };
  switch (action) {
    case OrderAction::kApprove:
      return {with_fallback("confirmed", "notice_confirmed", order.total.ToRupeeText())};
    case OrderAction::kPack:
      return {with_fallback("packed", "notice_packed", shop.name)};
    case OrderAction::kDispatch:
      return {with_fallback("out", "notice_out", shop.name)};
    case OrderAction::kDeliver:
      return {with_fallback("delivered", "notice_delivered", shop.name)};
    case OrderAction::kExpire:
      return {with_fallback("expired", "notice_expired", std::to_string(shop.reservation_minutes))};
    case OrderAction::kCancel:
      return {with_fallback("cancelled", "notice_cancelled", order.reason)};
    case OrderAction::kReject: {
      // Told why, and how to pay again: the payment request follows.
      const whatsapp::Sender customer{to, ""};
      Transition t = customer::Turn(state, customer, shop).AskToPayAgain(order);
      std::vector<nlohmann::json> out = {
          with_fallback("rejected", "notice_rejected", order.reason)};
      for (const auto& effect : t.effects) {
        if (const auto* reply = std::get_if<SendReply>(&effect)) out.push_back(reply->payload);
      }
      return out;
    }
    default:
      return {TextTo(to, words.Say("order_status", {{"number", order.number},
                                                    {"status", words.StatusWords(order.status)}}))};
  }
}

}  // namespace chatshop::bot
