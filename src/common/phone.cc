#include "common/phone.h"

namespace chatshop::common {

std::optional<std::string> E164Digits(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (digits.size() < 8 || digits.size() > 15 || digits.front() == '0') return std::nullopt;
  return digits;
}

}  // namespace chatshop::common
