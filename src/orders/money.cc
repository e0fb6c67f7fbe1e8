#include "orders/money.h"

#include <cstdlib>

namespace chatshop::orders {

std::string Money::ToRupeeText() const {
  const int64_t abs = std::llabs(minor);
  std::string paise = std::to_string(abs % 100);
  if (paise.size() < 2) paise = "0" + paise;
  return std::string(minor < 0 ? "-" : "") + "₹" + std::to_string(abs / 100) + "." + paise;
}

}  // namespace chatshop::orders
