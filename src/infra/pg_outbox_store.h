#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "infra/postgres.h"
#include "service/ports/outbox.h"

namespace chatshop::infra {

// service::OutboxStore on PostgreSQL. Unqueued rows are leased with FOR UPDATE SKIP LOCKED,
// so several relays may share the table. One per thread.
class PgOutboxStore : public service::OutboxStore {
 public:
  // `lease`: how long claimed rows stay with this relay before another may queue them;
  // `requeue_after`: how long a queued reply may go unsent before its job is presumed lost.
  explicit PgOutboxStore(std::string url, std::chrono::seconds lease = std::chrono::seconds(30),
                         std::chrono::seconds requeue_after = std::chrono::minutes(10))
      : session_(std::move(url)), lease_(lease), requeue_after_(requeue_after) {}

  Result<std::vector<service::OutboundJob>> ClaimUnqueued(int limit) override;
  Status MarkQueued(const std::vector<int64_t>& ids) override;
  Result<std::optional<service::OutboxMessage>> Load(int64_t id) override;
  Status MarkSent(int64_t id, const std::string& wamid) override;
  Status MarkAttempt(int64_t id, int attempts, const std::string& error) override;
  Status MarkDead(int64_t id, int64_t code, const std::string& error) override;
  Status HoldShop(int64_t shop_id, const std::string& refused_token,
                  const std::string& error) override;

  // A dead reply made pending again (attempts from zero), for `chatshopctl dlq replay`: the
  // relay queues it like a new one. False when it is not dead.
  Result<bool> Revive(int64_t id);

 private:
  PgSession session_;
  std::chrono::seconds lease_;
  std::chrono::seconds requeue_after_;
};

}  // namespace chatshop::infra
