#pragma once

#include <cstdint>
#include <string>

namespace chatshop::orders {

// An amount of money in minor units (paise for INR). Never a floating-point number.
struct Money {
  int64_t minor = 0;

  // Rupees with Indian digit grouping (lakh, crore): 12345600 paise → "₹1,23,456.00".
  std::string ToRupeeText() const;

  bool operator==(const Money&) const = default;
};

}  // namespace chatshop::orders
