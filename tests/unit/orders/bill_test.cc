#include "orders/bill.h"

#include <gtest/gtest.h>

namespace chatshop::orders {
namespace {

Catalog TwoProducts() {
  return Catalog{{Product{"ATTA", "Atta 5kg", Money{28900}, 10, "pack", "staples", {}},
                  Product{"MAGGI", "Maggi", Money{1400}, 10, "pack", "snacks", {}}}};
}

TEST(BillTest, LinesSubtotalDeliveryAndTotalInPaise) {
  const Catalog catalog = TwoProducts();
  const DeliveryRule rule{Money{3000}, Money{50000}};
  Bill bill = MakeBill({{"MAGGI", 3}, {"GONE", 1}}, catalog, rule);
  ASSERT_EQ(bill.lines.size(), 1u) << "a SKU the catalog no longer has is left out";
  EXPECT_EQ(bill.lines[0].amount, Money{4200});
  EXPECT_EQ(bill.subtotal, Money{4200});
  EXPECT_EQ(bill.delivery, Money{3000});
  EXPECT_EQ(bill.total, Money{7200});

  bill = MakeBill({{"ATTA", 2}}, catalog, rule);  // ₹578 ≥ ₹500
  EXPECT_EQ(bill.delivery, Money{0});
  EXPECT_EQ(bill.total, Money{57800});
}

TEST(BillTest, DeliveryRules) {
  EXPECT_EQ((DeliveryRule{Money{3000}, Money{50000}}.FeeFor(Money{49999})), Money{3000});
  EXPECT_EQ((DeliveryRule{Money{3000}, Money{50000}}.FeeFor(Money{50000})), Money{0});
  EXPECT_EQ((DeliveryRule{Money{3000}, std::nullopt}.FeeFor(Money{10000000})), Money{3000});
  EXPECT_EQ(DeliveryRule{}.FeeFor(Money{100}), Money{0});
  EXPECT_EQ(MakeBill({}, TwoProducts(), {Money{3000}, std::nullopt}).total, Money{0})
      << "an empty cart is not delivered";
}

}  // namespace
}  // namespace chatshop::orders
