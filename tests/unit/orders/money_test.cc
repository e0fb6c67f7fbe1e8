#include "orders/money.h"

#include <gtest/gtest.h>

namespace chatshop::orders {
namespace {

TEST(MoneyTest, RupeeTextFromPaise) {
  EXPECT_EQ(Money{43050}.ToRupeeText(), "₹430.50");
  EXPECT_EQ(Money{5}.ToRupeeText(), "₹0.05");
  EXPECT_EQ(Money{-1200}.ToRupeeText(), "-₹12.00");
}

}  // namespace
}  // namespace chatshop::orders
