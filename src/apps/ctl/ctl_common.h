#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/result.h"

namespace chatshop::ctl {

// Prints the error and returns chatshopctl's exit code for it: 2 when a server could not be
// reached, 1 for everything the admin can fix.
int Fail(const Error& error);

// The shop with this phone_number_id; prints what is wrong (and how to add it) when there is
// none.
std::optional<int64_t> ShopId(const common::Config& config, const std::string& phone_number_id);

// Adds the `--shop` option every per-shop command takes (required).
void AddShopOption(CLI::App* command, std::string& phone_number_id);

// chatshopctl's commands, each bound to what runs it where it is declared, so that the
// dispatch is one lookup instead of a chain of `if (x->parsed())`. Filled before parsing, run
// once after. Not thread-safe.
class CommandTable {
 public:
  using Run = std::function<int(const common::Config&)>;

  // Binds the leaf subcommand `command` to `run`, called with the loaded config.
  void Add(CLI::App* command, Run run);
  // Binds a command that needs no config and no server (parse-order).
  void AddOffline(CLI::App* command, std::function<int()> run);

  // The offline command that was parsed, if one was.
  std::function<int()> ParsedOffline() const;
  // Runs the command that was parsed; 1 (with a message) when none of them was.
  int RunParsed(const common::Config& config) const;

 private:
  std::vector<std::pair<CLI::App*, Run>> commands_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> offline_;
};

}  // namespace chatshop::ctl
