#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/config.h"
#include "common/result.h"

namespace chatshop::ctl {

// Prints the error and returns chatshopctl's exit code for it: 2 when a server could not be
// reached, 1 for everything the admin can fix.
int Fail(const Error& error);

// The shop with this phone_number_id; prints what is wrong (and how to add it) when there is
// none.
std::optional<int64_t> ShopId(const common::Config& config, const std::string& phone_number_id);

}  // namespace chatshop::ctl
