#include "apps/ctl/ctl_common.h"

#include <iostream>

#include "infra/pg_shop_lookup.h"

namespace chatshop::ctl {

int Fail(const Error& error) {
  std::cerr << "chatshopctl: " << error.ToString() << "\n";
  return error.code == ErrorCode::kUnavailable ? 2 : 1;
}

std::optional<int64_t> ShopId(const common::Config& config, const std::string& phone_number_id) {
  auto id = infra::PgShopLookup(config.postgres.url).IdOf(phone_number_id);
  if (!id) {
    std::cerr << "chatshopctl: "
              << (id.error().code == ErrorCode::kNotFound
                      ? "no shop has phone_number_id " + phone_number_id +
                            " (add it with: chatshopctl shop add)"
                      : id.error().ToString())
              << "\n";
    return std::nullopt;
  }
  return *id;
}

void AddShopOption(CLI::App* command, std::string& phone_number_id) {
  command->add_option("--shop", phone_number_id, "the shop's phone_number_id")->required();
}

void CommandTable::Add(CLI::App* command, Run run) {
  commands_.emplace_back(command, std::move(run));
}

void CommandTable::AddOffline(CLI::App* command, std::function<int()> run) {
  offline_.emplace_back(command, std::move(run));
}

std::function<int()> CommandTable::ParsedOffline() const {
  for (const auto& [command, run] : offline_) {
    if (command->parsed()) return run;
  }
  return nullptr;
}

int CommandTable::RunParsed(const common::Config& config) const {
  for (const auto& [command, run] : commands_) {
    if (command->parsed()) return run(config);
  }
  std::cerr << "chatshopctl: no command given (see --help)\n";
  return 1;
}

}  // namespace chatshop::ctl
