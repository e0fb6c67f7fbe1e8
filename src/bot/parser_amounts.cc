// The order parser's quantities and units: the numbers in a fragment or a product name, and
// the quantity in units sold they make (parser_internal.h).
#include <cmath>

#include "bot/lexicon/lexicon.h"
#include "bot/parser_internal.h"

namespace chatshop::bot::parsing {

using lexicon::StopWords;
using lexicon::Unit;
using lexicon::Units;

std::optional<double> ParseNumber(const std::string& token, const std::string* next) {
  if (!token.empty() && std::isdigit(static_cast<unsigned char>(token[0]))) {
    try {
      return std::stod(token);
    } catch (...) {
      return std::nullopt;
    }
  }
  return lexicon::NumberWordValue(token, next);
}

bool SameSize(const Size& a, const Size& b) {
  return a.dimension == b.dimension && std::fabs(a.amount - b.amount) < 1e-6;
}

void ReadName(const std::vector<std::string>& tokens, std::vector<std::string>& words,
              std::vector<Size>& sizes) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "," || t == "?") continue;
    if (auto n = ParseNumber(t, nullptr); n && std::isdigit(static_cast<unsigned char>(t[0]))) {
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

Fragment ReadFragment(const std::vector<std::string>& tokens) {
  Fragment f;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const std::string* next = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    if (t == "?") {
      f.question = true;
      continue;
    }
    if (i == 0 && lexicon::QuestionWords().count(t)) f.question = true;
    const auto number = ParseNumber(t, next);
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

std::set<size_t> SizeDescriptors(const std::vector<Amount>& amounts,
                                 const std::vector<Size>& sizes) {
  std::set<size_t> used;
  for (size_t a = 0; a < amounts.size(); ++a) {
    const Amount& amount = amounts[a];
    for (const Size& size : sizes) {
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
}

double PiecesPackFor(const std::vector<Size>& sizes, double pieces) {
  double best = 0;
  for (const Size& size : sizes) {
    if (size.dimension == Dimension::kPieces && pieces >= size.amount &&
        std::fmod(pieces, size.amount) < 1e-9) {
      best = std::max(best, size.amount);
    }
  }
  return best;
}

double UnitsSold(const std::vector<Amount>& amounts, const std::vector<Size>& sizes) {
  const std::set<size_t> descriptors = SizeDescriptors(amounts, sizes);
  double qty = 1;
  bool measured = false;
  for (size_t a = 0; a < amounts.size(); ++a) {
    if (descriptors.count(a)) continue;
    const Amount& amount = amounts[a];
    if (amount.kind == Amount::Kind::kMeasure && !measured) {
      std::optional<double> size;
      for (const Size& s : sizes) {
        if (s.dimension == amount.dimension) size = s.amount;
      }
      if (size) {
        qty *= std::ceil(amount.value / *size - 1e-9);
        measured = true;
        continue;
      }
    }
    if (amount.kind != Amount::Kind::kCount && !measured) {
      if (double pack = PiecesPackFor(sizes, amount.value); pack > 0) {
        qty *= amount.value / pack;
        measured = true;
        continue;
      }
    }
    if (amount.kind == Amount::Kind::kMeasure) continue;  // a second measure adds nothing
    qty *= amount.value;
  }
  return qty;
}

}  // namespace chatshop::bot::parsing
