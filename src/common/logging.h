#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/config.h"

namespace chatshop::common {

// Applies level and format ("text" or "json", one line per event, UTC timestamps) to every
// logger, present and future. Call once from main before starting threads.
void SetupLogging(const LogSettings& settings);

// The named logger of a module ("webhook", "worker", …), created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& name);

// A phone number or wa_id with the middle digits hidden: "919876543210" → "9198****3210".
// Logs carry this, never the full number.
std::string MaskPhone(std::string_view phone);

// Free text (an error Meta wrote, a status's details) with every run of 7 or more digits, which
// may be a phone number, masked as MaskPhone does: "to 919876543210 failed" → "to 9198****3210
// failed".
std::string MaskPhonesIn(std::string_view text);

}  // namespace chatshop::common
