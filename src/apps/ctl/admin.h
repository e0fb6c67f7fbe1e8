#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/config.h"

namespace chatshop::ctl {

// `catalog export`, `stock adjust` and `config check`. Registers them under `catalog` and
// `stock` (which must exist) and at the top; the returned function runs the one parsed, or
// returns -1 when none was.
std::function<int(const common::Config&)> AddAdminCommands(CLI::App& cli, CLI::App& catalog,
                                                           CLI::App& stock);

}  // namespace chatshop::ctl
