// chatshop-gateway: receives WhatsApp webhooks and queues them durably (src/webhook).
#include <CLI/CLI.hpp>
#include <csignal>
#include <thread>

#include "apps/program.h"
#include "apps/wiring.h"
#include "common/logging.h"
#include "infra/pg_readiness.h"
#include "infra/pg_tenant_directory.h"
#include "infra/rabbitmq.h"
#include "webhook/http_server.h"
#include "webhook/receiver.h"

using namespace chatshop;

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-gateway: WhatsApp webhook receiver"};
  std::string config_path;
  cli.add_option("--config", config_path, "TOML config file")->required();
  CLI11_PARSE(cli, argc, argv);

  // The loader refuses an empty [whatsapp] app_secret: without it no signature can be checked,
  // and an unchecked webhook must never be accepted (fail closed).
  common::Config config = apps::LoadConfigOrExit(config_path, "chatshop-gateway");
  apps::InstallStopSignals();
  auto log = common::GetLogger("gateway");
  // Each client connection is a descriptor: the connection caps should bind before this does.
  if (int files = apps::RaiseFileLimit(); files > 0 && files < config.http.max_connections + 64) {
    log->warn("open-file limit {} is below [http] max_connections {}; raise it (ulimit -n)", files,
              config.http.max_connections);
  }

  common::MetricsRegistry metrics;
  infra::RabbitSettings rabbit = apps::RabbitSettingsOf(config);
  auto publisher = std::make_shared<infra::RabbitPublisher>(rabbit, metrics);
  publisher->Start();
  auto database = std::make_shared<infra::PgReadinessCheck>(config.postgres.url);

  infra::PgTenantDirectory tenants(config.postgres.url);
  if (auto loaded = tenants.Reload(); !loaded) {
    log->warn("shop list not loaded yet ({}); webhooks are queued and the worker checks shops",
              loaded.error().message);
  }
  webhook::WebhookReceiver receiver(config.whatsapp, config.rabbitmq.inbound_shards, *publisher,
                                    &tenants, metrics);
  webhook::GatewayHttpServer server(config.http, receiver, metrics, {publisher, database});

  std::thread stopper([&server] {
    apps::WaitForStop();
    server.Stop();
  });
  auto served = server.Run();
  if (!served) {
    log->critical("{}", served.error().message);
    std::raise(SIGTERM);
  }
  stopper.join();
  publisher->Stop();
  log->info("gateway stopped");
  return served ? 0 : 1;
}
