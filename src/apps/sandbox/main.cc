// chatshop-sandbox: a fake WhatsApp Cloud API for demos and end-to-end tests.
#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "apps/program.h"
#include "apps/sandbox/sandbox.h"
#include "common/logging.h"

using namespace chatshop;

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-sandbox: fake WhatsApp Cloud API (Graph API + customer side)"};
  std::string config_path;
  cli.add_option("--config", config_path, "TOML config file (uses [sandbox] and [whatsapp])")
      ->required();
  CLI11_PARSE(cli, argc, argv);

  common::Config config = apps::LoadConfigOrExit(config_path, "chatshop-sandbox");
  if (config.sandbox.listen.port == 0 || config.sandbox.access_token.empty()) {
    std::cerr << "chatshop-sandbox: " << config.source
              << ": [sandbox] listen and access_token are required to run the sandbox\n";
    return 2;
  }
  if (auto problems = sandbox::UnsafeConfigProblems(config); !problems.empty()) {
    for (const auto& problem : problems)
      std::cerr << "chatshop-sandbox: " << config.source << ": " << problem << "\n";
    return 2;
  }
  if (const auto& ca = config.sandbox.webhook_ca_file;
      !ca.empty() && !std::ifstream(ca, std::ios::binary).good()) {
    std::cerr << "chatshop-sandbox: " << config.source
              << ": [sandbox] webhook_ca_file: cannot read " << ca << "\n";
    return 2;
  }
  apps::InstallStopSignals();
  sandbox::Sandbox sandbox(config);
  std::thread stopper([&sandbox] {
    apps::WaitForStop();
    sandbox.Stop();
  });
  auto served = sandbox.Run();
  if (!served) {
    common::GetLogger("sandbox")->critical("{}", served.error().message);
    std::raise(SIGTERM);
  }
  stopper.join();
  return served ? 0 : 1;
}
