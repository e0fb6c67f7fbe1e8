#include "apps/program.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "common/logging.h"

namespace chatshop::apps {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

common::Config LoadConfigOrExit(const std::string& path, const char* program, int exit_code) {
  auto config = common::LoadConfigFile(path, common::ProcessEnvironment());
  if (!config) {
    std::cerr << program << ": the configuration has " << config.error().size()
              << (config.error().size() == 1 ? " problem" : " problems") << ":\n";
    for (const auto& problem : config.error()) std::cerr << "  " << problem << "\n";
    std::exit(exit_code);
  }
  common::SetupLogging(config->log);
  return *config;
}

common::TemplateSet LoadTemplatesOrExit(const common::Config& config,
                                        const std::vector<std::string>& required,
                                        const char* program) {
  auto templates = common::TemplateSet::Load(config.templates.dir, required);
  if (!templates) {
    std::cerr << program << ": the reply templates cannot be used:\n"
              << templates.error().message << "\n";
    std::exit(2);
  }
  return std::move(*templates);
}

const std::atomic<bool>& StopRequested() { return g_stop; }

void InstallStopSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGPIPE, SIG_IGN);
}

int RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<int>(limit.rlim_cur);
}

void WaitForStop() {
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace chatshop::apps
