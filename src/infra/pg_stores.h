#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "bot/ports.h"
#include "infra/postgres.h"
#include "webhook/ports.h"
#include "whatsapp/ports.h"

namespace chatshop::infra {

// bot::InboundStore on PostgreSQL (tables shops, inbox, outbox). One per thread.
class PgInboundStore : public bot::InboundStore {
 public:
  explicit PgInboundStore(std::string url) : session_(std::move(url)) {}

  Result<bot::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override;
  Result<bool> RecordInbound(const whatsapp::InboundEvent& event, const bot::ShopRecord& shop,
                             const std::vector<nlohmann::json>& replies) override;

 private:
  PgSession session_;
};

// whatsapp::OutboxStore on PostgreSQL. Rows are leased with FOR UPDATE SKIP LOCKED, so several
// senders may share the table. One per thread.
class PgOutboxStore : public whatsapp::OutboxStore {
 public:
  explicit PgOutboxStore(std::string url) : session_(std::move(url)) {}

  Result<std::vector<whatsapp::OutboxMessage>> ClaimDue(int limit) override;
  Status MarkSent(int64_t id, const std::string& wamid) override;
  Status MarkRetry(int64_t id, std::chrono::seconds delay, const std::string& error) override;
  Status MarkFailed(int64_t id, const std::string& error) override;

 private:
  PgSession session_;
};

// /readyz check: the database answers a query. Thread-safe.
class PgReadinessCheck : public webhook::ReadinessCheck {
 public:
  explicit PgReadinessCheck(std::string url) : session_(std::move(url)) {}
  std::string name() const override { return "postgres"; }
  Status Check() override;

 private:
  std::mutex mutex_;
  PgSession session_;
};

// A shop as the admin sees it (the token is write-only: never read back).
struct ShopSummary {
  int64_t id = 0;
  std::string phone_number_id;
  std::string name;
  std::string created_at;  // UTC, ISO 8601
};

// Shop administration for chatshopctl. One per thread.
class PgShopDirectory {
 public:
  explicit PgShopDirectory(std::string url) : session_(std::move(url)) {}

  // Registers a shop, or updates its name and token when the number is already registered.
  [[nodiscard]] Result<ShopSummary> UpsertShop(const std::string& phone_number_id,
                                               const std::string& name,
                                               const std::string& access_token);
  [[nodiscard]] Result<std::vector<ShopSummary>> ListShops();

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
