#include "bot/cart_edits.h"

#include <map>
#include <set>

#include "bot/lexicon/lexicon.h"
#include "bot/text.h"

namespace chatshop::bot {
namespace {

using Words = std::vector<std::string>;
using Op = CartEdit::Op;

struct VerbPhrase {
  Words words;
  Op op;
};

// Verbs before the product, folded (lower case, Devanagari kept). Longest match wins.
const std::vector<VerbPhrase>& LeadingVerbs() {
  static const std::vector<VerbPhrase> verbs = {
      {{"remove"}, Op::kRemove}, {{"delete"}, Op::kRemove},  {{"drop"}, Op::kRemove},
      {{"no"}, Op::kRemove},     {{"without"}, Op::kRemove}, {{"cancel"}, Op::kRemove},
      {{"hatao"}, Op::kRemove},  {{"nikalo"}, Op::kRemove},  {{"हटाओ"}, Op::kRemove},
      {{"make"}, Op::kSet},      {{"change"}, Op::kSet},     {{"set"}, Op::kSet},
      {{"update"}, Op::kSet},    {{"only"}, Op::kSet},       {{"sirf"}, Op::kSet},
      {{"add"}, Op::kAdd},       {{"plus"}, Op::kAdd},       {{"also"}, Op::kAdd},
      {{"extra"}, Op::kAdd}};
  return verbs;
}

// Verbs after the product, the way Hindi puts them ("lays hata do", "maggi 3 kar do").
const std::vector<VerbPhrase>& TrailingVerbs() {
  static const std::vector<VerbPhrase> verbs = {{{"remove"}, Op::kRemove},
                                                {{"remove", "karo"}, Op::kRemove},
                                                {{"remove", "kar", "do"}, Op::kRemove},
                                                {{"hatao"}, Op::kRemove},
                                                {{"hata", "do"}, Op::kRemove},
                                                {{"hata", "dena"}, Op::kRemove},
                                                {{"hata", "dijiye"}, Op::kRemove},
                                                {{"nikalo"}, Op::kRemove},
                                                {{"nikal", "do"}, Op::kRemove},
                                                {{"nahi", "chahiye"}, Op::kRemove},
                                                {{"nahin", "chahiye"}, Op::kRemove},
                                                {{"nai", "chahiye"}, Op::kRemove},
                                                {{"mat", "bhejo"}, Op::kRemove},
                                                {{"mat", "bhejna"}, Op::kRemove},
                                                {{"not", "needed"}, Op::kRemove},
                                                {{"cancel"}, Op::kRemove},
                                                {{"हटाओ"}, Op::kRemove},
                                                {{"हटा", "दो"}, Op::kRemove},
                                                {{"नहीं", "चाहिए"}, Op::kRemove},
                                                {{"kar", "do"}, Op::kSet},
                                                {{"karo"}, Op::kSet},
                                                {{"kardo"}, Op::kSet},
                                                {{"kar", "dena"}, Op::kSet},
                                                {{"kar", "dijiye"}, Op::kSet},
                                                {{"कर", "दो"}, Op::kSet},
                                                {{"करो"}, Op::kSet},
                                                {{"only"}, Op::kSet},
                                                {{"instead"}, Op::kSet},
                                                {{"more"}, Op::kAdd},
                                                {{"bhi"}, Op::kAdd},
                                                {{"bhi", "do"}, Op::kAdd},
                                                {{"bhi", "dena"}, Op::kAdd},
                                                {{"bhi", "bhejo"}, Op::kAdd},
                                                {{"add"}, Op::kAdd},
                                                {{"add", "karo"}, Op::kAdd},
                                                {{"add", "kar", "do"}, Op::kAdd},
                                                {{"extra"}, Op::kAdd},
                                                {{"भी"}, Op::kAdd}};
  return verbs;
}

// The quantity a clause names: digits (three at most: a longer number is a price or a phone
// number, not a count of packs) or a whole number word of the lexicon, the same words the order
// parser reads. A fraction ("dedh") is an amount of a measure, left to the parser.
std::optional<int64_t> QuantityOf(const Words& words) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!w.empty() && w.size() <= 3 && w.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoll(w);
    }
    const std::string* next = i + 1 < words.size() ? &words[i + 1] : nullptr;
    if (lexicon::NumberWordValue(w, next) && lexicon::WholeNumberWords().count(w)) {
      return lexicon::WholeNumberWords().at(w);
    }
  }
  return std::nullopt;
}

// The longest phrase of `verbs` at the start (or end) of `words`, or null.
const VerbPhrase* MatchVerb(const Words& words, const std::vector<VerbPhrase>& verbs, bool at_end) {
  const VerbPhrase* best = nullptr;
  for (const auto& verb : verbs) {
    const size_t n = verb.words.size();
    if (n >= words.size()) continue;  // a verb alone names no product
    const size_t offset = at_end ? words.size() - n : 0;
    if (!std::equal(verb.words.begin(), verb.words.end(), words.begin() + offset)) continue;
    if (best == nullptr || n > best->words.size()) best = &verb;
  }
  return best;
}

std::string Join(const Words& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// Clauses of the folded text, as words.
std::vector<Words> Clauses(const std::string& folded) {
  std::vector<Words> clauses(1);
  std::string word;
  auto end_word = [&] {
    if (word.empty()) return;
    if (lexicon::Joiners().count(word)) {
      clauses.emplace_back();
    } else {
      clauses.back().push_back(word);
    }
    word.clear();
  };
  for (char c : folded) {
    if (c == ',' || c == ';' || c == '\n') {
      end_word();
      clauses.emplace_back();
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '.' || c == '!' || c == '?' || c == '-' ||
               c == '*' || c == '(' || c == ')') {
      end_word();
    } else {
      word += c;
    }
  }
  end_word();
  std::erase_if(clauses, [](const Words& w) { return w.empty(); });
  return clauses;
}

}  // namespace

std::vector<CartEdit> ParseCartEdits(std::string_view text, bool quoting_cart) {
  std::vector<CartEdit> edits;
  bool any_verb = false;
  std::optional<Op> previous;
  for (Words words : Clauses(FoldText(text))) {
    const VerbPhrase* lead = MatchVerb(words, LeadingVerbs(), false);
    const VerbPhrase* trail = MatchVerb(words, TrailingVerbs(), true);
    std::optional<Op> op;
    if (lead != nullptr) {
      op = lead->op;
      words.erase(words.begin(), words.begin() + lead->words.size());
    } else if (trail != nullptr) {
      op = trail->op;
      words.resize(words.size() - trail->words.size());
    }
    any_verb |= op.has_value();
    const std::optional<int64_t> qty = QuantityOf(words);
    if (!op) {
      // "remove lays, kurkure" removes both; "make maggi 3, bread 2" sets both; otherwise the
      // clause is a list item.
      if (previous == Op::kRemove && !qty) {
        op = Op::kRemove;
      } else if (previous == Op::kSet && qty) {
        op = Op::kSet;
      } else {
        op = quoting_cart && qty ? Op::kSet : Op::kAdd;
      }
    }
    previous = op;
    if (*op != Op::kAdd) {
      std::erase_if(words, [&](const std::string& w) {
        return lexicon::EditFillers().count(w) > 0 || (qty == 0 && QuantityOf({w}) == 0);
      });
      if (qty == 0) op = Op::kRemove;
    }
    if (words.empty()) continue;
    edits.push_back({*op, Join(words), qty});
  }
  if (!any_verb && !quoting_cart) return {};
  return edits;
}

}  // namespace chatshop::bot
