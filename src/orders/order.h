#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orders/money.h"

namespace chatshop::orders {

// DESIGN.md "Conversation": an order from checkout to delivery.
enum class OrderStatus {
  kAwaitingPayment,  // stock reserved until expires_at
  kPaymentReview,    // a payment proof waits for the owner
  kConfirmed,        // paid (or cash on delivery): stock is the customer's
  kPacked,
  kOutForDelivery,
  kDelivered,  // final
  kCancelled,  // final; reserved stock went back
};

// What can happen to an order, and who may make it happen.
enum class OrderAction {
  kSubmitProof,  // customer: a payment screenshot
  kChooseCod,    // customer: cash on delivery (where the shop allows it)
  kApprove,      // owner: the payment is good
  kReject,       // owner: it is not (reason): pay again
  kPack,         // owner
  kDispatch,     // owner: out for delivery
  kDeliver,      // owner
  kCancel,       // customer before approval; owner until dispatch
  kExpire,       // system: the reservation lapsed unpaid
  kRefuseProof,  // system: the proof is not a picture or a PDF: the customer pays (sends) again
};

enum class Actor { kCustomer, kOwner, kSystem };

// The status `action` by `actor` leads to from `from`, or nullopt when it is not allowed.
// Pure; the whole lifecycle is this table.
std::optional<OrderStatus> NextStatus(OrderStatus from, OrderAction action, Actor actor);

// True for delivered and cancelled: nothing happens to the order any more.
bool IsFinal(OrderStatus status);
// True when the order's stock goes back to the shelf on entering `status`.
bool ReleasesStock(OrderStatus status);

// Stable names as stored ("awaiting_payment", …) and back; nullopt for an unknown name.
std::string_view StatusName(OrderStatus status);
std::optional<OrderStatus> StatusFromName(std::string_view name);
std::string_view ActionName(OrderAction action);

// One line of an order, frozen at checkout.
struct OrderLine {
  std::string sku;
  std::string name;
  int64_t qty = 0;
  Money unit_price;

  bool operator==(const OrderLine&) const = default;
};

// An order as the conversation and the owner see it.
struct OrderView {
  int64_t id = 0;
  int64_t shop_id = 0;
  int64_t number = 0;  // per shop, from 1001
  std::string customer;
  std::string customer_locale;  // the customer's chosen language, or empty
  OrderStatus status = OrderStatus::kAwaitingPayment;
  std::vector<OrderLine> lines;
  Money subtotal;
  Money delivery;
  Money total;
  std::string payment_method;  // "upi", "cod" or empty
  std::string nonce;           // part of owner button ids
  int64_t expires_at = 0;      // seconds since the epoch, UTC; 0: none
  std::string reason;          // last rejection or cancellation reason

  bool operator==(const OrderView&) const = default;
};

// What a shop accepts as payment.
struct PaymentOptions {
  std::string upi_vpa;  // empty: no UPI
  bool cod_allowed = false;
  std::string payee_name;  // what UPI apps show the payer; empty: the shop's name

  bool operator==(const PaymentOptions&) const = default;
};

// The UPI deep link that opens any UPI app with the payment filled in (NPCI's linking spec):
// upi://pay?pa=<vpa>&pn=<payee name>&am=<rupees>&cu=INR&tn=Order%20%23<number>.
std::string UpiPaymentLink(const std::string& vpa, const std::string& payee_name, Money amount,
                           int64_t order_number);

}  // namespace chatshop::orders
