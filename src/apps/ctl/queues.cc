// `chatshopctl dlq …` and `queues`: what the broker holds.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/wiring.h"
#include "infra/pg_outbox_store.h"
#include "infra/rabbit_outbound.h"
#include "infra/rabbitmq.h"

namespace chatshop::ctl {
namespace {

using nlohmann::json;

json DeadLetterJson(const infra::Delivery& d) {
  auto job = service::OutboundJob::FromJson(json::parse(d.body, nullptr, false));
  json out = {{"id", d.message_id},
              {"code", std::atoll(d.Header("x-chatshop-code").c_str())},
              {"reason", d.reason},
              {"dead_since", d.published_at}};
  if (job) {
    out["outbox_id"] = job->outbox_id;
    out["phone_number_id"] = job->phone_number_id;
    out["recipient"] = job->recipient;
  }
  return out;
}

std::string Since(int64_t epoch) {
  if (epoch <= 0) return "?";
  const std::time_t t = static_cast<std::time_t>(epoch);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", std::gmtime(&t));
  return text;
}

int DlqList(const common::Config& config, int limit, bool as_json) {
  const auto rabbit = apps::RabbitSettingsOf(config);
  auto seen = infra::Peek(rabbit, infra::RabbitNames{rabbit.name_prefix}.DeadLetterQueue(), limit);
  if (!seen) return Fail(seen.error());
  json list = json::array();
  for (const auto& d : *seen) list.push_back(DeadLetterJson(d));
  if (as_json) {
    std::cout << list.dump() << "\n";
    return 0;
  }
  if (list.empty()) {
    std::cout << "no dead letters\n";
    return 0;
  }
  std::printf("%-16s %-16s %-15s %-7s %-20s %s\n", "ID", "SHOP NUMBER", "RECIPIENT", "CODE",
              "DEAD SINCE (UTC)", "REASON");
  for (const auto& d : list) {
    std::printf("%-16s %-16s %-15s %-7lld %-20s %s\n", d["id"].get<std::string>().c_str(),
                d.value("phone_number_id", "?").c_str(), d.value("recipient", "?").c_str(),
                static_cast<long long>(d["code"].get<int64_t>()),
                Since(d["dead_since"].get<int64_t>()).c_str(),
                d["reason"].get<std::string>().c_str());
  }
  return 0;
}

int DlqShow(const common::Config& config, const std::string& id) {
  const auto rabbit = apps::RabbitSettingsOf(config);
  auto seen = infra::Peek(rabbit, infra::RabbitNames{rabbit.name_prefix}.DeadLetterQueue(), 100000);
  if (!seen) return Fail(seen.error());
  for (const auto& d : *seen) {
    if (d.message_id != id) continue;
    json out = DeadLetterJson(d);
    // What was to be sent, from the outbox (the source of truth).
    if (out.contains("outbox_id")) {
      infra::PgOutboxStore store(apps::PostgresReadUrlOf(config));
      auto row = store.Load(out["outbox_id"].get<int64_t>());
      if (!row) return Fail(row.error());
      if (*row) {
        out["status"] = (*row)->status;
        out["attempts"] = (*row)->attempts;
        out["payload"] = (*row)->payload;
      }
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cerr << "chatshopctl: no dead letter " << id << " (see `chatshopctl dlq list`)\n";
  return 1;
}

int DlqReplay(const common::Config& config, const std::string& id) {
  const auto rabbit = apps::RabbitSettingsOf(config);
  infra::PgOutboxStore store(config.postgres.url);
  int64_t outbox_id = 0;
  bool revived = false;
  // The reply becomes pending in the outbox, where the worker's relay queues it like a new
  // one; only then is the dead letter removed. Interrupted in between, the reply goes out
  // anyway and a second replay only drops the stale dead letter.
  auto taken = infra::TakeOne(
      rabbit, infra::RabbitNames{rabbit.name_prefix}.DeadLetterQueue(), id,
      [&](const infra::Delivery& d) -> Status {
        auto job = service::OutboundJob::FromJson(json::parse(d.body, nullptr, false));
        if (!job) return MakeError(ErrorCode::kInvalidArgument, id + " is not a reply");
        outbox_id = job->outbox_id;
        auto done = store.Revive(job->outbox_id);
        if (!done) return tl::unexpected(done.error());
        revived = *done;
        return Ok();
      });
  if (!taken) {
    if (taken.error().code == ErrorCode::kNotFound) {
      std::cerr << "chatshopctl: no dead letter " << id << " (see `chatshopctl dlq list`)\n";
      return 1;
    }
    return Fail(taken.error());
  }
  if (!revived) {
    std::cout << id << " removed: its reply (outbox row " << outbox_id
              << ") is no longer dead — sent or already on its way\n";
    return 0;
  }
  std::cout << id << " will be sent again (outbox row " << outbox_id << ")\n";
  return 0;
}

int DlqPurge(const common::Config& config, bool yes) {
  if (!yes) {
    std::cerr << "chatshopctl: purge drops every dead letter for good; add --yes to do it\n";
    return 1;
  }
  const auto rabbit = apps::RabbitSettingsOf(config);
  auto purged = infra::Purge(rabbit, infra::RabbitNames{rabbit.name_prefix}.DeadLetterQueue());
  if (!purged) return Fail(purged.error());
  std::cout << "dropped " << *purged << " dead letters\n";
  return 0;
}

int Queues(const common::Config& config, bool as_json) {
  const auto rabbit = apps::RabbitSettingsOf(config);
  infra::RabbitNames names{rabbit.name_prefix};
  std::vector<std::string> queues;
  for (int s = 0; s < rabbit.inbound_shards; ++s) queues.push_back(names.InboundQueue(s));
  queues.push_back(names.ParkedQueue());
  for (int s = 0; s < rabbit.outbound_shards; ++s) queues.push_back(names.OutboundQueue(s));
  for (int b = 0; b < infra::kDelayBands; ++b) queues.push_back(names.DelayQueue(b));
  queues.push_back(names.DeadLetterQueue());
  json list = json::array();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& queue : queues) {
    auto depth = infra::QueueDepth(rabbit, queue);
    if (!depth) return Fail(depth.error());
    json row = {{"queue", queue}, {"depth", *depth}, {"oldest_seconds", nullptr}};
    // The head's age, peeked. Not on the inbound shard queues: a peek takes the head past the
    // single active consumer and would let the next event of that customer overtake it. The
    // outbound ones may be peeked: the sender keeps each customer's order from the outbox. Not
    // as quorum queues, though: RabbitMQ refuses basic.get on a quorum queue with a single
    // active consumer (RESOURCE_LOCKED), and a peek would count towards the delivery limit.
    const bool inbound_shard = queue.rfind(names.InboundExchange() + ".", 0) == 0;
    bool outbound_shard = false;
    for (int s = 0; s < rabbit.outbound_shards; ++s) {
      outbound_shard = outbound_shard || queue == names.OutboundQueue(s);
    }
    const bool limited = rabbit.queue_type == infra::QueueType::kQuorum && outbound_shard;
    if (*depth > 0 && !inbound_shard && !limited) {
      auto head = infra::Peek(rabbit, queue, 1);
      if (head && !head->empty() && (*head)[0].published_at > 0) {
        row["oldest_seconds"] = now - (*head)[0].published_at;
      }
    }
    list.push_back(row);
  }
  if (as_json) {
    std::cout << list.dump() << "\n";
    return 0;
  }
  std::printf("%-40s %8s %12s\n", "QUEUE", "DEPTH", "OLDEST (s)");
  for (const auto& q : list) {
    const std::string age =
        q["oldest_seconds"].is_null() ? "-" : std::to_string(q["oldest_seconds"].get<int64_t>());
    std::printf("%-40s %8u %12s\n", q["queue"].get<std::string>().c_str(),
                q["depth"].get<uint32_t>(), age.c_str());
  }
  return 0;
}

}  // namespace

void AddQueueCommands(CLI::App& cli, CommandTable& table) {
  struct ListOptions {
    int limit = 100;
    bool json = false;
  };
  struct IdOptions {
    std::string id;
  };
  auto* dlq = cli.add_subcommand("dlq", "replies given up on (the dead-letter queue)");
  dlq->require_subcommand(1);
  auto list_options = std::make_shared<ListOptions>();
  auto* list =
      dlq->add_subcommand("list", "the dead letters, oldest first, with Meta's code and reason");
  list->add_option("--limit", list_options->limit, "show at most this many")
      ->check(CLI::Range(1, 100000));
  list->add_flag("--json", list_options->json, "JSON for scripts");
  table.Add(list, [o = list_options](const common::Config& config) {
    return DlqList(config, o->limit, o->json);
  });
  auto show_options = std::make_shared<IdOptions>();
  auto* show = dlq->add_subcommand("show", "one dead letter and the reply it was");
  show->add_option("id", show_options->id, "its id, like outbox-42")->required();
  table.Add(show,
            [o = show_options](const common::Config& config) { return DlqShow(config, o->id); });
  auto replay_options = std::make_shared<IdOptions>();
  auto* replay = dlq->add_subcommand("replay", "send a dead letter again (after fixing its cause)");
  replay->add_option("id", replay_options->id, "its id, like outbox-42")->required();
  table.Add(replay, [o = replay_options](const common::Config& config) {
    return DlqReplay(config, o->id);
  });
  auto yes = std::make_shared<bool>(false);
  auto* purge = dlq->add_subcommand("purge", "drop every dead letter");
  purge->add_flag("--yes", *yes, "really");
  table.Add(purge, [yes](const common::Config& config) { return DlqPurge(config, *yes); });
  auto queues_json = std::make_shared<bool>(false);
  auto* queues = cli.add_subcommand("queues", "depth and age of every queue");
  queues->add_flag("--json", *queues_json, "JSON for scripts");
  table.Add(queues,
            [queues_json](const common::Config& config) { return Queues(config, *queues_json); });
}

}  // namespace chatshop::ctl
