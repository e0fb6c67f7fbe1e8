#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/config.h"

namespace chatshop::ctl {

// `chatshopctl orders list|show|advance|cancel`: an admin's view of a shop's orders, moving
// them with the owner's rules (the customer is told, as when the owner does it). Returns the
// runner of the parsed one (-1: none of these).
std::function<int(const common::Config&)> AddOrderCommands(CLI::App& cli);

}  // namespace chatshop::ctl
