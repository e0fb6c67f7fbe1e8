#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/templates.h"

namespace chatshop::apps {

// Loads the config named by --config (environment overrides applied) and sets up logging.
// On any problem prints every error to stderr and exits with `exit_code`.
common::Config LoadConfigOrExit(const std::string& path, const char* program, int exit_code = 2);

// Loads the reply templates from [templates] dir; on any problem (a missing template in some
// locale, one that does not compile) prints every one to stderr and exits with status 2.
common::TemplateSet LoadTemplatesOrExit(const common::Config& config,
                                        const std::vector<std::string>& required,
                                        const char* program);

// Set by SIGINT/SIGTERM; programs poll it to shut down cleanly.
const std::atomic<bool>& StopRequested();

// Installs the SIGINT/SIGTERM handlers behind StopRequested() and ignores SIGPIPE.
void InstallStopSignals();

// Raises the soft limit of open files to the hard one (every connection of the public front is a
// descriptor) and returns the limit now in force (-1: unlimited or unknown).
int RaiseFileLimit();

// Waits (polling) until a stop is requested.
void WaitForStop();

}  // namespace chatshop::apps
