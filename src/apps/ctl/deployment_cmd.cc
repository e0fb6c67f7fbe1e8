// `chatshopctl db …`, `config check`, `webhook info` and `send-test`: the deployment itself.
#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/retention.h"
#include "apps/wiring.h"
#include "common/phone.h"
#include "infra/migrations.h"
#include "infra/pg_shop_directory.h"
#include "infra/postgres.h"
#include "infra/rabbitmq.h"
#include "infra/redis_cache.h"
#include "whatsapp/outbound.h"

namespace chatshop::ctl {
namespace {

int DbMigrate(const common::Config& config) {
  infra::Migrator migrator(config.postgres.url);
  auto applied = migrator.Migrate();
  if (!applied) return Fail(applied.error());
  if (applied->empty()) std::cout << "schema is up to date\n";
  for (int version : *applied) std::cout << "applied migration " << version << "\n";
  return 0;
}

int DbStatus(const common::Config& config) {
  infra::Migrator migrator(config.postgres.url);
  auto states = migrator.Status();
  if (!states) return Fail(states.error());
  for (const auto& s : *states) {
    std::printf("%04d  %-32s  %s\n", s.version, s.name.c_str(),
                s.applied_at ? ("applied " + *s.applied_at).c_str() : "pending");
  }
  return 0;
}

// Applies [retention] once (the workers also do it on a timer).
int DbPrune(const common::Config& config, bool dry_run) {
  auto pruned = apps::PruneOnce(config, dry_run);
  if (!pruned) return Fail(pruned.error());
  const auto& r = config.retention;
  const char* verb = dry_run ? "would delete" : "deleted";
  std::cout << verb << " " << pruned->inbox_rows << " inbox rows older than " << r.inbox_days
            << " days, " << pruned->status_rows << " delivery statuses older than "
            << r.message_status_days << " days";
  if (!dry_run)
    std::cout << " (" << pruned->batches << " batches of at most " << r.batch_rows << ")";
  std::cout << ", " << pruned->parked_messages << " parked messages older than " << r.parked_days
            << " days\n";
  return 0;
}

// What to paste into Meta's dashboard (App → WhatsApp → Configuration).
int WebhookInfo(const common::Config& config) {
  const std::string base =
      config.http.public_url.empty() ? "https://<your public host>" : config.http.public_url;
  std::cout << "Callback URL:  " << base << config.http.webhook_path << "\n"
            << "Verify token:  " << config.whatsapp.verify_token << "\n"
            << "Subscribe the app to the webhook field: messages\n"
            << "The gateway listens on " << config.http.listen.ToString()
            << "; put TLS (nginx) in front of it at the callback URL.\n";
  if (config.http.public_url.empty()) {
    std::cout << "(set [http] public_url to print the exact callback URL)\n";
  }
  return 0;
}

// A text from the shop's number to `to`, through the outbox and the sender like any reply.
int SendTest(const common::Config& config, const std::string& shop, std::string to,
             const std::string& text) {
  auto digits = common::E164Digits(to);
  if (!digits) {
    std::cerr << "chatshopctl: NUMBER: a WhatsApp number with country code, like 919812345678\n";
    return 1;
  }
  to = *digits;
  if (text.empty()) {
    std::cerr << "chatshopctl: TEXT: what to send\n";
    return 1;
  }
  auto shop_id = ShopId(config, shop);
  if (!shop_id) return 1;
  auto id = infra::PgShopDirectory(config.postgres.url)
                .QueueMessage(*shop_id, to, whatsapp::BuildTextMessage(to, text));
  if (!id) return Fail(id.error());
  std::cout << "queued outbox-" << *id << " to +" << to
            << "; a running worker (--role sender) sends it — `chatshopctl dlq list` shows it "
               "if Meta refuses it. Outside the customer's 24-hour window Meta accepts only "
               "templates.\n";
  return 0;
}

// The config was loaded and checked already (unknown keys, types, ranges); this tries every
// server it names.
int ConfigCheck(const common::Config& config) {
  std::cout << config.source << ": every key is known and valid\n";
  bool all_ok = true;
  auto report = [&](const char* what, const Status& status) {
    std::cout << "  " << what << ": " << (status ? "ok" : "NOT OK — " + status.error().message)
              << "\n";
    all_ok = all_ok && status.has_value();
  };
  report("postgres", infra::PingPostgres(config.postgres.url));
  if (!config.postgres.read_url.empty()) {
    report("postgres read_url", infra::PingPostgres(config.postgres.read_url));
  }
  report("redis", infra::PingRedis(apps::RedisTargetOf(config)));
  infra::RabbitSettings rabbit = apps::RabbitSettingsOf(config);
  report("rabbitmq (and its queues)", infra::DeclareTopology(rabbit));
  if (!all_ok) {
    std::cout << "some servers cannot be reached: see above\n";
    return 2;
  }
  return 0;
}

}  // namespace

void AddDeploymentCommands(CLI::App& cli, CommandTable& table) {
  auto* db = cli.add_subcommand("db", "database schema");
  db->require_subcommand(1);
  table.Add(db->add_subcommand("migrate", "apply the migrations that are missing"), DbMigrate);
  table.Add(db->add_subcommand("status", "list migrations and when each was applied"), DbStatus);
  auto dry_run = std::make_shared<bool>(false);
  auto* prune = db->add_subcommand(
      "prune",
      "delete inbox rows, delivery statuses and parked messages older than [retention] says");
  prune->add_flag("--dry-run", *dry_run, "only count what would be deleted");
  table.Add(prune, [dry_run](const common::Config& config) { return DbPrune(config, *dry_run); });

  auto* config_cmd = cli.add_subcommand("config", "the configuration");
  config_cmd->require_subcommand(1);
  table.Add(
      config_cmd->add_subcommand("check", "validate the config and reach every server it names"),
      ConfigCheck);
  auto* webhook = cli.add_subcommand("webhook", "the webhook Meta calls");
  webhook->require_subcommand(1);
  table.Add(
      webhook->add_subcommand("info", "the callback URL and verify token for Meta's dashboard"),
      WebhookInfo);

  struct SendOptions {
    std::string phone_number_id, to, text;
  };
  auto o = std::make_shared<SendOptions>();
  auto* send_test = cli.add_subcommand("send-test", "send TEXT from the shop's number to NUMBER");
  send_test->add_option("shop", o->phone_number_id, "the shop's phone_number_id")->required();
  send_test->add_option("number", o->to, "the recipient, like 919812345678")->required();
  send_test->add_option("text", o->text, "what to send")->required();
  table.Add(send_test, [o](const common::Config& config) {
    return SendTest(config, o->phone_number_id, o->to, o->text);
  });
}

}  // namespace chatshop::ctl
