#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "bot/effects.h"
#include "bot/order_parser.h"
#include "common/templates.h"
#include "orders/bill.h"
#include "orders/catalog.h"
#include "orders/order.h"
#include "whatsapp/inbound_message.h"

namespace chatshop::bot {

using CartLine = orders::LineItem;

// Where one customer's conversation with one shop stands (DESIGN.md "Conversation"): browsing
// and the cart here; from checkout on, the order's own status (AWAITING_PAYMENT, …) decides.
struct ConversationState {
  enum class Stage { kIdle, kMenu, kCart, kIssues };
  Stage stage = Stage::kIdle;
  std::vector<CartLine> cart;
  // The customer's language ("hindi", "english"); empty: the shop's default.
  std::string locale;
  // In kIssues: the SKUs whose Replace · Reduce · Remove · Cancel choice the customer has been
  // sent and not yet answered, so a later message only reminds of them.
  std::vector<std::string> issues;
  // The customer's latest order (0: none); while it awaits payment or review, messages are
  // about paying for it.
  int64_t order_id = 0;

  bool operator==(const ConversationState&) const = default;
};

// A WhatsApp number allowed to run the shop (owner commands, payment approvals).
struct ShopOwner {
  std::string phone;  // wa_id
  std::string name;
  std::string locale;

  bool operator==(const ShopOwner&) const = default;
};

// An approved WhatsApp template (docs/cloud-api.md §5) a shop uses for one kind of order notice
// outside the 24-hour window.
struct NoticeTemplate {
  std::string name;
  std::string language;  // Meta's language code

  bool operator==(const NoticeTemplate&) const = default;
};

// The kinds of order notice, and the body parameters their templates receive: {{1}} is always
// the order number ("#1042"), {{2}} the detail: the total (confirmed), the reason (rejected,
// cancelled), the minutes held (expired), the shop's name (packed, out, delivered).
inline constexpr const char* kNoticeKinds[] = {"confirmed", "rejected",  "packed", "out",
                                               "delivered", "cancelled", "expired"};

// What one customer may do (config [limits]); the engine applies the per-message caps, the
// ledger the ones that depend on stored orders (checked in the transaction that reserves).
struct CustomerLimits {
  int messages_per_minute = 20;           // InboundProcessor, through the shared limiter
  size_t message_chars_max = 4000;        // a longer text is not given to the parser
  size_t cart_lines_max = 50;             // different products in one cart
  int64_t held_units_max = 200;           // across the customer's open orders (checkout)
  orders::Money held_value_max{5000000};  // ₹50,000, likewise
  int proofs_per_order_max = 5;
  size_t text_messages_per_answer_max = 5;  // parts of one long text; the rest is shortened
};

// What the engine may know of the shop; prepared by the worker, read-only here.
struct ShopView {
  std::string name;
  const orders::Catalog* catalog = nullptr;              // never null when Step is called
  const OrderParser* parser = nullptr;                   // built from the same catalog
  const common::TemplateSet* templates = nullptr;        // never null; has EngineTemplateNames()
  const common::TemplateOverrides* overrides = nullptr;  // the shop's own wording; may be null
  orders::DeliveryRule delivery;
  std::string locale = common::kDefaultLocale;  // the shop's default language
  orders::PaymentOptions payment;
  int reservation_minutes = 30;  // how long checkout holds the stock unpaid
  std::vector<ShopOwner> owners;
  std::map<std::string, NoticeTemplate> notice_templates;  // by kind (kNoticeKinds)
  const orders::OrderView* order = nullptr;  // the customer's order state.order_id, if any
  CustomerLimits limits;
};

struct Transition {
  ConversationState next;
  std::vector<Effect> effects;
};

// The conversation as a pure function of (state, event, shop): no I/O, clock, logging or
// exceptions, so a unit test drives it without any server. The event is classified first
// (whatsapp::Classify); every customer message gets at least one reply; statuses and errors
// leave the state as it is and reply nothing.
Transition Step(const ConversationState& state, const whatsapp::ClassifiedEvent& event,
                const ShopView& shop);

// What the engine makes of the outcome of one of its effects (an order placed or refused for
// short stock, a change applied or refused), told to `customer`, who wrote the message that
// led to it. Pure, like Step.
Transition Resume(const ConversationState& state, const Outcome& outcome,
                  const whatsapp::Sender& customer, const ShopView& shop);

// What the customer is told when the shop or the clock moves their order (`action` led to the
// order's present status): approved, rejected with the reason (and how to pay again), packed,
// out for delivery, delivered, cancelled by the shop, expired. In the customer's language.
std::vector<nlohmann::json> CustomerNotices(const orders::OrderView& order,
                                            orders::OrderAction action, const ShopView& shop);

// The names of the templates Step uses; a template set must have all of them.
const std::vector<std::string>& EngineTemplateNames();

// The language a reply to this state is written in: the customer's choice, else the shop's
// default, else English, whichever the template set has first.
std::string ReplyLocale(const ConversationState& state, const ShopView& shop);

// The state as stored between messages, and back; a state that cannot be read (written by an
// older version, say) comes back as a fresh conversation rather than an error.
nlohmann::json StateToJson(const ConversationState& state);
ConversationState StateFromJson(const nlohmann::json& json);

// The bill of a cart as WhatsApp text in `locale`: one line per product (quantity × unit price
// = amount), subtotal, delivery and total, in rupees with Indian digit grouping; lines the shop
// cannot supply in full say so.
std::string RenderBill(const std::vector<CartLine>& cart, const ShopView& shop,
                       const std::string& locale);

}  // namespace chatshop::bot
