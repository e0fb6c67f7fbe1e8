// The order parser's tokenising: a message into fragments of words (parser_internal.h).
#include "bot/lexicon/lexicon.h"
#include "bot/parser_internal.h"
#include "bot/text.h"

namespace chatshop::bot::parsing {
namespace {

// Strips list bullets and numbering at line starts ("1.", "2)", "-", "*", "•") before tokens
// lose the line structure.
std::string WithoutListMarks(const std::string& folded) {
  std::string cleaned;
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
  return cleaned;
}

}  // namespace

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

std::string Latinize(const std::string& token) {
  if (!HasDevanagari(token)) return token;
  auto it = lexicon::DevanagariWords().find(token);
  return it != lexicon::DevanagariWords().end() ? it->second : TransliterateDevanagari(token);
}

std::vector<std::vector<std::string>> Fragments(std::string_view text) {
  std::vector<std::vector<std::string>> fragments(1);
  for (const auto& raw : Tokenize(WithoutListMarks(FoldText(text)))) {
    std::string t = Latinize(raw);
    if (t == "," || lexicon::Joiners().count(t)) {
      if (!fragments.back().empty()) fragments.emplace_back();
      continue;
    }
    fragments.back().push_back(t);
  }
  return fragments;
}

}  // namespace chatshop::bot::parsing
