// chatshop-worker: runs the conversation on queued events (role bot) and sends the replies
// from the outbox through the Graph API (role sender).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <thread>

#include "apps/program.h"
#include "apps/retention.h"
#include "apps/wiring.h"
#include "bot/inbound_processor.h"
#include "bot/order_clock.h"
#include "bot/proof_fetcher.h"
#include "common/logging.h"
#include "infra/graph_api_client.h"
#include "infra/media_vault.h"
#include "infra/pg_stores.h"
#include "infra/rabbit_outbound.h"
#include "infra/rabbitmq.h"
#include "infra/redis_cache.h"
#include "infra/redis_customer_limiter.h"
#include "infra/redis_pacer.h"
#include "orders/catalog_service.h"
#include "webhook/http_server.h"
#include "whatsapp/outbox_relay.h"
#include "whatsapp/sender.h"

using namespace chatshop;

namespace {

// The conversation's catalogs: PostgreSQL behind the Redis cache.
class CatalogReader : public bot::CatalogSource {
 public:
  explicit CatalogReader(const common::Config& config)
      : store_(config.postgres.url), cache_(apps::CatalogCacheSettingsOf(config)) {}
  Result<orders::Catalog> CatalogFor(int64_t shop_id) override { return service_.Get(shop_id); }
  void Forget(int64_t shop_id) override {
    // A copy that cannot be dropped now expires with the cache's TTL.
    if (auto dropped = service_.DropCached(shop_id); !dropped) {
      common::GetLogger("worker")->warn("cannot drop cached catalog shop={}: {}", shop_id,
                                        dropped.error().message);
    }
  }

 private:
  infra::PgCatalogStore store_;
  infra::RedisCatalogCache cache_;
  orders::CatalogService service_{store_, cache_};
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

// Consumes the inbound shard queues in `shards` until stopped; parks what can never succeed.
void ConsumeShards(const common::Config& config, const common::TemplateSet& templates,
                   common::MetricsRegistry& metrics, infra::RabbitPublisher& parking,
                   std::vector<int> shards) {
  auto log = common::GetLogger("worker");
  infra::PgInboundStore store(config.postgres.url);
  CatalogReader catalogs(config);
  infra::RedisCustomerLimiter limiter(apps::CustomerLimiterSettingsOf(config));
  bot::InboundProcessor processor(store, &catalogs, templates, metrics,
                                  config.orders.reservation_minutes, &limiter, LimitsOf(config));

  auto park = [&](const infra::Delivery& delivery, const std::string& reason) {
    webhook::QueueMessage parked{webhook::QueueMessage::Route::kParked, 0, delivery.message_id,
                                 reason, delivery.body};
    // Only once the parked copy is confirmed may the original be acknowledged.
    auto published = parking.PublishConfirmed({parked});
    if (!published && !IsRetryable(published.error().code)) {
      // Refused for good (the reason is cut to fit, so an id the broker will not take):
      // asking again would hold this shard's queue forever. Parked without the id instead,
      // which the body still carries.
      log->error("parking id={} refused ({}): parking it without its id", delivery.message_id,
                 published.error().message);
      parked.message_id.clear();
      published = parking.PublishConfirmed({parked});
    }
    if (!published) {
      log->error("cannot park message id={}: {}", delivery.message_id, published.error().message);
      return infra::DeliveryAction::kRetry;
    }
    log->warn("parked message id={} reason=\"{}\"", delivery.message_id, reason);
    return infra::DeliveryAction::kAck;
  };

  infra::RabbitNames names{config.rabbitmq.name_prefix};
  std::vector<std::string> queues;
  for (int shard : shards) queues.push_back(names.InboundQueue(shard));
  infra::RabbitConsumer consumer(
      apps::RabbitSettingsOf(config),
      [&](const infra::Delivery& delivery) {
        auto json = nlohmann::json::parse(delivery.body, nullptr, /*allow_exceptions=*/false);
        auto event = whatsapp::InboundEvent::FromJson(json);
        if (!event) return park(delivery, "unreadable event: " + event.error().message);
        bot::Handling outcome;
        try {
          outcome = processor.Handle(*event);
        } catch (const std::exception& e) {
          // A bug must not take the worker down and then crash it again on the same message.
          outcome = {bot::Disposition::kDeadLetter, std::string("handler failed: ") + e.what()};
        }
        switch (outcome.disposition) {
          case bot::Disposition::kAck:
            return infra::DeliveryAction::kAck;
          case bot::Disposition::kRetry:
            log->warn("will retry id={}: {}", delivery.message_id, outcome.reason);
            return infra::DeliveryAction::kRetry;
          case bot::Disposition::kDeadLetter:
            return park(delivery, outcome.reason);
        }
        return infra::DeliveryAction::kRetry;
      },
      std::move(queues));
  consumer.Run(apps::StopRequested());
}

// Handles inbound events on [worker] bot_threads threads until stopped: the shard queues are
// dealt out among them, so different customers are handled at the same time (and race for
// stock in PostgreSQL, which settles it) while each customer's events stay in order.
void RunBot(const common::Config& config, const common::TemplateSet& templates,
            common::MetricsRegistry& metrics) {
  infra::RabbitPublisher parking(apps::RabbitSettingsOf(config), metrics);
  parking.Start();
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
  parking.Stop();
}

// Moves replies from the outbox onto the outbound queues until stopped.
void RunRelay(const common::Config& config, infra::RabbitPublisher& publisher,
              common::MetricsRegistry& metrics) {
  auto log = common::GetLogger("outbox");
  infra::PgOutboxStore store(config.postgres.url);
  infra::RabbitOutboundQueue queue(publisher, apps::RabbitSettingsOf(config));
  whatsapp::OutboxRelay relay(store, queue, config.worker.outbox_batch, metrics);
  const auto idle = std::chrono::milliseconds(config.worker.outbox_idle_poll_ms);
  bool was_failing = false;
  while (!apps::StopRequested().load()) {
    Result<int> handled = 0;
    try {
      handled = relay.RunOnce();
    } catch (const std::exception& e) {
      // Nothing below should throw; if it does, the rows' leases bring them back.
      handled = MakeError(ErrorCode::kInternal, std::string("relay failed: ") + e.what());
    }
    if (!handled) {
      if (!was_failing) log->error("outbox relay: {}", handled.error().message);
      was_failing = true;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    was_failing = false;
    if (*handled == 0) std::this_thread::sleep_for(idle);
  }
}

// Sends the replies of the outbound shard queues in `queues` until stopped.
void SendFromQueues(const common::Config& config, infra::RabbitPublisher& publisher,
                    common::MetricsRegistry& metrics, std::vector<std::string> queues) {
  auto log = common::GetLogger("sender");
  infra::PgOutboxStore store(config.postgres.url);
  infra::GraphApiClient graph(apps::GraphApiSettingsOf(config));
  const auto& s = config.sender;
  infra::RedisPacer pacer(apps::PacerSettingsOf(config));
  infra::RabbitOutboundQueue queue(publisher, apps::RabbitSettingsOf(config));
  whatsapp::OutboundSenderSettings settings;
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
  whatsapp::OutboundSender sender(store, graph, pacer, queue, settings, metrics);

  infra::RabbitConsumer consumer(
      apps::RabbitSettingsOf(config),
      [&](const infra::Delivery& delivery) {
        auto job = whatsapp::OutboundJob::FromJson(
            nlohmann::json::parse(delivery.body, nullptr, /*allow_exceptions=*/false));
        if (!job) {
          log->error("dropped an unreadable outbound message id={}", delivery.message_id);
          return infra::DeliveryAction::kAck;
        }
        Status handled;
        try {
          handled = sender.Handle(*job);
        } catch (const std::exception& e) {
          handled = MakeError(ErrorCode::kInternal, std::string("sender failed: ") + e.what());
        }
        if (handled) return infra::DeliveryAction::kAck;
        log->warn("will retry outbox={}: {}", job->outbox_id, handled.error().message);
        return infra::DeliveryAction::kRetry;
      },
      std::move(queues));
  consumer.Run(apps::StopRequested());
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

// Fetches payment screenshots and shows them to the owners until stopped.
void RunMedia(const common::Config& config, const common::TemplateSet& templates,
              common::MetricsRegistry& metrics) {
  auto log = common::GetLogger("media");
  infra::PgProofStore store(config.postgres.url);
  infra::GraphApiClient graph(apps::GraphApiSettingsOf(config));
  infra::FileMediaVault vault(config.orders.media_dir);
  bot::ProofFetcher fetcher(store, graph, vault, templates,
                            {config.orders.media_max_bytes, 8, config.orders.reservation_minutes},
                            metrics);
  bool was_failing = false;
  while (!apps::StopRequested().load()) {
    auto handled = fetcher.RunOnce();
    if (!handled && !was_failing) log->error("media worker: {}", handled.error().message);
    was_failing = !handled;
    if (!handled || *handled == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(handled ? 200 : 1000));
    }
  }
}

// Cancels lapsed reservations and reminds owners of waiting payments until stopped.
void RunClock(const common::Config& config, const common::TemplateSet& templates,
              common::MetricsRegistry& metrics) {
  auto log = common::GetLogger("orders");
  infra::PgOrderClockStore store(config.postgres.url);
  CatalogReader catalogs(config);
  bot::OrderClock clock(store, &catalogs, templates, config.orders.reservation_minutes,
                        config.orders.review_reminder_minutes, metrics);
  bool was_failing = false;
  while (!apps::StopRequested().load()) {
    auto handled = clock.Tick();
    if (!handled && !was_failing) log->error("order clock: {}", handled.error().message);
    was_failing = !handled;
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config.orders.timer_poll_ms);
    while (!apps::StopRequested().load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// Applies [retention] at the start and then every prune_interval_minutes until stopped. Several
// workers pruning at once only share the work: each batch deletes what is still there.
void RunRetention(const common::Config& config) {
  auto log = common::GetLogger("retention");
  const auto interval = std::chrono::minutes(config.retention.prune_interval_minutes);
  auto next = std::chrono::steady_clock::now();
  while (!apps::StopRequested().load()) {
    if (std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    next = std::chrono::steady_clock::now() + interval;
    auto pruned = apps::PruneOnce(config, /*dry_run=*/false);
    if (!pruned) {
      log->error("prune failed (tried again in {} min): {}", interval.count(),
                 pruned.error().message);
      continue;
    }
    log->info("pruned inbox={} statuses={} parked={} batches={}", pruned->inbox_rows,
              pruned->status_rows, pruned->parked_messages, pruned->batches);
  }
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
      apps::LoadTemplatesOrExit(config, bot::WorkerTemplateNames(), "chatshop-worker");
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
