#include "orders/order.h"

#include <cctype>
#include <cstdio>
#include <iterator>

namespace chatshop::orders {

std::optional<OrderStatus> NextStatus(OrderStatus from, OrderAction action, Actor actor) {
  using S = OrderStatus;
  using A = OrderAction;
  const bool customer = actor == Actor::kCustomer, owner = actor == Actor::kOwner;
  switch (action) {
    case A::kSubmitProof:  // a second screenshot replaces the first while the owner looks
      if (customer && (from == S::kAwaitingPayment || from == S::kPaymentReview)) {
        return S::kPaymentReview;
      }
      break;
    case A::kChooseCod:
      if (customer && from == S::kAwaitingPayment) return S::kConfirmed;
      break;
    case A::kApprove:  // also without a screenshot: the customer may have paid in the shop
      if (owner && (from == S::kPaymentReview || from == S::kAwaitingPayment)) {
        return S::kConfirmed;
      }
      break;
    case A::kReject:
      if (owner && from == S::kPaymentReview) return S::kAwaitingPayment;
      break;
    case A::kPack:
      if (owner && from == S::kConfirmed) return S::kPacked;
      break;
    case A::kDispatch:
      if (owner && from == S::kPacked) return S::kOutForDelivery;
      break;
    case A::kDeliver:
      if (owner && from == S::kOutForDelivery) return S::kDelivered;
      break;
    case A::kCancel:
      if (customer && (from == S::kAwaitingPayment || from == S::kPaymentReview)) {
        return S::kCancelled;
      }
      if (owner && (from == S::kAwaitingPayment || from == S::kPaymentReview ||
                    from == S::kConfirmed || from == S::kPacked)) {
        return S::kCancelled;
      }
      break;
    case A::kExpire:
      if (actor == Actor::kSystem && from == S::kAwaitingPayment) return S::kCancelled;
      break;
    case A::kRefuseProof:
      if (actor == Actor::kSystem && from == S::kPaymentReview) return S::kAwaitingPayment;
      break;
  }
  return std::nullopt;
}

bool IsFinal(OrderStatus status) {
  return status == OrderStatus::kDelivered || status == OrderStatus::kCancelled;
}

bool ReleasesStock(OrderStatus status) { return status == OrderStatus::kCancelled; }

namespace {
constexpr std::string_view kStatusNames[] = {"awaiting_payment", "payment_review",   "confirmed",
                                             "packed",           "out_for_delivery", "delivered",
                                             "cancelled"};
constexpr std::string_view kActionNames[] = {"submit_proof", "choose_cod",  "approve", "reject",
                                             "pack",         "dispatch",    "deliver", "cancel",
                                             "expire",       "refuse_proof"};
}  // namespace

std::string_view StatusName(OrderStatus status) { return kStatusNames[static_cast<int>(status)]; }

std::optional<OrderStatus> StatusFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == name) return static_cast<OrderStatus>(i);
  }
  return std::nullopt;
}

std::string_view ActionName(OrderAction action) { return kActionNames[static_cast<int>(action)]; }

namespace {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncoded(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

std::string UpiPaymentLink(const std::string& vpa, const std::string& payee_name, Money amount,
                           int64_t order_number) {
  char rupees[32];
  std::snprintf(rupees, sizeof(rupees), "%lld.%02lld", static_cast<long long>(amount.minor / 100),
                static_cast<long long>(amount.minor % 100));
  // The VPA keeps its '@'; UPI apps expect it literally.
  const auto at = vpa.find('@');
  const std::string pa = at == std::string::npos ? PercentEncoded(vpa)
                                                 : PercentEncoded(vpa.substr(0, at)) + "@" +
                                                       PercentEncoded(vpa.substr(at + 1));
  return "upi://pay?pa=" + pa + "&pn=" + PercentEncoded(payee_name) + "&am=" + rupees +
         "&cu=INR&tn=" + PercentEncoded("Order #" + std::to_string(order_number));
}

}  // namespace chatshop::orders
