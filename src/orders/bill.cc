#include "orders/bill.h"

namespace chatshop::orders {

Money DeliveryRule::FeeFor(Money subtotal) const {
  if (free_from && subtotal.minor >= free_from->minor) return Money{0};
  return fee;
}

Bill MakeBill(const std::vector<LineItem>& items, const Catalog& catalog,
              const DeliveryRule& delivery) {
  Bill bill;
  for (const auto& item : items) {
    const Product* product = catalog.Find(item.sku);
    if (product == nullptr) continue;
    const Money amount{product->price.minor * item.qty};
    bill.lines.push_back({product, item.qty, amount});
    bill.subtotal.minor += amount.minor;
  }
  // An empty cart is not delivered, so it costs nothing.
  bill.delivery = bill.lines.empty() ? Money{0} : delivery.FeeFor(bill.subtotal);
  bill.total = Money{bill.subtotal.minor + bill.delivery.minor};
  return bill;
}

}  // namespace chatshop::orders
