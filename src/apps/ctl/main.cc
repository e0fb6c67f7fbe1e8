// chatshopctl: the admin's tool: schema, shops and their settings, catalogs, stock, templates,
// queues and orders. This file is the command line's root; the commands are in *_cmd.cc.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "apps/ctl/commands.h"
#include "apps/program.h"

using namespace chatshop;

int main(int argc, char** argv) {
  CLI::App cli{"chatshopctl: administer a chatshop deployment"};
  cli.require_subcommand(1);
  std::string config_path;
  if (const char* env = std::getenv("CHATSHOP_CONFIG")) config_path = env;
  cli.add_option("--config", config_path, "TOML config file (default: $CHATSHOP_CONFIG)");

  ctl::CommandTable commands;
  ctl::AddDeploymentCommands(cli, commands);
  ctl::AddShopCommands(cli, commands);
  ctl::AddOwnerCommands(cli, commands);
  ctl::AddCatalogCommands(cli, commands);
  ctl::AddTemplateCommands(cli, commands);
  ctl::AddQueueCommands(cli, commands);
  ctl::AddOrderCommands(cli, commands);

  CLI11_PARSE(cli, argc, argv);
  if (auto offline = commands.ParsedOffline()) return offline();  // needs no servers, no config
  if (config_path.empty()) {
    std::cerr << "chatshopctl: no config: pass --config FILE or set CHATSHOP_CONFIG\n";
    return 1;
  }
  // A config the admin can fix is exit 1 here, like every other mistake (2: a server is down).
  common::Config config = apps::LoadConfigOrExit(config_path, "chatshopctl", 1);
  return commands.RunParsed(config);
}
