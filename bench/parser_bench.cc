// chatshop-parser-bench: how many shopping messages per second the free-text order parser
// handles on one core. Parses every message of a labelled file repeatedly for a few seconds.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bot/order_parser.h"

using namespace chatshop;

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-parser-bench: order parser throughput on one core"};
  std::string catalog_path, messages_path;
  double seconds = 3;
  cli.add_option("--catalog", catalog_path, "catalog CSV")->required();
  cli.add_option("--messages", messages_path, "JSON lines with a \"text\" field")->required();
  cli.add_option("--seconds", seconds, "measured time per round");
  CLI11_PARSE(cli, argc, argv);

  auto imported = orders::ReadCatalogCsvFile(catalog_path);
  if (!imported.errors.empty()) {
    std::fprintf(stderr, "%s:%d: %s\n", catalog_path.c_str(), imported.errors[0].line,
                 imported.errors[0].message.c_str());
    return 1;
  }
  std::vector<std::string> messages;
  std::ifstream in(messages_path);
  for (std::string line; std::getline(in, line);) {
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.contains("text")) messages.push_back(json["text"]);
  }
  if (messages.empty()) return 1;

  bot::OrderParser parser(imported.catalog);
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
  std::printf("order parser: %zu messages, %zu products: median %.0f messages/s on one core "
              "(min %.0f, max %.0f over 5 rounds) [%zu]\n",
              messages.size(), imported.catalog.products.size(), rates[2], rates[0], rates[4],
              sink % 2);
  return 0;
}
