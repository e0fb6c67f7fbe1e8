#pragma once

#include <cstdint>
#include <string>

namespace chatshop::orders {

// An amount of money in minor units (paise for INR). Never a floating-point number.
struct Money {
  int64_t minor = 0;

  // "₹1,234.50"-style text for INR without the grouping: "₹1234.50".
  std::string ToRupeeText() const;
};

}  // namespace chatshop::orders
