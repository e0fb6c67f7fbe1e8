#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orders/catalog.h"
#include "orders/money.h"

namespace chatshop::orders {

// A product and how many packs of it, as in a cart or an order.
struct LineItem {
  std::string sku;
  int64_t qty = 0;

  bool operator==(const LineItem&) const = default;
};

// A shop's delivery charge: `fee` on every order, unless the subtotal reaches `free_from`.
struct DeliveryRule {
  Money fee{0};
  std::optional<Money> free_from;  // none: the fee is always charged

  Money FeeFor(Money subtotal) const;
  bool operator==(const DeliveryRule&) const = default;
};

struct BillLine {
  const Product* product = nullptr;  // points into the catalog the bill was made from
  int64_t qty = 0;
  Money amount;  // qty × unit price
};

// What a list of items costs at a catalog's current prices.
struct Bill {
  std::vector<BillLine> lines;  // in the order of the items; unknown SKUs are left out
  Money subtotal;
  Money delivery;
  Money total;
};

Bill MakeBill(const std::vector<LineItem>& items, const Catalog& catalog,
              const DeliveryRule& delivery);

}  // namespace chatshop::orders
