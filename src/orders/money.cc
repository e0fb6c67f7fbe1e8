#include "orders/money.h"

#include <cstdint>

namespace chatshop::orders {

std::string Money::ToRupeeText() const {
  // Magnitude as unsigned so that the most negative amount does not overflow.
  const uint64_t abs = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string paise = std::to_string(abs % 100);
  if (paise.size() < 2) paise = "0" + paise;
  // The last three digits form a group, every two before them another: 12,34,56,789.
  const std::string digits = std::to_string(abs / 100);
  std::string grouped;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    grouped += digits[i];
    const size_t left = n - 1 - i;  // digits still to come
    if (left > 0 && (left == 3 || (left > 3 && (left - 3) % 2 == 0))) grouped += ',';
  }
  return std::string(minor < 0 ? "-" : "") + "₹" + grouped + "." + paise;
}

}  // namespace chatshop::orders
