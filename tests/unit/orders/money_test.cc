#include "orders/money.h"

#include <gtest/gtest.h>

namespace chatshop::orders {
namespace {

TEST(MoneyTest, RupeeTextWithIndianDigitGrouping) {
  EXPECT_EQ(Money{43050}.ToRupeeText(), "₹430.50");
  EXPECT_EQ(Money{5}.ToRupeeText(), "₹0.05");
  EXPECT_EQ(Money{-1200}.ToRupeeText(), "-₹12.00");
  EXPECT_EQ(Money{123400}.ToRupeeText(), "₹1,234.00");
  EXPECT_EQ(Money{12345600}.ToRupeeText(), "₹1,23,456.00");
  EXPECT_EQ(Money{123456789}.ToRupeeText(), "₹12,34,567.89");
  EXPECT_EQ(Money{1234567890000}.ToRupeeText(), "₹12,34,56,78,900.00");
  EXPECT_EQ(Money{INT64_MIN}.ToRupeeText(), "-₹92,23,37,20,36,85,47,758.08");
}

}  // namespace
}  // namespace chatshop::orders
