#include "bot/order_parser.h"

#include <cmath>
#include <map>

#include "bot/parser_internal.h"

namespace chatshop::bot {

OrderParser::OrderParser(const orders::Catalog& catalog) : index_(parsing::BuildIndex(catalog)) {}

const orders::Catalog& OrderParser::catalog() const { return index_->catalog; }

// Each fragment of the message (parser_words.cc) is read for its amounts and product words
// (parser_amounts.cc), matched against the catalog (parser_matching.cc), and becomes an item,
// an ambiguity, an unmatched text or (asking something) a question.
ParsedOrder OrderParser::Parse(std::string_view text) const {
  ParsedOrder order;
  const auto& entries = index_->entries;
  parsing::Matcher matcher(*index_);

  std::map<std::string, size_t> item_index;
  auto add_item = [&](const std::string& sku, int64_t qty) {
    auto [it, inserted] = item_index.try_emplace(sku, order.items.size());
    if (inserted) {
      order.items.push_back({sku, qty});
    } else {
      order.items[it->second].qty += qty;
    }
  };

  for (const auto& tokens : parsing::Fragments(text)) {
    const parsing::Fragment f = parsing::ReadFragment(tokens);
    if (f.question) {
      order.question = true;
      continue;
    }
    if (f.phrase.empty()) continue;
    std::string phrase_text;
    for (const auto& w : f.phrase) phrase_text += (phrase_text.empty() ? "" : " ") + w;

    const std::vector<parsing::Candidate> candidates = matcher.Candidates(f.phrase);
    if (candidates.empty()) {
      order.unmatched.push_back(phrase_text);
      continue;
    }
    const std::vector<parsing::Candidate> best =
        parsing::BestCandidates(candidates, f.amounts, *index_);
    if (best.size() > 1) {
      AmbiguousFragment ambiguous{phrase_text, {}};
      for (const auto& c : best) ambiguous.candidates.push_back(entries[c.entry].product->sku);
      order.ambiguous.push_back(std::move(ambiguous));
      continue;
    }
    const auto& chosen = entries[best.front().entry];
    const double qty = parsing::UnitsSold(f.amounts, chosen.sizes);
    // A number that large is a typo or a phone number, and is named back instead of billed.
    if (qty > kMaxLineQuantity) {
      order.unmatched.push_back(phrase_text + " (quantity too large)");
      continue;
    }
    const int64_t units = static_cast<int64_t>(std::ceil(qty - 1e-9));
    if (units > 0) add_item(chosen.product->sku, units);
  }
  return order;
}

}  // namespace chatshop::bot
