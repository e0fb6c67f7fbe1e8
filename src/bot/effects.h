#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "orders/bill.h"
#include "orders/order.h"

namespace chatshop::bot {

// What the engines (customer and owner) ask the worker to do. Replies are data; anything that
// touches shared state (stock, orders) is an effect whose outcome comes back to the engine as
// an Outcome, in the same database transaction (STYLE.md "The conversation engine").

// A message to send: a complete Graph API /messages body, to payload["to"].
struct SendReply {
  nlohmann::json payload;
};

// Checkout: reserve every line's stock and create the order, or reserve nothing.
struct PlaceOrder {
  std::vector<orders::LineItem> lines;
};

// Move an order along. Owners name it by number (and a button's nonce); customers by id.
struct ChangeOrder {
  int64_t order_id = 0;
  int64_t order_number = 0;
  std::string nonce;  // when non-empty (or by_button) it must match the order's
  orders::OrderAction action = orders::OrderAction::kCancel;
  orders::Actor actor = orders::Actor::kCustomer;
  std::string reason;
  // From an owner's button: the nonce it carried must be the order's present one, an empty
  // one included (the nonce changes with every status change, so an older notice's buttons
  // are refused rather than replayed).
  bool by_button = false;
};

// A payment screenshot (or PDF) for an order: recorded for the media worker to fetch.
struct RecordProof {
  int64_t order_id = 0;
  std::string media_id;
  std::string mime_type;
  int max_per_order = 0;  // refused when the order already has this many proofs (0: no cap)
};

// An owner sets a product's stock.
struct SetStock {
  std::string sku;
  int64_t stock = 0;
};

using Effect = std::variant<SendReply, PlaceOrder, ChangeOrder, RecordProof, SetStock>;

// What became of an effect.
struct OrderPlaced {
  orders::OrderView order;
};
struct StockShort {
  std::map<std::string, int64_t> available;  // SKU → what is left, for every short line
};
struct OrderChanged {
  orders::OrderView order;  // as it is now
  orders::OrderStatus from = orders::OrderStatus::kAwaitingPayment;
  ChangeOrder request;
};
struct OrderUnchanged {
  std::optional<orders::OrderView> order;  // none: no such order of the shop
  ChangeOrder request;
  // The request came from a button of an older notice (its nonce is not the order's present
  // one); `order` is the order as it is now.
  bool stale_button = false;
};
struct StockWasSet {
  SetStock request;
  bool found = false;
};

// Checkout refused: with this order the customer would hold more reserved than a customer may
// across their open orders ([limits] held_units_max, held_value_max_rupees). Nothing reserved.
struct HoldLimitReached {
  int64_t units_held = 0;  // in the customer's open orders before this one
  orders::Money value_held;
  int64_t units_max = 0;
  orders::Money value_max;
};
// A payment proof refused: the order already has the most a customer may send for one order.
struct ProofLimitReached {
  int64_t order_id = 0;
  int max_per_order = 0;
};

using Outcome = std::variant<OrderPlaced, StockShort, OrderChanged, OrderUnchanged, StockWasSet,
                             HoldLimitReached, ProofLimitReached>;

}  // namespace chatshop::bot
