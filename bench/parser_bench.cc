// chatshop-parser-bench: the free-text order parser on one core.
//  - throughput: parses every message of a labelled file repeatedly for a few seconds;
//  - --worst-case: the time one message of [limits] message_chars_max (4 000) characters takes
//    against a large catalog (--generate 2500 builds one deterministically from --catalog), for
//    several kinds of worst input, median and maximum of --runs parses each.
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bot/order_parser.h"
#include "common/utf8.h"

using namespace chatshop;

namespace {

// A fixed pseudo-random sequence (Knuth's MMIX LCG): the same catalog and messages every run.
class Sequence {
 public:
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_ = 20260613;
};

// A made-up brand: two or three syllables ("Kavora", "Mitel").
std::string Brand(Sequence& seq) {
  static const char* kSyllables[] = {"ka",  "vo", "ra", "mi",  "tel", "su",  "dha", "ni",
                                     "pra", "go", "li", "sha", "ve",  "ru",  "ban", "to",
                                     "chi", "mo", "de", "pa",  "zu",  "har", "ki",  "lo"};
  std::string brand;
  const size_t n = 2 + seq.Below(2);
  for (size_t i = 0; i < n; ++i) brand += kSyllables[seq.Below(std::size(kSyllables))];
  brand[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(brand[0])));
  return brand;
}

// `count` products: the base catalog, then its products again under made-up brands and pack
// sizes, each with the base's aliases prefixed by the brand ("kavora atta"), so that names and
// aliases share words the way a real large shop's do.
orders::Catalog Generate(const orders::Catalog& base, size_t count) {
  static const char* kSizes[] = {"100g", "200g",  "250g",  "500g", "1kg",    "2kg",
                                 "5kg",  "200ml", "500ml", "1l",   "6-pack", "12 pcs"};
  Sequence seq;
  orders::Catalog out = base;
  for (size_t i = base.products.size(); i < count; ++i) {
    const orders::Product& model = base.products[i % base.products.size()];
    orders::Product p = model;
    const std::string brand = Brand(seq);
    p.sku = model.sku + "-G" + std::to_string(i);
    p.name = brand + " " + model.name + " " + kSizes[seq.Below(std::size(kSizes))];
    p.aliases.clear();
    for (const auto& alias : model.aliases) p.aliases.push_back(brand + " " + alias);
    out.products.push_back(std::move(p));
  }
  return out;
}

// Messages of about `chars` characters: worst cases for the matcher.
std::vector<std::pair<std::string, std::string>> WorstCases(const orders::Catalog& catalog,
                                                            size_t chars) {
  Sequence seq;
  std::vector<std::pair<std::string, std::string>> cases;
  auto fill = [&](auto next_piece, const std::string& separator) {
    std::string text;
    while (true) {
      std::string piece = next_piece();
      if (text.size() + separator.size() + piece.size() > chars) break;
      text += (text.empty() ? "" : separator) + piece;
    }
    return text;
  };
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // A long shopping list: product names (or aliases) with quantities, one per line.
  cases.emplace_back("list of product names, one per line",
                     fill(
                         [&] {
                           const auto& p = catalog.products[seq.Below(catalog.products.size())];
                           const std::string name = !p.aliases.empty() && seq.Below(2) == 0
                                                        ? p.aliases[seq.Below(p.aliases.size())]
                                                        : p.name;
                           return std::to_string(1 + seq.Below(9)) + " " + lower(name);
                         },
                         "\n"));
  // Words the catalog does not have, 7–9 letters starting like its words: every one is
  // compared for typos (two edits allowed) with the catalog's words.
  cases.emplace_back(
      "misspelt words (7-9 letters), comma-separated",
      fill(
          [&] {
            std::string word;
            const auto& p = catalog.products[seq.Below(catalog.products.size())];
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(p.name[0])));
            const size_t n = 6 + seq.Below(3);
            for (size_t i = 0; i < n; ++i) word += static_cast<char>('a' + seq.Below(26));
            return word;
          },
          ", "));
  // One fragment of catalog words without a separator: the longest phrase to score.
  cases.emplace_back("one 4 000-character fragment of catalog words",
                     fill(
                         [&] {
                           const auto& p = catalog.products[seq.Below(catalog.products.size())];
                           std::string name = lower(p.name);
                           return name.substr(0, name.find(' '));
                         },
                         " "));
  // Hinglish and Devanagari words that go through transliteration and synonyms.
  cases.emplace_back("Hinglish and Devanagari grocery words, comma-separated",
                     fill(
                         [&] {
                           static const char* kWords[] = {
                               "2 doodh",        "aadha kilo cheeni", "दो पैकेट मैगी", "1 kg pyaz",
                               "tamatar 2 kilo", "ek anda darjan",    "तेल 1 लीटर",  "5 kela"};
                           return std::string(kWords[seq.Below(std::size(kWords))]);
                         },
                         ", "));
  return cases;
}

// This thread's CPU time: on a machine shared with other work, what the parse itself cost.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int WorstCase(const orders::Catalog& catalog, size_t chars, int runs) {
  const auto build_start = std::chrono::steady_clock::now();
  bot::OrderParser parser(catalog);
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build_start)
          .count();
  std::printf("catalog: %zu products, parser built in %.1f ms\n", catalog.products.size(),
              build_ms);
  size_t sink = 0;
  for (const auto& [what, text] : WorstCases(catalog, chars)) {
    std::vector<double> ms, cpu;
    bot::ParsedOrder last;
    for (int i = 0; i < runs; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = ThreadCpuMs();
      last = parser.Parse(text);
      cpu.push_back(ThreadCpuMs() - cpu_start);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      sink += last.items.size();
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf(
        "%-52s %4zu chars: wall median %7.2f ms max %7.2f | cpu median %7.2f ms max "
        "%7.2f (%d runs) -> %zu items, %zu unmatched, %zu ambiguous\n",
        what.c_str(), common::CountUtf8Chars(text), ms[ms.size() / 2], ms.back(),
        cpu[cpu.size() / 2], cpu.back(), runs, last.items.size(), last.unmatched.size(),
        last.ambiguous.size());
  }
  std::printf("[%zu]\n", sink % 2);  // keeps the parses from being optimised away
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-parser-bench: the order parser on one core"};
  std::string catalog_path, messages_path;
  double seconds = 3;
  size_t generate = 0, chars = 4000;
  int runs = 21;
  bool worst_case = false;
  cli.add_option("--catalog", catalog_path, "catalog CSV")->required();
  cli.add_option("--messages", messages_path, "JSON lines with a \"text\" field (throughput)");
  cli.add_option("--seconds", seconds, "measured time per round (throughput)");
  cli.add_option("--generate", generate,
                 "grow the catalog to this many products, deterministically, from the CSV's");
  cli.add_flag("--worst-case", worst_case, "time single long messages instead of throughput");
  cli.add_option("--chars", chars, "length of the worst-case messages");
  cli.add_option("--runs", runs, "parses per worst-case message");
  CLI11_PARSE(cli, argc, argv);

  auto imported = orders::ReadCatalogCsvFile(catalog_path);
  if (!imported.errors.empty()) {
    std::fprintf(stderr, "%s:%d: %s\n", catalog_path.c_str(), imported.errors[0].line,
                 imported.errors[0].message.c_str());
    return 1;
  }
  const orders::Catalog catalog = generate > imported.catalog.products.size()
                                      ? Generate(imported.catalog, generate)
                                      : imported.catalog;
  if (worst_case) return WorstCase(catalog, chars, std::max(1, runs));

  std::vector<std::string> messages;
  std::ifstream in(messages_path);
  for (std::string line; std::getline(in, line);) {
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.contains("text")) messages.push_back(json["text"]);
  }
  if (messages.empty()) {
    std::fprintf(stderr, "no messages: --messages FILE.jsonl (or --worst-case)\n");
    return 1;
  }

  bot::OrderParser parser(catalog);
  std::vector<double> rates;
  size_t sink = 0;
  for (int round = 0; round < 5; ++round) {
    size_t parsed = 0;
    auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      for (const auto& m : messages) sink += parser.Parse(m).items.size();
      parsed += messages.size();
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    rates.push_back(parsed / elapsed);
  }
  std::sort(rates.begin(), rates.end());
  std::printf(
      "order parser: %zu messages, %zu products: median %.0f messages/s on one core "
      "(min %.0f, max %.0f over 5 rounds) [%zu]\n",
      messages.size(), catalog.products.size(), rates[2], rates[0], rates[4], sink % 2);
  return 0;
}
