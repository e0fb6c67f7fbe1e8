#pragma once

#include <atomic>
#include <string>

#include "common/config.h"

namespace chatshop::apps {

// Loads the config named by --config (environment overrides applied) and sets up logging.
// On any problem prints every error to stderr and exits with status 2.
common::Config LoadConfigOrExit(const std::string& path, const char* program);

// Set by SIGINT/SIGTERM; programs poll it to shut down cleanly.
const std::atomic<bool>& StopRequested();

// Installs the SIGINT/SIGTERM handlers behind StopRequested() and ignores SIGPIPE.
void InstallStopSignals();

// Waits (polling) until a stop is requested.
void WaitForStop();

}  // namespace chatshop::apps
