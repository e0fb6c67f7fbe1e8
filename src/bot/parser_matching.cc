// The order parser's catalog matching: the index of a catalog's words, the products a
// fragment's words name, and the choice among them (parser_internal.h).
#include <algorithm>
#include <bit>
#include <iterator>

#include "bot/lexicon/lexicon.h"
#include "bot/parser_internal.h"
#include "bot/text.h"

namespace chatshop::bot::parsing {
namespace {

// Which letters a word has, as bits (a–z, other bytes folded onto six more). Each edit adds at
// most one letter the other word lacks (a transposition none), so two words whose sets differ
// by more than k letters either way are more than k edits apart: a cheap test before the edit
// distance itself.
uint32_t LetterSet(const std::string& word) {
  uint32_t set = 0;
  for (unsigned char c : word) set |= 1u << (c >= 'a' && c <= 'z' ? c - 'a' : 26 + c % 6);
  return set;
}

void Merge(std::vector<uint32_t>& into, const std::vector<uint32_t>& more) {
  std::vector<uint32_t> merged;
  merged.reserve(into.size() + more.size());
  std::set_union(into.begin(), into.end(), more.begin(), more.end(), std::back_inserter(merged));
  into.swap(merged);
}

// A product's entry: the words of its name and aliases (Latin-spelled, singular too), its
// alias phrases, and its sizes.
Index::Entry EntryOf(const orders::Product& product) {
  Index::Entry entry{&product, {}, {}, {}, {}};
  std::vector<std::string> words;
  ReadName(Tokenize(FoldText(product.name)), words, entry.sizes);
  // The unit sold can be a size too: a product sold "per kg" is 1 kg, "per dozen" 12 pieces.
  auto unit = lexicon::Units().find(FoldText(product.unit));
  if (entry.sizes.empty() && unit != lexicon::Units().end() &&
      unit->second.dimension != Dimension::kPack) {
    entry.sizes.push_back({unit->second.dimension, unit->second.factor});
  }
  for (const auto& alias : product.aliases) {
    std::vector<std::string> alias_words;
    for (const auto& t : Tokenize(FoldText(alias))) {
      if (t != "," && t != "?") alias_words.push_back(Latinize(t));
    }
    if (alias_words.empty()) continue;
    words.insert(words.end(), alias_words.begin(), alias_words.end());
    std::vector<std::string> singulars;
    for (const auto& w : alias_words) singulars.push_back(Singular(w));
    entry.alias_singulars.push_back(std::move(singulars));
    entry.aliases.push_back(std::move(alias_words));
  }
  for (const auto& w : words) {
    const std::string latin = Latinize(w);
    entry.vocabulary.insert(latin);
    entry.vocabulary.insert(Singular(latin));
  }
  return entry;
}

// True when one of the entry's aliases appears whole in the phrase (word for word, or each
// word's singular).
bool AliasInside(const Index::Entry& entry, const std::vector<std::string>& phrase,
                 const std::vector<std::string>& phrase_singulars) {
  bool alias_inside = false;
  for (size_t k = 0; k < entry.aliases.size(); ++k) {
    const auto& alias = entry.aliases[k];
    const auto& alias_singular = entry.alias_singulars[k];
    if (alias.size() > phrase.size()) continue;
    for (size_t s = 0; s + alias.size() <= phrase.size() && !alias_inside; ++s) {
      alias_inside = true;
      for (size_t w = 0; w < alias.size() && alias_inside; ++w) {
        alias_inside = alias[w] == phrase[s + w] || alias_singular[w] == phrase_singulars[s + w];
      }
    }
  }
  return alias_inside;
}

}  // namespace

std::shared_ptr<const Index> BuildIndex(const orders::Catalog& catalog) {
  auto index = std::make_shared<Index>();
  index->catalog = catalog;
  for (const auto& product : index->catalog.products) index->entries.push_back(EntryOf(product));
  for (uint32_t e = 0; e < index->entries.size(); ++e) {
    for (const auto& word : index->entries[e].vocabulary) index->postings[word].push_back(e);
  }
  for (const auto& posting : index->postings) {
    if (posting.first.size() >= 4) {
      index->by_initial[posting.first[0]].push_back(
          {&posting.first, &posting.second, LetterSet(posting.first)});
    }
  }
  return index;
}

Matcher::Matcher(const Index& index)
    : index_(index),
      matched_of_(index.entries.size(), 0),
      seen_in_fragment_(index.entries.size(), 0),
      seen_in_word_(index.entries.size(), 0) {}

const Matcher::WordMatch& Matcher::MatchOf(const std::string& word) {
  auto [it, inserted] = matches_.try_emplace(word);
  if (!inserted) return it->second;
  WordMatch& match = it->second;
  auto exact = [&](const std::string& w) {
    if (auto p = index_.postings.find(w); p != index_.postings.end()) Merge(match.exact, p->second);
  };
  exact(word);
  exact(Singular(word));
  const auto& synonyms = lexicon::GrocerySynonyms();
  if (auto syn = synonyms.find(word); syn != synonyms.end()) {
    for (const auto& s : syn->second) exact(s);
  }
  if (word.size() < 4) return match;
  const int allowed = word.size() >= 7 ? 2 : 1;
  auto group = index_.by_initial.find(word[0]);
  if (group == index_.by_initial.end()) return match;
  const uint32_t letters = LetterSet(word);
  for (const auto& target : group->second) {
    const std::string& v = *target.word;
    const size_t gap = v.size() > word.size() ? v.size() - word.size() : word.size() - v.size();
    if (gap > static_cast<size_t>(allowed) || std::popcount(target.letters & ~letters) > allowed ||
        std::popcount(letters & ~target.letters) > allowed) {
      continue;
    }
    if (EditDistance(word, v, allowed) <= allowed) Merge(match.typo, *target.entries);
  }
  return match;
}

// Scores the products the phrase's words name (through the index; no other product can explain
// half of it): how much of the phrase each one's words explain, word by word in the phrase's
// order, plus a bonus when one of its aliases appears whole in the phrase.
std::vector<Candidate> Matcher::Candidates(const std::vector<std::string>& phrase) {
  ++fragment_stamp_;
  touched_.clear();
  for (const auto& word : phrase) {
    const WordMatch& match = MatchOf(word);
    ++word_stamp_;
    auto credit = [&](uint32_t e, double best) {
      if (seen_in_word_[e] == word_stamp_) return;  // exact already counted for this word
      seen_in_word_[e] = word_stamp_;
      if (seen_in_fragment_[e] != fragment_stamp_) {
        seen_in_fragment_[e] = fragment_stamp_;
        matched_of_[e] = 0;
        touched_.push_back(e);
      }
      matched_of_[e] += best;
    };
    for (uint32_t e : match.exact) credit(e, 1);
    for (uint32_t e : match.typo) credit(e, 0.75);
  }
  std::sort(touched_.begin(), touched_.end());
  std::vector<std::string> phrase_singulars;
  for (const auto& w : phrase) phrase_singulars.push_back(Singular(w));
  std::vector<Candidate> candidates;
  for (const uint32_t e : touched_) {
    const double coverage = matched_of_[e] / static_cast<double>(phrase.size());
    if (coverage < 0.5) continue;
    const bool alias_inside = AliasInside(index_.entries[e], phrase, phrase_singulars);
    candidates.push_back({e, coverage, 2 * coverage + (alias_inside ? 0.5 : 0)});
  }
  return candidates;
}

std::vector<Candidate> BestCandidates(const std::vector<Candidate>& candidates,
                                      const std::vector<Amount>& amounts, const Index& index) {
  auto sizes_of = [&](const Candidate& c) -> const std::vector<Size>& {
    return index.entries[c.entry].sizes;
  };
  // The family: products that explain the phrase as well as the best one does.
  const double best_coverage =
      std::max_element(candidates.begin(), candidates.end(), [](auto& a, auto& b) {
        return a.coverage < b.coverage;
      })->coverage;
  std::vector<Candidate> family;
  for (const auto& c : candidates) {
    if (c.coverage >= best_coverage - 1e-9) family.push_back(c);
  }
  // Sizes the customer wrote choose within it: an exact size first ("atta 10kg", "maggi 4
  // pack"), then the largest pack of pieces a count fills ("24 eggs"), then any product sold
  // by the dimension measured.
  std::vector<Candidate> pool;
  for (const auto& c : family) {
    if (!SizeDescriptors(amounts, sizes_of(c)).empty()) pool.push_back(c);
  }
  if (pool.empty()) {
    double largest = 0;
    for (const auto& c : family) {
      for (const auto& amount : amounts) {
        if (amount.kind == Amount::Kind::kCount) continue;
        largest = std::max(largest, PiecesPackFor(sizes_of(c), amount.value));
      }
    }
    if (largest > 0) {
      for (const auto& c : family) {
        for (const auto& amount : amounts) {
          if (amount.kind != Amount::Kind::kCount &&
              PiecesPackFor(sizes_of(c), amount.value) == largest) {
            pool.push_back(c);
            break;
          }
        }
      }
    }
  }
  if (pool.empty()) {
    for (const auto& c : family) {
      bool fits = false;
      for (const auto& amount : amounts) {
        for (const Size& size : sizes_of(c)) {
          fits =
              fits || (amount.kind == Amount::Kind::kMeasure && size.dimension == amount.dimension);
        }
      }
      if (fits) pool.push_back(c);
    }
  }
  if (pool.empty()) pool = family;

  const double top = std::max_element(pool.begin(), pool.end(), [](auto& a, auto& b) {
                       return a.score < b.score;
                     })->score;
  std::vector<Candidate> best;
  for (const auto& c : pool) {
    if (c.score >= top - 1e-9) best.push_back(c);
  }
  return best;
}

}  // namespace chatshop::bot::parsing
