#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orders/catalog.h"

namespace chatshop::bot {

namespace parsing {
struct Index;  // products with their words and sizes, prepared once (parser_internal.h)
}

// The most of one product a cart line holds. No shop sells a thousand of anything in one chat
// line: the parser names a larger quantity back instead of billing it ("quantity too large"),
// and the cart caps whatever a button or Meta's catalog cart asks for at it.
inline constexpr int64_t kMaxLineQuantity = 999;

struct OrderItem {
  std::string sku;
  int64_t qty = 0;  // units of the product as sold (packs, bottles, kg…)
};

struct AmbiguousFragment {
  std::string text;                     // what the customer wrote, folded
  std::vector<std::string> candidates;  // SKUs that fit equally well
};

// What one message asked for.
struct ParsedOrder {
  std::vector<OrderItem> items;              // one per SKU, quantities merged, first-seen order
  std::vector<std::string> unmatched;        // fragments naming no product of the catalog
  std::vector<AmbiguousFragment> ambiguous;  // fragments that fit several products
  bool question = false;                     // the message asked something ("price of ghee?")
};

// Turns a free-text shopping message into catalog items (issue 4): lists split by lines,
// commas, "and"/"aur"/"&", bullets and numbering; quantities as digits, "x5"/"5x", English and
// Hindi number words, Devanagari digits; units and pack sizes ("1 kg" of a 500 g pack is 2
// packs, "12 eggs" is the 12-pack); aliases, Hinglish and Devanagari grocery words; small typos.
// Greetings, chatter and questions yield no items. Pure: built once per catalog, then Parse()
// may be called from any number of threads. The parser keeps its own copy of the catalog.
class OrderParser {
 public:
  explicit OrderParser(const orders::Catalog& catalog);

  ParsedOrder Parse(std::string_view text) const;

  // The catalog the parser was built from (its own copy).
  const orders::Catalog& catalog() const;

 private:
  std::shared_ptr<const parsing::Index> index_;
};

}  // namespace chatshop::bot
