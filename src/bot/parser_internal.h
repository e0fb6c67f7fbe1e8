#pragma once
// Inside the order parser (bot/order_parser.h), along its three steps: tokenising a message
// into fragments (parser_words.cc), reading the quantities and units in a fragment or a product
// name (parser_amounts.cc), and matching a fragment's words against the catalog
// (parser_matching.cc). Not part of the parser's interface.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/lexicon/lexicon.h"
#include "orders/catalog.h"

namespace chatshop::bot::parsing {

using lexicon::Dimension;

// Tokenising (parser_words.cc).

// "eggs" → "egg", "tomatoes" → "tomato"; words of three letters or fewer and "-ss" stay.
std::string Singular(const std::string& w);
// A folded word in the spelling we match on: Devanagari mapped to Hinglish.
std::string Latinize(const std::string& token);
// The message as fragments, one per item asked for: folded, list bullets and numbering
// stripped at line starts, split at separators and joiners ("and", "aur"), each word Latinized.
std::vector<std::vector<std::string>> Fragments(std::string_view text);

// Quantities and units (parser_amounts.cc).

// A size a product comes in.
struct Size {
  Dimension dimension;
  double amount;  // g, ml, pieces, or items in a multi-pack
};
bool SameSize(const Size& a, const Size& b);

// A number in digits, or a number word (lexicon::NumberWordValue: `next` is the word after it).
std::optional<double> ParseNumber(const std::string& token, const std::string* next);

// Words, then the sizes found among them (number + unit), from a product name.
void ReadName(const std::vector<std::string>& tokens, std::vector<std::string>& words,
              std::vector<Size>& sizes);

// A number the customer wrote, and what it counts.
struct Amount {
  enum class Kind { kBare, kMultiplier, kCount, kMeasure } kind;
  double value;  // for kMeasure in g, ml or pieces
  Dimension dimension = Dimension::kPack;
};

// One fragment read: the words that name the product and the amounts around them.
struct Fragment {
  std::vector<std::string> phrase;
  std::vector<Amount> amounts;
  bool question = false;
};
Fragment ReadFragment(const std::vector<std::string>& tokens);

// Which of the customer's amounts name a size of a product exactly ("atta 5kg", "12 eggs",
// "maggi 4 pack"): such a number picks the product and is not a quantity.
std::set<size_t> SizeDescriptors(const std::vector<Amount>& amounts,
                                 const std::vector<Size>& sizes);
// The largest pack counted in pieces that `pieces` fills exactly ("24 eggs"); 0: none.
double PiecesPackFor(const std::vector<Size>& sizes, double pieces);
// The quantity in units sold of a product of these sizes: measures become packs of the
// product's size, pieces become packs of pieces, counts and multipliers multiply.
double UnitsSold(const std::vector<Amount>& amounts, const std::vector<Size>& sizes);

// Catalog matching (parser_matching.cc).

// The catalog's products with their words and sizes, prepared once per catalog.
struct Index {
  orders::Catalog catalog;  // a copy: the parser outlives the caller's catalog
  struct Entry {
    const orders::Product* product;
    std::set<std::string> vocabulary;                       // name and alias words, singular too
    std::vector<std::vector<std::string>> aliases;          // alias phrases as words
    std::vector<std::vector<std::string>> alias_singulars;  // the same, each word Singular()
    std::vector<Size> sizes;
  };
  std::vector<Entry> entries;
  // The other way round, so that a customer's word finds its products without looking at every
  // product (issue 13: a 4 000-character message against 2 500 products in well under 50 ms):
  // each vocabulary word → the entries whose vocabulary has it, ascending.
  std::unordered_map<std::string, std::vector<uint32_t>> postings;
  // Vocabulary words of four letters or more by their first byte, for the typo search: a
  // typo is only ever matched to a word with the same first letter.
  struct TypoTarget {
    const std::string* word;
    const std::vector<uint32_t>* entries;
    uint32_t letters;  // LetterSet(*word)
  };
  std::unordered_map<char, std::vector<TypoTarget>> by_initial;
};

// The index of a catalog (its own copy of it). Shared: entries point into the copy, and the
// typo targets into the postings.
std::shared_ptr<const Index> BuildIndex(const orders::Catalog& catalog);

// A product a fragment may name: how much of the phrase its words explain, and its score.
struct Candidate {
  size_t entry;
  double coverage;
  double score;
};

// Scores the products a phrase's words name, for one message: each distinct word is looked up
// once (exact, singular, synonyms, then small typos) however many fragments repeat it.
class Matcher {
 public:
  explicit Matcher(const Index& index);
  // The products explaining at least half of `phrase`, in ascending entry order.
  std::vector<Candidate> Candidates(const std::vector<std::string>& phrase);

 private:
  // The entries a customer's word names: `exact` explains it fully (the word or its singular
  // is in the entry's vocabulary, or a Hinglish synonym of it is), `typo` as a small typo of a
  // vocabulary word (scored 0.75). Ascending entry numbers; an entry in `exact` may also be in
  // `typo`, where it counts as exact.
  struct WordMatch {
    std::vector<uint32_t> exact;
    std::vector<uint32_t> typo;
  };
  const WordMatch& MatchOf(const std::string& word);

  const Index& index_;
  std::unordered_map<std::string, WordMatch> matches_;
  // Scratch for scoring, by entry: stamps say which fragment and word last touched it.
  std::vector<double> matched_of_;
  std::vector<uint32_t> seen_in_fragment_, seen_in_word_;
  std::vector<uint32_t> touched_;
  uint32_t fragment_stamp_ = 0, word_stamp_ = 0;
};

// Of the candidates, the ones the customer most likely meant: those explaining the phrase as
// well as the best one does, narrowed by the sizes the customer wrote ("atta 10kg", "12 eggs"),
// then the best scored. More than one: the fragment is ambiguous.
std::vector<Candidate> BestCandidates(const std::vector<Candidate>& candidates,
                                      const std::vector<Amount>& amounts, const Index& index);

}  // namespace chatshop::bot::parsing
