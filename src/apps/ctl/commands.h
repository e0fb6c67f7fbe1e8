#pragma once

#include <CLI/CLI.hpp>

#include "apps/ctl/ctl_common.h"

// chatshopctl's command groups. Each registers its subcommands under `cli` and binds every one
// to what runs it in `table`, with options of its own (no two commands share a variable).
namespace chatshop::ctl {

// `db migrate|status|prune`, `config check`, `webhook info`, `send-test` (deployment_cmd.cc).
void AddDeploymentCommands(CLI::App& cli, CommandTable& table);
// `shop add|update|list|show|set|disable|enable`, `credentials set|check` (shop_cmd.cc).
void AddShopCommands(CLI::App& cli, CommandTable& table);
// `owner add|remove|list` (owner_cmd.cc).
void AddOwnerCommands(CLI::App& cli, CommandTable& table);
// `catalog import|list|export`, `stock set|adjust`, `alias add|remove`, `parse-order`
// (catalog_cmd.cc).
void AddCatalogCommands(CLI::App& cli, CommandTable& table);
// `template list|set|reset`, `notice-template set` (template_cmd.cc).
void AddTemplateCommands(CLI::App& cli, CommandTable& table);
// `dlq list|show|replay|purge`, `queues` (queues.cc).
void AddQueueCommands(CLI::App& cli, CommandTable& table);
// `orders list|show|advance|cancel` (orders_cmd.cc).
void AddOrderCommands(CLI::App& cli, CommandTable& table);

}  // namespace chatshop::ctl
