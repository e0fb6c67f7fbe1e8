#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatshop::bot {

// One change a customer asked for in words: "make maggi 3", "remove lays", "add 2 bread",
// "lays hatao", "maggi 3 kar do".
struct CartEdit {
  enum class Op { kAdd, kSet, kRemove };
  Op op = Op::kAdd;
  std::string text;            // the product part, for the order parser ("maggi 3", "lays")
  std::optional<int64_t> qty;  // the quantity the clause names, if any

  bool operator==(const CartEdit&) const = default;
};

// Splits a message into edits, one per clause (newlines, commas, "and", "aur"). A clause's verb
// may come first ("remove lays") or last ("lays hatao"); a clause without one continues the
// previous clause's verb when that makes sense ("remove lays, kurkure"; "make maggi 3, bread 2")
// and otherwise adds. "maggi 0" removes. When `quoting_cart` (the customer replied to the bill),
// a clause without a verb sets its quantity ("maggi 3" → 3).
// Returns nothing when no clause has a verb and the message is not a reply to the bill: it is
// then a plain shopping list for the order parser. Pure.
std::vector<CartEdit> ParseCartEdits(std::string_view text, bool quoting_cart);

}  // namespace chatshop::bot
