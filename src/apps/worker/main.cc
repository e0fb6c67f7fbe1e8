// chatshop-worker: runs the conversation on queued events (role bot) and sends the replies
// from the outbox through the Graph API (role sender).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <thread>

#include "apps/program.h"
#include "apps/retention.h"
#include "apps/wiring.h"
#include "common/logging.h"
#include "infra/graph_api_client.h"
#include "infra/media_vault.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_media_vault.h"
#include "infra/pg_order_clock_store.h"
#include "infra/pg_outbox_store.h"
#include "infra/pg_proof_store.h"
#include "infra/queue_parking_lot.h"
#include "infra/rabbit_outbound.h"
#include "infra/rabbitmq.h"
#include "infra/redis_cache.h"
#include "infra/redis_customer_limiter.h"
#include "infra/redis_pacer.h"
#include "orders/catalog_service.h"
#include "service/catalog_reader.h"
#include "service/inbound_consumer.h"
#include "service/inbound_processor.h"
#include "service/order_clock.h"
#include "service/outbound_consumer.h"
#include "service/outbound_sender.h"
#include "service/outbox_relay.h"
#include "service/parking.h"
#include "service/poll_loop.h"
#include "service/proof_fetcher.h"
#include "webhook/http_server.h"

using namespace chatshop;

namespace {

// The conversation's catalogs: PostgreSQL behind the Redis cache; with [postgres] read_url, a
// cache miss reads the replica first and the primary only when the replica lags behind the
// shop row's catalog_version (orders::CatalogService). One per thread.
struct CatalogReaders {
  CatalogReaders(const common::Config& config, common::MetricsRegistry& metrics)
      : store(config.postgres.url),
        replica(apps::PostgresReadUrlOf(config)),
        cache(apps::CatalogCacheSettingsOf(config)),
        catalogs(store, cache, config.postgres.read_url.empty() ? nullptr : &replica,
                 {&LoadsFrom(metrics, "replica"), &LoadsFrom(metrics, "primary")}) {}
  static common::Counter& LoadsFrom(common::MetricsRegistry& metrics, const char* source) {
    return metrics.GetCounter("chatshop_catalog_loads_total",
                              "Catalogs loaded from PostgreSQL on a cache miss, by where from",
                              {{"source", source}});
  }
  infra::PgCatalogStore store;    // [postgres] url: the primary
  infra::PgCatalogStore replica;  // [postgres] read_url; unused without one
  infra::RedisCatalogCache cache;
  orders::CatalogService catalogs;
  service::CatalogReader reader{catalogs};
};

// What one customer may do, from [limits].
bot::CustomerLimits LimitsOf(const common::Config& config) {
  const auto& l = config.limits;
  bot::CustomerLimits limits;
  limits.messages_per_minute = l.customer_messages_per_minute;
  limits.message_chars_max = static_cast<size_t>(l.message_chars_max);
  limits.cart_lines_max = static_cast<size_t>(l.cart_lines_max);
  limits.held_units_max = l.held_units_max;
  limits.held_value_max = orders::Money{l.held_value_max_rupees * 100};
  limits.proofs_per_order_max = l.proofs_per_order_max;
  limits.text_messages_per_answer_max = static_cast<size_t>(l.text_messages_per_answer_max);
  return limits;
}

// The broker's delivery as the service's consumers see it, and their answer back.
service::QueueDelivery DeliveryOf(const infra::Delivery& delivery) {
  return {delivery.message_id, delivery.body};
}
infra::DeliveryAction ActionOf(service::DeliveryAction action) {
  return action == service::DeliveryAction::kAck ? infra::DeliveryAction::kAck
                                                 : infra::DeliveryAction::kRetry;
}

// Consumes the inbound shard queues in `shards` until stopped; parks what can never succeed.
void ConsumeShards(const common::Config& config, const common::TemplateSet& templates,
                   common::MetricsRegistry& metrics, service::ParkingPolicy& parking,
                   std::vector<int> shards) {
  infra::PgInboundStore store(config.postgres.url);
  CatalogReaders catalogs(config, metrics);
  infra::RedisCustomerLimiter limiter(apps::CustomerLimiterSettingsOf(config));
  service::InboundProcessor processor(store, &catalogs.reader, templates, metrics,
                                      config.orders.reservation_minutes, &limiter,
                                      LimitsOf(config));
  service::InboundConsumer consumer(processor, parking);

  infra::RabbitNames names{config.rabbitmq.name_prefix};
  std::vector<std::string> queues;
  for (int shard : shards) queues.push_back(names.InboundQueue(shard));
  infra::RabbitConsumer rabbit(
      apps::RabbitSettingsOf(config),
      [&](const infra::Delivery& delivery) {
        return ActionOf(consumer.Consume(DeliveryOf(delivery)));
      },
      std::move(queues));
  rabbit.Run(apps::StopRequested());
}

// Handles inbound events on [worker] bot_threads threads until stopped: the shard queues are
// dealt out among them, so different customers are handled at the same time (and race for
// stock in PostgreSQL, which settles it) while each customer's events stay in order.
void RunBot(const common::Config& config, const common::TemplateSet& templates,
            common::MetricsRegistry& metrics) {
  infra::RabbitPublisher publisher(apps::RabbitSettingsOf(config), metrics);
  publisher.Start();
  infra::QueueParkingLot lot(publisher);
  service::ParkingPolicy parking(lot);
  const int threads = std::min(config.worker.bot_threads, config.rabbitmq.inbound_shards);
  std::vector<std::vector<int>> shards(threads);
  for (int shard = 0; shard < config.rabbitmq.inbound_shards; ++shard) {
    shards[shard % threads].push_back(shard);
  }
  std::vector<std::thread> consumers;
  for (auto& mine : shards) {
    consumers.emplace_back([&, mine] { ConsumeShards(config, templates, metrics, parking, mine); });
  }
  for (auto& consumer : consumers) consumer.join();
  publisher.Stop();
}

// Moves replies from the outbox onto the outbound queues until stopped.
void RunRelay(const common::Config& config, infra::RabbitPublisher& publisher,
              common::MetricsRegistry& metrics) {
  infra::PgOutboxStore store(config.postgres.url);
  infra::RabbitOutboundQueue queue(publisher, apps::RabbitSettingsOf(config));
  service::OutboxRelay relay(store, queue, config.worker.outbox_batch, metrics);
  service::PollLoop loop(
      {"outbox", "outbox relay", std::chrono::milliseconds(0),
       std::chrono::milliseconds(config.worker.outbox_idle_poll_ms), std::chrono::seconds(1)},
      [&] { return relay.RunOnce(); });
  loop.Run(apps::StopRequested());
}

// How the sender paces and retries, from [sender] and [worker].
service::OutboundSenderSettings SenderSettingsOf(const common::Config& config) {
  const auto& s = config.sender;
  service::OutboundSenderSettings settings;
  settings.max_attempts = config.worker.outbox_max_attempts;
  settings.backoff_base = std::chrono::milliseconds(s.backoff_base_ms);
  settings.backoff_cap = std::chrono::seconds(s.backoff_cap_seconds);
  settings.max_inline_wait = std::chrono::milliseconds(s.max_inline_wait_ms);
  settings.credential_hold = std::chrono::seconds(s.credential_hold_seconds);
  settings.uncertain_wait = std::chrono::milliseconds(s.uncertain_wait_ms);
  settings.default_messages_per_second = s.messages_per_second;
  // A reply behind an older one to the same customer looks again at half the pair interval:
  // once the pair rate throttles, it could not go sooner anyway.
  settings.order_wait = std::clamp(std::chrono::milliseconds(s.pair_interval_ms / 2),
                                   std::chrono::milliseconds(100), std::chrono::milliseconds(3000));
  return settings;
}

// Sends the replies of the outbound shard queues in `queues` until stopped.
void SendFromQueues(const common::Config& config, infra::RabbitPublisher& publisher,
                    common::MetricsRegistry& metrics, std::vector<std::string> queues) {
  infra::PgOutboxStore store(config.postgres.url);
  infra::GraphApiClient graph(apps::GraphApiSettingsOf(config));
  infra::RedisPacer pacer(apps::PacerSettingsOf(config));
  infra::RabbitOutboundQueue queue(publisher, apps::RabbitSettingsOf(config));
  service::OutboundSender sender(store, graph, pacer, queue, SenderSettingsOf(config), metrics);
  service::OutboundConsumer consumer(sender);

  infra::RabbitConsumer rabbit(
      apps::RabbitSettingsOf(config),
      [&](const infra::Delivery& delivery) {
        return ActionOf(consumer.Consume(DeliveryOf(delivery)));
      },
      std::move(queues));
  rabbit.Run(apps::StopRequested());
}

// The sender role: the relay, and [sender] threads consumers over the outbound shard queues.
void RunSender(const common::Config& config, common::MetricsRegistry& metrics) {
  infra::RabbitPublisher publisher(apps::RabbitSettingsOf(config), metrics);
  publisher.Start();
  infra::RabbitNames names{config.rabbitmq.name_prefix};
  const int threads = std::min(config.sender.threads, config.rabbitmq.outbound_shards);
  std::vector<std::vector<std::string>> queues(threads);
  for (int shard = 0; shard < config.rabbitmq.outbound_shards; ++shard) {
    queues[shard % threads].push_back(names.OutboundQueue(shard));
  }
  std::vector<std::thread> workers;
  workers.emplace_back([&] { RunRelay(config, publisher, metrics); });
  for (auto& mine : queues) {
    workers.emplace_back([&, mine] { SendFromQueues(config, publisher, metrics, mine); });
  }
  for (auto& worker : workers) worker.join();
  publisher.Stop();
}

// Where payment screenshots are kept ([orders] media_store): files on this machine, or
// PostgreSQL, which every worker on every node reaches.
std::unique_ptr<service::MediaVault> MediaVaultOf(const common::Config& config) {
  if (config.orders.media_store == "postgres") {
    return std::make_unique<infra::PgMediaVault>(config.postgres.url);
  }
  return std::make_unique<infra::FileMediaVault>(config.orders.media_dir);
}

// Fetches payment screenshots and shows them to the owners until stopped.
void RunMedia(const common::Config& config, const common::TemplateSet& templates,
              common::MetricsRegistry& metrics) {
  infra::PgProofStore store(config.postgres.url);
  infra::GraphApiClient graph(apps::GraphApiSettingsOf(config));
  const std::unique_ptr<service::MediaVault> vault = MediaVaultOf(config);
  service::ProofFetcher fetcher(
      store, graph, *vault, templates,
      {config.orders.media_max_bytes, 8, config.orders.reservation_minutes}, metrics);
  service::PollLoop loop({"media", "media worker", std::chrono::milliseconds(0),
                          std::chrono::milliseconds(200), std::chrono::milliseconds(1000)},
                         [&] { return fetcher.RunOnce(); });
  loop.Run(apps::StopRequested());
}

// Cancels lapsed reservations and reminds owners of waiting payments until stopped.
void RunClock(const common::Config& config, const common::TemplateSet& templates,
              common::MetricsRegistry& metrics) {
  infra::PgOrderClockStore store(config.postgres.url);
  service::OrderClock clock(store, templates, config.orders.reservation_minutes,
                            config.orders.review_reminder_minutes, metrics);
  // The clock looks every timer_poll_ms, whatever the last pass found.
  const auto every = std::chrono::milliseconds(config.orders.timer_poll_ms);
  service::PollLoop loop({"orders", "order clock", every, every, every},
                         [&] { return clock.Tick(); });
  loop.Run(apps::StopRequested());
}

// Applies [retention] at the start and then every prune_interval_minutes until stopped. Several
// workers pruning at once only share the work: each batch deletes what is still there.
void RunRetention(const common::Config& config) {
  auto log = common::GetLogger("retention");
  const auto interval = std::chrono::minutes(config.retention.prune_interval_minutes);
  // Every outcome is logged here (a prune is rare and each failure is news); the loop keeps time.
  service::PollLoop loop(
      {"retention", "retention", interval, interval, interval}, [&]() -> Result<int> {
        auto pruned = apps::PruneOnce(config, /*dry_run=*/false);
        if (!pruned) {
          log->error("prune failed (tried again in {} min): {}", interval.count(),
                     pruned.error().message);
          return 0;
        }
        log->info("pruned inbox={} statuses={} parked={} batches={}", pruned->inbox_rows,
                  pruned->status_rows, pruned->parked_messages, pruned->batches);
        return 1;
      });
  loop.Run(apps::StopRequested());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-worker: conversation engine and reply sender"};
  std::string config_path;
  std::string role = "all";
  cli.add_option("--config", config_path, "TOML config file")->required();
  cli.add_option("--role", role,
                 "bot (consume events, order clock), sender (send replies), media (payment "
                 "screenshots) or all")
      ->check(CLI::IsMember({"all", "bot", "sender", "media"}));
  CLI11_PARSE(cli, argc, argv);

  common::Config config = apps::LoadConfigOrExit(config_path, "chatshop-worker");
  apps::InstallStopSignals();
  auto log = common::GetLogger("worker");
  log->info("worker starting role={}", role);

  const common::TemplateSet templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshop-worker");
  common::MetricsRegistry metrics;
  std::vector<std::thread> threads;
  if (role == "all" || role == "sender") threads.emplace_back([&] { RunSender(config, metrics); });
  if (role == "all" || role == "bot") {
    threads.emplace_back([&] { RunBot(config, templates, metrics); });
    threads.emplace_back([&] { RunClock(config, templates, metrics); });
    if (config.retention.prune_interval_minutes > 0)
      threads.emplace_back([&] { RunRetention(config); });
  }
  if (role == "all" || role == "media") {
    threads.emplace_back([&] { RunMedia(config, templates, metrics); });
  }
  std::unique_ptr<webhook::MetricsHttpServer> metrics_server;
  if (config.worker.metrics_listen.port != 0) {
    metrics_server =
        std::make_unique<webhook::MetricsHttpServer>(config.worker.metrics_listen, metrics);
    threads.emplace_back([&] {
      if (auto served = metrics_server->Run(); !served) {
        log->error("cannot serve /metrics: {}", served.error().message);
      }
    });
    threads.emplace_back([&] {
      apps::WaitForStop();
      metrics_server->Stop();
    });
  }
  for (auto& t : threads) t.join();
  log->info("worker stopped");
  return 0;
}
