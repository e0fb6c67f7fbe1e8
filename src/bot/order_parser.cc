#include "bot/order_parser.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "bot/text.h"

namespace chatshop::bot {
namespace {

enum class Dimension { kMass, kVolume, kPieces, kPack };

constexpr double kMaxQuantity = 999;

// What a unit word measures, and how many base units (g, ml, pieces) one of it is. Count units
// (packet, bottle…) name the unit sold.
struct Unit {
  Dimension dimension;
  double factor;
};

const std::map<std::string, Unit>& Units() {
  static const std::map<std::string, Unit> units = [] {
    std::map<std::string, Unit> u;
    for (const char* w : {"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kgm"}) {
      u[w] = {Dimension::kMass, 1000};
    }
    for (const char* w : {"g", "gm", "gms", "gram", "grams", "gr", "grm"})
      u[w] = {Dimension::kMass, 1};
    for (const char* w : {"l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters"}) {
      u[w] = {Dimension::kVolume, 1000};
    }
    u["ml"] = {Dimension::kVolume, 1};
    for (const char* w : {"pc", "pcs", "piece", "pieces", "nos", "pis"})
      u[w] = {Dimension::kPieces, 1};
    for (const char* w : {"dozen", "dozens", "darjan", "dazan", "doz"}) {
      u[w] = {Dimension::kPieces, 12};
    }
    for (const char* w :
         {"packet",  "packets", "pkt",  "pkts",   "pack",   "packs",   "pkg", "bottle",
          "bottles", "btl",     "tin",  "tins",   "jar",    "jars",    "bar", "bars",
          "tube",    "tubes",   "loaf", "loaves", "tray",   "trays",   "cup", "cups",
          "box",     "boxes",   "bag",  "bags",   "sachet", "sachets", "can", "cans",
          "pouch",   "pouches", "unit", "units",  "katta",  "bora"}) {
      u[w] = {Dimension::kPack, 1};
    }
    return u;
  }();
  return units;
}

const std::map<std::string, double>& NumberWords() {
  static const std::map<std::string, double> words = {
      {"one", 1},     {"two", 2},      {"three", 3},    {"four", 4},    {"five", 5},
      {"six", 6},     {"seven", 7},    {"eight", 8},    {"nine", 9},    {"ten", 10},
      {"eleven", 11}, {"twelve", 12},  {"fifteen", 15}, {"twenty", 20}, {"half", 0.5},
      {"ek", 1},      {"do", 2},       {"teen", 3},     {"char", 4},    {"chaar", 4},
      {"paanch", 5},  {"panch", 5},    {"chhe", 6},     {"chhah", 6},   {"che", 6},
      {"saat", 7},    {"aath", 8},     {"nau", 9},      {"das", 10},    {"gyarah", 11},
      {"barah", 12},  {"pandrah", 15}, {"bees", 20},    {"aadha", 0.5}, {"adha", 0.5},
      {"dedh", 1.5},  {"dhai", 2.5},   {"dhaai", 2.5}};
  return words;
}

// Words that carry no product: greetings, politeness, verbs of asking, fillers.
const std::set<std::string>& StopWords() {
  static const std::set<std::string> words = {
      "hi",      "hii",     "hello",     "helo",      "hey",     "namaste",   "namaskar", "bhaiya",
      "bhaiyya", "bhaia",   "bhai",      "bhaisahab", "didi",    "ji",        "sir",      "madam",
      "uncle",   "aunty",   "please",    "pls",       "plz",     "plzz",      "kindly",   "send",
      "sent",    "deliver", "delivery",  "bhej",      "bhejo",   "bhejna",    "bhejiye",  "bhejdo",
      "dena",    "dedo",    "de",        "dijiye",    "do",      "need",      "needed",   "want",
      "wanted",  "i",       "me",        "my",        "we",      "us",        "mujhe",    "hame",
      "hamein",  "humko",   "mere",      "mera",      "chahiye", "chaiye",    "also",     "add",
      "and",     "aur",     "or",        "some",      "of",      "the",       "a",        "an",
      "to",      "for",     "with",      "more",      "thanks",  "thank",     "thx",      "ok",
      "okay",    "good",    "morning",   "evening",   "order",   "get",       "give",     "bring",
      "le",      "lao",     "lana",      "ke",        "ka",      "ki",        "hai",      "h",
      "bhi",     "total",   "x",         "nos",       "qty",     "quantity",  "only",     "just",
      "today",   "aaj",     "jaldi",     "asap",      "sath",    "saath",     "wala",     "wali",
      "vala",    "vali",    "you",       "u",         "ye",      "yeh",       "this",     "these",
      "that",    "list",    "item",      "items",     "below",   "following", "niche",    "sab",
      "sabhi",   "bas",     "dhanyavad", "shukriya",  "hello",   "bhejiyega", "dena",     "lena",
      "chahie"};
  return words;
}

// Words that open a question: such a fragment asks, it does not order.
const std::set<std::string>& QuestionWords() {
  static const std::set<std::string> words = {
      "what", "whats", "how",   "kya",  "kitna", "kitne",     "kitni", "price",
      "rate", "when",  "where", "why",  "which", "kab",       "kahan", "kaise",
      "kaun", "is",    "are",   "does", "can",   "available", "stock"};
  return words;
}

// Hindi words in Devanagari as Hinglish spells them; others are transliterated.
const std::map<std::string, std::string>& DevanagariWords() {
  static const std::map<std::string, std::string> words = {{"दूध", "doodh"},
                                                           {"डबल", "double"},
                                                           {"रोटी", "roti"},
                                                           {"ब्रेड", "bread"},
                                                           {"चीनी", "cheeni"},
                                                           {"शक्कर", "shakkar"},
                                                           {"आटा", "atta"},
                                                           {"चावल", "chawal"},
                                                           {"दाल", "dal"},
                                                           {"तेल", "tel"},
                                                           {"नमक", "namak"},
                                                           {"अंडे", "ande"},
                                                           {"अंडा", "anda"},
                                                           {"आलू", "aloo"},
                                                           {"प्याज", "pyaz"},
                                                           {"प्याज़", "pyaz"},
                                                           {"टमाटर", "tamatar"},
                                                           {"मैगी", "maggi"},
                                                           {"केला", "kela"},
                                                           {"केले", "kela"},
                                                           {"घी", "ghee"},
                                                           {"दही", "dahi"},
                                                           {"पनीर", "paneer"},
                                                           {"मक्खन", "makhan"},
                                                           {"चाय", "chai"},
                                                           {"साबुन", "sabun"},
                                                           {"हल्दी", "haldi"},
                                                           {"जीरा", "jeera"},
                                                           {"मिर्च", "mirch"},
                                                           {"मिर्ची", "mirchi"},
                                                           {"लाल", "lal"},
                                                           {"सरसों", "sarson"},
                                                           {"किलो", "kg"},
                                                           {"ग्राम", "g"},
                                                           {"लीटर", "litre"},
                                                           {"पैकेट", "packet"},
                                                           {"दर्जन", "dozen"},
                                                           {"और", "aur"},
                                                           {"एक", "ek"},
                                                           {"दो", "do"},
                                                           {"तीन", "teen"},
                                                           {"चार", "char"},
                                                           {"पांच", "paanch"},
                                                           {"पाँच", "paanch"},
                                                           {"छह", "chhe"},
                                                           {"सात", "saat"},
                                                           {"आठ", "aath"},
                                                           {"नौ", "nau"},
                                                           {"दस", "das"},
                                                           {"आधा", "aadha"},
                                                           {"डेढ़", "dedh"},
                                                           {"भेज", "bhej"},
                                                           {"भेजो", "bhejo"},
                                                           {"दो।", "do"},
                                                           {"बिस्कुट", "biscuit"},
                                                           {"चिप्स", "chips"},
                                                           {"मसाला", "masala"},
                                                           {"पत्ती", "patti"},
                                                           {"अगरबत्ती", "agarbatti"},
                                                           {"माचिस", "machis"}};
  return words;
}

// Hinglish grocery words and the English words catalogs use for them, so that a catalog with
// only English names still understands "doodh" or "pyaz".
const std::map<std::string, std::vector<std::string>>& Synonyms() {
  static const std::map<std::string, std::vector<std::string>> words = {
      {"doodh", {"milk"}},
      {"dudh", {"milk"}},
      {"cheeni", {"sugar"}},
      {"chini", {"sugar"}},
      {"shakkar", {"sugar"}},
      {"aloo", {"potato"}},
      {"alu", {"potato"}},
      {"pyaz", {"onion"}},
      {"pyaaz", {"onion"}},
      {"kanda", {"onion"}},
      {"tamatar", {"tomato"}},
      {"anda", {"egg", "eggs"}},
      {"ande", {"egg", "eggs"}},
      {"anday", {"egg", "eggs"}},
      {"chawal", {"rice"}},
      {"tel", {"oil"}},
      {"namak", {"salt"}},
      {"dahi", {"curd", "yogurt"}},
      {"makhan", {"butter"}},
      {"makkhan", {"butter"}},
      {"sabun", {"soap"}},
      {"kela", {"banana"}},
      {"chai", {"tea"}},
      {"patti", {"tea"}},
      {"haldi", {"turmeric"}},
      {"jeera", {"cumin"}},
      {"mirch", {"chilli", "chili"}},
      {"mirchi", {"chilli", "chili"}},
      {"biskut", {"biscuit"}},
      {"machis", {"matchbox"}},
      {"agarbatti", {"incense"}},
      {"sarson", {"mustard"}},
      {"gehu", {"wheat"}},
      {"aata", {"atta", "flour"}},
      {"atta", {"flour"}},
      {"roti", {"bread"}},
      {"paani", {"water"}},
      {"pani", {"water"}},
      {"ghee", {"ghee"}},
      {"sooji", {"semolina", "rava"}},
      {"suji", {"semolina", "rava"}},
      {"besan", {"gram flour"}},
      {"maida", {"flour"}},
      {"nimbu", {"lemon"}},
      {"adrak", {"ginger"}},
      {"lehsun", {"garlic"}},
      {"dhaniya", {"coriander"}},
      {"gobi", {"cauliflower"}},
      {"bhindi", {"okra"}},
      {"palak", {"spinach"}},
      {"mooli", {"radish"}},
      {"gajar", {"carrot"}},
      {"matar", {"peas"}},
      {"chana", {"chickpea", "gram"}},
      {"rajma", {"kidney"}},
      {"biscuits", {"biscuit"}},
      {"cold", {"coke"}},
      {"noodle", {"noodles"}},
      {"chocolate", {"chocolate"}}};
  return words;
}

std::string Singular(const std::string& w) {
  auto ends = [&w](const char* suffix) {
    size_t n = std::char_traits<char>::length(suffix);
    return w.size() > n && w.compare(w.size() - n, n, suffix) == 0;
  };
  if (w.size() > 4 && (ends("oes") || ends("ches") || ends("shes") || ends("xes"))) {
    return w.substr(0, w.size() - 2);
  }
  if (w.size() > 3 && ends("s") && !ends("ss")) return w.substr(0, w.size() - 1);
  return w;
}

// A folded word in the spelling we match on: Devanagari mapped to Hinglish.
std::string Latinize(const std::string& token) {
  if (!HasDevanagari(token)) return token;
  auto it = DevanagariWords().find(token);
  return it != DevanagariWords().end() ? it->second : TransliterateDevanagari(token);
}

std::optional<double> ParseNumber(const std::string& token) {
  if (!token.empty() && std::isdigit(static_cast<unsigned char>(token[0]))) {
    try {
      return std::stod(token);
    } catch (...) {
      return std::nullopt;
    }
  }
  auto it = NumberWords().find(token);
  if (it != NumberWords().end()) return it->second;
  return std::nullopt;
}

struct Size {
  Dimension dimension;
  double amount;  // g, ml, pieces, or items in a multi-pack
};

bool SameSize(const Size& a, const Size& b) {
  return a.dimension == b.dimension && std::fabs(a.amount - b.amount) < 1e-6;
}

// Words, then the sizes found among them (number + unit), from a product name.
void ReadName(const std::vector<std::string>& tokens, std::vector<std::string>& words,
              std::vector<Size>& sizes) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "," || t == "?") continue;
    if (auto n = ParseNumber(t); n && std::isdigit(static_cast<unsigned char>(t[0]))) {
      if (i + 1 < tokens.size()) {
        auto unit = Units().find(tokens[i + 1]);
        if (unit != Units().end()) {
          sizes.push_back({unit->second.dimension, *n * unit->second.factor});
          ++i;
        }
      }
      continue;
    }
    if (t == "dozen") {
      sizes.push_back({Dimension::kPieces, 12});
      continue;
    }
    words.push_back(t);
  }
}

}  // namespace

struct OrderParser::Index {
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

}  // namespace

OrderParser::OrderParser(const orders::Catalog& catalog) {
  auto index = std::make_shared<Index>();
  index->catalog = catalog;
  for (const auto& product : index->catalog.products) {
    Index::Entry entry{&product, {}, {}, {}, {}};
    std::vector<std::string> words;
    ReadName(Tokenize(FoldText(product.name)), words, entry.sizes);
    // The unit sold can be a size too: a product sold "per kg" is 1 kg, "per dozen" 12 pieces.
    auto unit = Units().find(FoldText(product.unit));
    if (entry.sizes.empty() && unit != Units().end() &&
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
    index->entries.push_back(std::move(entry));
  }
  for (uint32_t e = 0; e < index->entries.size(); ++e) {
    for (const auto& word : index->entries[e].vocabulary) index->postings[word].push_back(e);
  }
  for (const auto& posting : index->postings) {
    if (posting.first.size() >= 4) {
      index->by_initial[posting.first[0]].push_back(
          {&posting.first, &posting.second, LetterSet(posting.first)});
    }
  }
  index_ = std::move(index);
}

namespace {

// A number the customer wrote, and what it counts.
struct Amount {
  enum class Kind { kBare, kMultiplier, kCount, kMeasure } kind;
  double value;  // for kMeasure in g, ml or pieces
  Dimension dimension = Dimension::kPack;
};

struct Fragment {
  std::vector<std::string> phrase;  // the words naming the product
  std::vector<Amount> amounts;
  bool question = false;
};

Fragment ReadFragment(const std::vector<std::string>& tokens) {
  Fragment f;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const std::string* next = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    if (t == "?") {
      f.question = true;
      continue;
    }
    if (i == 0 && QuestionWords().count(t)) f.question = true;
    auto number = ParseNumber(t);
    // "do" is Hindi for two only before what it counts ("do packet lays"), not in "bhej do".
    if (number && t == "do" && (!next || StopWords().count(*next))) number.reset();
    if (number) {
      if (next && *next == "x") {  // "5x"
        f.amounts.push_back({Amount::Kind::kMultiplier, *number});
        ++i;
      } else if (next && Units().count(*next)) {
        const Unit& unit = Units().at(*next);
        if (unit.dimension == Dimension::kPack) {
          f.amounts.push_back({Amount::Kind::kCount, *number, Dimension::kPack});
        } else {
          f.amounts.push_back({Amount::Kind::kMeasure, *number * unit.factor, unit.dimension});
        }
        ++i;
      } else if (i > 0 && tokens[i - 1] == "x") {  // "x 5"
        f.amounts.push_back({Amount::Kind::kMultiplier, *number});
      } else {
        f.amounts.push_back({Amount::Kind::kBare, *number});
      }
      continue;
    }
    if (Units().count(t)) {
      const Unit& unit = Units().at(t);
      // "kela dozen": a unit without a number is one of it. Other lone units are noise.
      if (unit.dimension == Dimension::kPieces && unit.factor > 1) {
        f.amounts.push_back({Amount::Kind::kMeasure, unit.factor, Dimension::kPieces});
      }
      if (unit.dimension == Dimension::kPack || unit.factor > 1) continue;
    }
    if (StopWords().count(t)) continue;
    f.phrase.push_back(t);
  }
  return f;
}

struct Candidate {
  size_t entry;
  double coverage;
  double score;
};

// The entries a customer's word names: `exact` explains it fully (the word or its singular is
// in the entry's vocabulary, or a Hinglish synonym of it is), `typo` as a small typo of a
// vocabulary word (scored 0.75). Ascending entry numbers; an entry in `exact` may also be in
// `typo`, where it counts as exact.
struct WordMatch {
  std::vector<uint32_t> exact;
  std::vector<uint32_t> typo;
};

void Merge(std::vector<uint32_t>& into, const std::vector<uint32_t>& more) {
  std::vector<uint32_t> merged;
  merged.reserve(into.size() + more.size());
  std::set_union(into.begin(), into.end(), more.begin(), more.end(), std::back_inserter(merged));
  into.swap(merged);
}

}  // namespace

const orders::Catalog& OrderParser::catalog() const { return index_->catalog; }

ParsedOrder OrderParser::Parse(std::string_view text) const {
  ParsedOrder order;
  const auto& entries = index_->entries;

  // Strip list bullets and numbering at line starts ("1.", "2)", "-", "*", "•") before tokens
  // lose the line structure.
  std::string cleaned;
  {
    std::string folded = FoldText(text);
    size_t start = 0;
    while (start <= folded.size()) {
      size_t end = folded.find('\n', start);
      if (end == std::string::npos) end = folded.size();
      std::string line = folded.substr(start, end - start);
      size_t i = line.find_first_not_of(" \t");
      if (i != std::string::npos) {
        size_t j = i;
        while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
        if (j > i && j + 1 < line.size() && (line[j] == '.' || line[j] == ')') &&
            !std::isdigit(static_cast<unsigned char>(line[j + 1]))) {
          line.erase(0, j + 1);
        } else if (line.compare(i, 3, "•") == 0) {
          line.erase(0, i + 3);
        } else if (line[i] == '-' || line[i] == '*') {
          line.erase(0, i + 1);
        }
      }
      cleaned += line + "\n";
      if (end == folded.size()) break;
      start = end + 1;
    }
  }

  // Fragments: split at separators and at "and"/"aur".
  std::vector<std::vector<std::string>> fragments(1);
  for (const auto& raw : Tokenize(cleaned)) {
    std::string t = Latinize(raw);
    if (t == "," || t == "and" || t == "aur" || t == "n") {
      if (!fragments.back().empty()) fragments.emplace_back();
      continue;
    }
    fragments.back().push_back(t);
  }

  // What each distinct word of the message names, looked up once per message.
  std::unordered_map<std::string, WordMatch> matches;
  auto match_of = [&](const std::string& word) -> const WordMatch& {
    auto [it, inserted] = matches.try_emplace(word);
    if (!inserted) return it->second;
    WordMatch& match = it->second;
    auto exact = [&](const std::string& w) {
      if (auto p = index_->postings.find(w); p != index_->postings.end())
        Merge(match.exact, p->second);
    };
    exact(word);
    exact(Singular(word));
    if (auto syn = Synonyms().find(word); syn != Synonyms().end()) {
      for (const auto& s : syn->second) exact(s);
    }
    if (word.size() >= 4) {
      const int allowed = word.size() >= 7 ? 2 : 1;
      if (auto group = index_->by_initial.find(word[0]); group != index_->by_initial.end()) {
        const uint32_t letters = LetterSet(word);
        for (const auto& target : group->second) {
          const std::string& v = *target.word;
          const size_t gap =
              v.size() > word.size() ? v.size() - word.size() : word.size() - v.size();
          if (gap > static_cast<size_t>(allowed) ||
              std::popcount(target.letters & ~letters) > allowed ||
              std::popcount(letters & ~target.letters) > allowed) {
            continue;
          }
          if (EditDistance(word, v, allowed) <= allowed) Merge(match.typo, *target.entries);
        }
      }
    }
    return match;
  };
  // Scratch for scoring, by entry: stamps say which fragment and word last touched it.
  std::vector<double> matched_of(entries.size(), 0);
  std::vector<uint32_t> seen_in_fragment(entries.size(), 0), seen_in_word(entries.size(), 0);
  std::vector<uint32_t> touched;
  uint32_t fragment_stamp = 0, word_stamp = 0;

  std::map<std::string, size_t> item_index;
  auto add_item = [&](const std::string& sku, int64_t qty) {
    auto [it, inserted] = item_index.try_emplace(sku, order.items.size());
    if (inserted) {
      order.items.push_back({sku, qty});
    } else {
      order.items[it->second].qty += qty;
    }
  };

  for (const auto& tokens : fragments) {
    Fragment f = ReadFragment(tokens);
    if (f.question) {
      order.question = true;
      continue;
    }
    if (f.phrase.empty()) continue;
    std::string phrase_text;
    for (const auto& w : f.phrase) phrase_text += (phrase_text.empty() ? "" : " ") + w;

    // Score the products the phrase's words name (through the index; no other product can
    // explain half of it): how much of the phrase each one's words explain, word by word in
    // the phrase's order, plus a bonus when one of its aliases appears whole in the phrase.
    ++fragment_stamp;
    touched.clear();
    for (const auto& word : f.phrase) {
      const WordMatch& match = match_of(word);
      ++word_stamp;
      auto credit = [&](uint32_t e, double best) {
        if (seen_in_word[e] == word_stamp) return;  // exact already counted for this word
        seen_in_word[e] = word_stamp;
        if (seen_in_fragment[e] != fragment_stamp) {
          seen_in_fragment[e] = fragment_stamp;
          matched_of[e] = 0;
          touched.push_back(e);
        }
        matched_of[e] += best;
      };
      for (uint32_t e : match.exact) credit(e, 1);
      for (uint32_t e : match.typo) credit(e, 0.75);
    }
    std::sort(touched.begin(), touched.end());
    std::vector<std::string> phrase_singulars;
    for (const auto& w : f.phrase) phrase_singulars.push_back(Singular(w));
    std::vector<Candidate> candidates;
    for (const uint32_t e : touched) {
      const auto& entry = entries[e];
      const double coverage = matched_of[e] / static_cast<double>(f.phrase.size());
      if (coverage < 0.5) continue;
      bool alias_inside = false;
      for (size_t k = 0; k < entry.aliases.size(); ++k) {
        const auto& alias = entry.aliases[k];
        const auto& alias_singular = entry.alias_singulars[k];
        if (alias.size() > f.phrase.size()) continue;
        for (size_t s = 0; s + alias.size() <= f.phrase.size() && !alias_inside; ++s) {
          alias_inside = true;
          for (size_t w = 0; w < alias.size() && alias_inside; ++w) {
            alias_inside =
                alias[w] == f.phrase[s + w] || alias_singular[w] == phrase_singulars[s + w];
          }
        }
      }
      candidates.push_back({e, coverage, 2 * coverage + (alias_inside ? 0.5 : 0)});
    }
    if (candidates.empty()) {
      order.unmatched.push_back(phrase_text);
      continue;
    }

    // The family: products that explain the phrase as well as the best one does. Sizes the
    // customer wrote choose within it ("atta 10kg", "12 eggs", "maggi 4 pack").
    const double best_coverage =
        std::max_element(candidates.begin(), candidates.end(), [](auto& a, auto& b) {
          return a.coverage < b.coverage;
        })->coverage;
    std::vector<Candidate> family;
    for (const auto& c : candidates) {
      if (c.coverage >= best_coverage - 1e-9) family.push_back(c);
    }
    // Which of the customer's numbers name a size of a product exactly ("atta 5kg", "12
    // eggs", "maggi 4 pack"): such a number picks the product and is not a quantity.
    auto descriptors_of = [&](const Candidate& c) {
      std::set<size_t> used;
      for (size_t a = 0; a < f.amounts.size(); ++a) {
        const Amount& amount = f.amounts[a];
        for (const Size& size : entries[c.entry].sizes) {
          bool same = false;
          if (amount.kind == Amount::Kind::kMeasure) {
            same = SameSize(size, {amount.dimension, amount.value});
          } else if (amount.kind == Amount::Kind::kCount) {
            same = amount.value >= 2 && SameSize(size, {Dimension::kPack, amount.value});
          } else {
            same = SameSize(size, {Dimension::kPieces, amount.value});
          }
          if (same) used.insert(a);
        }
      }
      return used;
    };
    // The largest pack counted in pieces that a number of pieces fills exactly ("24 eggs").
    auto pieces_pack_for = [&](const Candidate& c, double pieces) -> double {
      double best = 0;
      for (const Size& size : entries[c.entry].sizes) {
        if (size.dimension == Dimension::kPieces && pieces >= size.amount &&
            std::fmod(pieces, size.amount) < 1e-9) {
          best = std::max(best, size.amount);
        }
      }
      return best;
    };

    std::vector<Candidate> pool;
    for (const auto& c : family) {
      if (!descriptors_of(c).empty()) pool.push_back(c);
    }
    if (pool.empty()) {
      double largest = 0;
      for (const auto& c : family) {
        for (const auto& amount : f.amounts) {
          if (amount.kind == Amount::Kind::kCount) continue;
          largest = std::max(largest, pieces_pack_for(c, amount.value));
        }
      }
      if (largest > 0) {
        for (const auto& c : family) {
          for (const auto& amount : f.amounts) {
            if (amount.kind != Amount::Kind::kCount &&
                pieces_pack_for(c, amount.value) == largest) {
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
        for (const auto& amount : f.amounts) {
          for (const Size& size : entries[c.entry].sizes) {
            fits = fits ||
                   (amount.kind == Amount::Kind::kMeasure && size.dimension == amount.dimension);
          }
        }
        if (fits) pool.push_back(c);
      }
    }
    if (pool.empty()) pool = family;

    const double top = std::max_element(pool.begin(), pool.end(), [](auto& a, auto& b) {
                         return a.score < b.score;
                       })->score;
    std::vector<const Candidate*> best;
    for (const auto& c : pool) {
      if (c.score >= top - 1e-9) best.push_back(&c);
    }
    if (best.size() > 1) {
      AmbiguousFragment ambiguous{phrase_text, {}};
      for (const Candidate* c : best)
        ambiguous.candidates.push_back(entries[c->entry].product->sku);
      order.ambiguous.push_back(std::move(ambiguous));
      continue;
    }

    // The quantity, in units sold: measures become packs of the product's size, pieces become
    // packs of pieces, counts and multipliers multiply.
    const Candidate& chosen = *best.front();
    const std::set<size_t> descriptors = descriptors_of(chosen);
    double qty = 1;
    bool measured = false;
    for (size_t a = 0; a < f.amounts.size(); ++a) {
      if (descriptors.count(a)) continue;
      const Amount& amount = f.amounts[a];
      if (amount.kind == Amount::Kind::kMeasure && !measured) {
        std::optional<double> size;
        for (const Size& s : entries[chosen.entry].sizes) {
          if (s.dimension == amount.dimension) size = s.amount;
        }
        if (size) {
          qty *= std::ceil(amount.value / *size - 1e-9);
          measured = true;
          continue;
        }
      }
      if (amount.kind != Amount::Kind::kCount && !measured) {
        if (double pack = pieces_pack_for(chosen, amount.value); pack > 0) {
          qty *= amount.value / pack;
          measured = true;
          continue;
        }
      }
      if (amount.kind == Amount::Kind::kMeasure) continue;  // a second measure adds nothing
      qty *= amount.value;
    }
    // No shop sells a thousand of anything in one chat line: a number that large is a typo
    // or a phone number, and is named back instead of billed.
    if (qty > kMaxQuantity) {
      order.unmatched.push_back(phrase_text + " (quantity too large)");
      continue;
    }
    const int64_t units = static_cast<int64_t>(std::ceil(qty - 1e-9));
    if (units > 0) add_item(entries[chosen.entry].product->sku, units);
  }
  return order;
}

}  // namespace chatshop::bot
