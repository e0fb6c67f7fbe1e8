#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/effects.h"
#include "common/result.h"
#include "orders/bill.h"
#include "orders/money.h"
#include "orders/order.h"

namespace chatshop::service {

// What checkout asks for: the lines of the bill the customer saw. Their prices and totals are
// what that bill said, which may come from a cached catalog: the ledger prices every line again
// from its own store and computes the totals with `delivery_rule`; the order is created at
// those prices.
struct OrderRequest {
  int64_t shop_id = 0;
  std::string customer;
  std::vector<orders::OrderLine> lines;
  orders::Money subtotal;
  orders::Money delivery;
  orders::Money total;
  orders::DeliveryRule delivery_rule;  // the shop's, for the totals at the store's prices
  int hold_minutes = 30;  // the reservation lapses this long after the database's now()
  // What the customer may hold reserved across their open orders at this shop, this order
  // included (0: no cap).
  int64_t held_units_max = 0;
  orders::Money held_value_max;
};

// Orders and stock, inside the transaction of one inbound message (InboundStore::Handle).
// Every change is applied at once and committed with the message, or not at all.
class OrderLedger {
 public:
  virtual ~OrderLedger() = default;

  // Reserves every line's stock and creates the order (AWAITING_PAYMENT, the shop's next
  // number, a fresh nonce) with every line at the store's price and name as read with the
  // stock (never the request's), or reserves nothing and names every short SKU with what is
  // left, or — HoldLimitReached — reserves nothing because the customer's open orders of the
  // shop with this one would hold more units or value than the request's caps.
  [[nodiscard]] virtual Result<bot::Outcome> PlaceOrder(const OrderRequest& request) = 0;
  // The order with this id of this shop; nullopt when there is none.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> FindOrder(int64_t shop_id,
                                                                           int64_t order_id) = 0;
  // Open orders (neither delivered nor cancelled), newest first.
  [[nodiscard]] virtual Result<std::vector<orders::OrderView>> OpenOrders(int64_t shop_id,
                                                                          int limit) = 0;
  // Applies `change` (by id, or by number when id is 0) when orders::NextStatus allows it from
  // the order's present status and the nonce (if given) matches: releases the reservation on
  // cancellation, renews it on rejection, writes an order_events row. OrderChanged, or
  // OrderUnchanged when refused or not found. `actor_id` is the wa_id behind the change.
  [[nodiscard]] virtual Result<bot::Outcome> Apply(int64_t shop_id, const bot::ChangeOrder& change,
                                                   const std::string& actor_id,
                                                   int hold_minutes) = 0;
  // Records a payment proof for the media worker to fetch (the order's status is changed
  // separately, by Apply with kSubmitProof). False, recording nothing, when the order already
  // has `proof.max_per_order` proofs.
  [[nodiscard]] virtual Result<bool> RecordPaymentProof(int64_t order_id,
                                                        const bot::RecordProof& proof,
                                                        const std::string& caused_by) = 0;
  // StockWasSet (found false when the shop has no such SKU).
  [[nodiscard]] virtual Result<bot::Outcome> UpdateStock(int64_t shop_id,
                                                         const bot::SetStock& change) = 0;
};

}  // namespace chatshop::service
