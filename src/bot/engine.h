#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/order_parser.h"
#include "orders/catalog.h"
#include "orders/money.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::bot {

struct CartLine {
  std::string sku;
  int64_t qty = 0;

  bool operator==(const CartLine&) const = default;
};

// Where one customer's conversation with one shop stands (DESIGN.md "Conversation"). This
// first engine covers IDLE, MENU and CART up to checkout's stock check.
struct ConversationState {
  enum class Stage { kIdle, kMenu, kCart };
  Stage stage = Stage::kIdle;
  std::vector<CartLine> cart;
};

// What the engine may know of the shop; prepared by the worker, read-only here.
struct ShopView {
  std::string name;
  const orders::Catalog* catalog = nullptr;  // never null when Step is called
  const OrderParser* parser = nullptr;       // built from the same catalog
  orders::Money delivery_fee{3000};          // charged when the subtotal is below…
  orders::Money free_delivery_from{50000};   // …this amount
};

// A reply for the customer: a complete Graph API /messages body.
struct SendReply {
  nlohmann::json payload;
};
using Effect = std::variant<SendReply>;

struct Transition {
  ConversationState next;
  std::vector<Effect> effects;
};

// The conversation as a pure function of (state, event, shop): no I/O, clock, logging or
// exceptions, so a unit test drives it without any server. Every customer message gets at least
// one reply; statuses and errors leave the state as it is and reply nothing.
Transition Step(const ConversationState& state, const whatsapp::InboundEvent& event,
                const ShopView& shop);

// The state as stored between messages, and back; a state that cannot be read (written by an
// older version, say) comes back as a fresh conversation rather than an error.
nlohmann::json StateToJson(const ConversationState& state);
ConversationState StateFromJson(const nlohmann::json& json);

// The bill of a cart as WhatsApp text: one line per product (quantity × unit price = amount),
// subtotal, delivery and total, in rupees with Indian digit grouping; lines for products the
// shop cannot supply in full say so.
std::string RenderBill(const std::vector<CartLine>& cart, const ShopView& shop);

}  // namespace chatshop::bot
