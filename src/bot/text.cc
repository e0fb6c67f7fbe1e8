#include "bot/text.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

namespace chatshop::bot {
namespace {

// Decodes one UTF-8 code point at `i`; returns -1 (and skips a byte) when malformed.
int32_t NextCodePoint(std::string_view s, size_t& i) {
  utf8proc_int32_t cp = -1;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    ++i;
    return -1;
  }
  i += static_cast<size_t>(n);
  return cp;
}

bool IsDevanagari(int32_t cp) { return cp >= 0x0900 && cp <= 0x097F; }

}  // namespace

std::string FoldText(std::string_view text) {
  // Replace invalid bytes first: utf8proc refuses a whole string with one bad byte.
  std::string valid;
  valid.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    int32_t cp = NextCodePoint(text, i);
    if (cp < 0) {
      valid += ' ';
    } else {
      valid.append(text.substr(start, i - start));
    }
  }
  utf8proc_uint8_t* folded = nullptr;
  auto length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
      static_cast<utf8proc_ssize_t>(valid.size()), &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE));
  std::string result;
  if (length < 0 || folded == nullptr) {
    result = valid;
  } else {
    result.assign(reinterpret_cast<const char*>(folded), static_cast<size_t>(length));
  }
  std::free(folded);
  // Devanagari digits ०-९ (U+0966–U+096F) → 0-9.
  std::string out;
  out.reserve(result.size());
  for (size_t i = 0; i < result.size();) {
    size_t start = i;
    int32_t cp = NextCodePoint(result, i);
    if (cp >= 0x0966 && cp <= 0x096F) {
      out += static_cast<char>('0' + (cp - 0x0966));
    } else {
      out.append(result.substr(start, i - start));
    }
  }
  return out;
}

bool HasDevanagari(std::string_view token) {
  for (size_t i = 0; i < token.size();) {
    if (IsDevanagari(NextCodePoint(token, i))) return true;
  }
  return false;
}

std::string TransliterateDevanagari(std::string_view token) {
  static const std::map<int32_t, std::string> kConsonants = {
      {0x0915, "k"},  {0x0916, "kh"},  {0x0917, "g"}, {0x0918, "gh"}, {0x0919, "n"},
      {0x091A, "ch"}, {0x091B, "chh"}, {0x091C, "j"}, {0x091D, "jh"}, {0x091E, "n"},
      {0x091F, "t"},  {0x0920, "th"},  {0x0921, "d"}, {0x0922, "dh"}, {0x0923, "n"},
      {0x0924, "t"},  {0x0925, "th"},  {0x0926, "d"}, {0x0927, "dh"}, {0x0928, "n"},
      {0x092A, "p"},  {0x092B, "ph"},  {0x092C, "b"}, {0x092D, "bh"}, {0x092E, "m"},
      {0x092F, "y"},  {0x0930, "r"},   {0x0932, "l"}, {0x0935, "v"},  {0x0936, "sh"},
      {0x0937, "sh"}, {0x0938, "s"},   {0x0939, "h"}, {0x0958, "q"},  {0x0959, "kh"},
      {0x095A, "g"},  {0x095B, "z"},   {0x095C, "r"}, {0x095D, "rh"}, {0x095E, "f"},
      {0x095F, "y"}};
  static const std::map<int32_t, std::string> kVowels = {
      {0x0905, "a"},  {0x0906, "aa"}, {0x0907, "i"},  {0x0908, "ee"}, {0x0909, "u"}, {0x090A, "oo"},
      {0x090B, "ri"}, {0x090F, "e"},  {0x0910, "ai"}, {0x0913, "o"},  {0x0914, "au"}};
  static const std::map<int32_t, std::string> kSigns = {
      {0x093E, "aa"}, {0x093F, "i"}, {0x0940, "ee"}, {0x0941, "u"}, {0x0942, "oo"},
      {0x0943, "ri"}, {0x0947, "e"}, {0x0948, "ai"}, {0x094B, "o"}, {0x094C, "au"},
      {0x0902, "n"},  {0x0901, "n"}, {0x0903, "h"}};
  std::vector<int32_t> cps;
  for (size_t i = 0; i < token.size();) {
    int32_t cp = NextCodePoint(token, i);
    if (cp >= 0 && cp != 0x093C) cps.push_back(cp);  // nukta: the base letter is close enough
  }
  std::string out;
  for (size_t k = 0; k < cps.size(); ++k) {
    int32_t cp = cps[k];
    if (auto c = kConsonants.find(cp); c != kConsonants.end()) {
      out += c->second;
      // The inherent vowel "a", unless a sign or virama follows, or the word ends here.
      const bool last = k + 1 == cps.size();
      const bool sign_follows = !last && (kSigns.count(cps[k + 1]) || cps[k + 1] == 0x094D);
      if (!last && !sign_follows) out += 'a';
    } else if (auto v = kVowels.find(cp); v != kVowels.end()) {
      out += v->second;
    } else if (auto s = kSigns.find(cp); s != kSigns.end()) {
      out += s->second;
    } else if (cp == 0x094D) {
      // virama: no vowel
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    }
  }
  // Hinglish spells a final long "ee" as "i" (cheeni, roti).
  if (out.size() > 3 && out.compare(out.size() - 2, 2, "ee") == 0)
    out.replace(out.size() - 2, 2, "i");
  return out;
}

std::vector<std::string> Tokenize(std::string_view folded) {
  std::vector<std::string> tokens;
  std::string current;
  enum class Kind { kNone, kWord, kNumber } kind = Kind::kNone;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(current);
    current.clear();
    kind = Kind::kNone;
  };
  for (size_t i = 0; i < folded.size();) {
    size_t start = i;
    int32_t cp = NextCodePoint(folded, i);
    if (cp < 0) {
      flush();
      continue;
    }
    const bool digit = cp >= '0' && cp <= '9';
    const auto category = utf8proc_category(cp);
    const bool letter =
        !digit &&
        (cp >= 0x80 ? (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_MC)
                    : std::isalpha(cp) != 0);
    if (digit) {
      if (kind == Kind::kWord) flush();
      kind = Kind::kNumber;
      current.append(folded.substr(start, i - start));
    } else if (cp == '.' && kind == Kind::kNumber && i < folded.size() &&
               std::isdigit(static_cast<unsigned char>(folded[i]))) {
      current += '.';
    } else if (letter) {
      if (kind == Kind::kNumber) flush();
      kind = Kind::kWord;
      current.append(folded.substr(start, i - start));
    } else {
      flush();
      if (cp == ',' || cp == ';' || cp == '\n' || cp == '&' || cp == '+' || cp == 0x0964) {
        if (tokens.empty() || tokens.back() != ",") tokens.push_back(",");
      } else if (cp == '?') {
        tokens.push_back("?");
      }
    }
  }
  flush();
  return tokens;
}

int EditDistance(std::string_view a, std::string_view b, int max_distance) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > max_distance) return max_distance + 1;
  // Three rolling rows (the transposition looks two rows back) instead of a whole matrix: the
  // parser calls this for every vocabulary word a customer's word might be a typo of.
  // Words are short: their rows live on the stack; only a long one allocates.
  constexpr int kShort = 64;
  int small[3 * kShort];
  std::vector<int> large;
  if (m + 1 > kShort) large.resize(3 * static_cast<size_t>(m + 1));
  int* before = m + 1 > kShort ? large.data() : small;  // row i - 2
  int* previous = before + (m + 1);                     // row i - 1
  int* current = previous + (m + 1);                    // row i
  for (int j = 0; j <= m; ++j) previous[j] = j;
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_min = max_distance + 1;
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d = std::min(d, before[j - 2] + 1);
      }
      current[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > max_distance) return max_distance + 1;
    int* oldest = before;
    before = previous;
    previous = current;
    current = oldest;
  }
  return std::min(previous[m], max_distance + 1);
}

}  // namespace chatshop::bot
