#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "common/config.h"

namespace chatshop::ctl {

// `chatshopctl dlq list|show|replay|purge` and `chatshopctl queues`: what the broker holds.
// Registers the subcommands; the returned function runs the one that was parsed (or returns
// -1 when none of these was), after the config is loaded.
std::function<int(const common::Config&)> AddQueueCommands(CLI::App& cli);

}  // namespace chatshop::ctl
