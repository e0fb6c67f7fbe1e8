#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bot/engine.h"
#include "infra/postgres.h"
#include "orders/bill.h"
#include "orders/order.h"
#include "orders/ports.h"
#include "service/ports/inbound_store.h"
#include "service/ports/order_clock_store.h"
#include "service/ports/outbox.h"
#include "service/ports/proof_store.h"
#include "webhook/ports.h"

namespace chatshop::infra {

// service::InboundStore on PostgreSQL (tables shops, owners, inbox, conversations, outbox, and the
// order tables through PgOrderLedger). One per thread.
class PgInboundStore : public service::InboundStore {
 public:
  explicit PgInboundStore(std::string url) : session_(std::move(url)) {}

  Result<service::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override;
  Result<bool> Handle(const whatsapp::InboundEvent& event, const service::ShopRecord& shop,
                      const Decide& decide) override;
  Result<bool> RecordStatus(const whatsapp::InboundEvent& status, const service::ShopRecord& shop,
                            const FailureReport& report) override;

 private:
  PgSession session_;
};

// service::OrderClockStore on PostgreSQL. One per thread; several workers may share the tables.
class PgOrderClockStore : public service::OrderClockStore {
 public:
  explicit PgOrderClockStore(std::string url) : session_(std::move(url)) {}
  Result<std::optional<orders::OrderView>> ExpireOne(int hold_minutes,
                                                     const Notices& notices) override;
  Result<std::optional<orders::OrderView>> RemindOne(int minutes, const Notices& notices) override;

 private:
  Result<std::optional<orders::OrderView>> Take(const char* due_condition, int minutes, bool expire,
                                                const Notices& notices);
  PgSession session_;
};

// service::ProofStore on PostgreSQL (payment_proofs, with orders and shops). One per thread.
class PgProofStore : public service::ProofStore {
 public:
  explicit PgProofStore(std::string url) : session_(std::move(url)) {}
  Result<std::vector<service::ProofJob>> ClaimDue(int limit, std::chrono::seconds lease) override;
  Status Complete(const service::ProofJob& job, const service::StoredMedia& media,
                  const Notices& notices) override;
  Status Retry(int64_t proof_id, std::chrono::seconds delay, const std::string& error) override;
  Status Fail(const service::ProofJob& job, const std::string& error,
              const Notices& notices) override;
  Status Refuse(const service::ProofJob& job, const std::string& reason, int hold_minutes,
                const CustomerNotices& notices) override;

 private:
  PgSession session_;
};

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

// orders::CatalogStore on PostgreSQL (table products). One per thread.
class PgCatalogStore : public orders::CatalogStore {
 public:
  explicit PgCatalogStore(std::string url) : session_(std::move(url)) {}

  // Called during ReplaceCatalog with (products written, products in all), every few hundred.
  void set_progress(std::function<void(size_t, size_t)> progress) {
    progress_ = std::move(progress);
  }

  Result<orders::Catalog> LoadCatalog(int64_t shop_id) override;
  Status ReplaceCatalog(int64_t shop_id, const orders::Catalog& catalog) override;
  Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock) override;
  // Adds `delta` (negative: takes away) to one product's stock in one statement, so it cannot
  // race a checkout; the new stock. kNotFound without the product, kFailedPrecondition when
  // the stock would go below zero (nothing changes then).
  Result<int64_t> AdjustStock(int64_t shop_id, const std::string& sku, int64_t delta);
  // Adds (or with `add` false removes) another name customers use for product `sku`; the
  // product's aliases afterwards. kNotFound without the product.
  Result<std::vector<std::string>> ChangeAlias(int64_t shop_id, const std::string& sku,
                                               const std::string& alias, bool add);

 private:
  std::function<void(size_t, size_t)> progress_;
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

// webhook::TenantDirectory from the shops table, held in memory. A number not in memory makes
// one reload (at most every `miss_reload_interval`), so a shop added a moment ago is found
// without waiting for the periodic reload. Thread-safe.
class PgTenantDirectory : public webhook::TenantDirectory {
 public:
  explicit PgTenantDirectory(std::string url, std::chrono::milliseconds miss_reload_interval =
                                                  std::chrono::milliseconds(500));

  bool IsKnown(const std::string& phone_number_id) override;
  // Reads the shops table now. kUnavailable when the database cannot be reached (the last
  // good list stays in use).
  [[nodiscard]] Status Reload();

 private:
  Status ReloadLocked();  // reload_mutex_ held
  std::chrono::milliseconds miss_reload_interval_;
  std::mutex reload_mutex_;  // one reload at a time; guards session_
  PgSession session_;
  std::mutex snapshot_mutex_;
  std::shared_ptr<const std::set<std::string>> numbers_;  // null until the first good load
  std::chrono::steady_clock::time_point loaded_at_{};
};

// A shop as the admin sees it (the token is write-only: never read back).
struct ShopSummary {
  int64_t id = 0;
  std::string phone_number_id;
  std::string name;
  std::string created_at;  // UTC, ISO 8601
  std::string locale;
  orders::DeliveryRule delivery;
  orders::PaymentOptions payment;
};

// Settings to change; what is unset stays as it is.
struct ShopSettingsChange {
  std::optional<std::string> name;
  std::optional<std::string> locale;
  std::optional<orders::Money> delivery_fee;
  std::optional<std::optional<orders::Money>> free_delivery_from;  // inner nullopt: never free
  std::optional<std::optional<std::string>> upi_vpa;               // inner nullopt: no UPI
  std::optional<bool> cod_allowed;
  std::optional<std::optional<int>> messages_per_second;  // inner nullopt: the configured default
  std::optional<std::optional<int>> reservation_minutes;  // inner nullopt: the configured default
  std::optional<std::string> display_phone_number;
  std::optional<std::string> waba_id;
  std::optional<std::string> upi_payee_name;
};

// A template a shop has replaced.
struct ShopTemplate {
  std::string locale;
  std::string name;
  std::string updated_at;  // UTC, ISO 8601
};

// Shop administration for chatshopctl. One per thread.
class PgShopDirectory {
 public:
  explicit PgShopDirectory(std::string url) : session_(std::move(url)) {}

  // Registers a shop, or updates its name and token when the number is already registered.
  // Replaces the shop's stored token (already sealed by the caller) and lifts a hold.
  // kNotFound without such a shop.
  [[nodiscard]] Status SetToken(const std::string& phone_number_id,
                                const std::string& stored_token);
  // Everything about one shop an admin may see — never its token, only whether it is stored
  // encrypted and whether Meta refused it; kNotFound without such a shop.
  [[nodiscard]] Result<nlohmann::json> ShowShop(const std::string& phone_number_id);
  // Queues a message to `to` in the outbox, as a reply is (the worker's sender sends it);
  // the outbox row's id.
  [[nodiscard]] Result<int64_t> QueueMessage(int64_t shop_id, const std::string& to,
                                             const nlohmann::json& payload);
  // Switches the shop off (its customers' messages are parked, unanswered) or on again.
  [[nodiscard]] Status SetDisabled(const std::string& phone_number_id, bool disabled);
  // The shop's token as stored (sealed, or plain from before a master key was set).
  [[nodiscard]] Result<std::string> StoredToken(const std::string& phone_number_id);
  [[nodiscard]] Result<ShopSummary> UpsertShop(const std::string& phone_number_id,
                                               const std::string& name,
                                               const std::string& access_token);
  [[nodiscard]] Result<std::vector<ShopSummary>> ListShops();
  // kNotFound when no shop has the number.
  [[nodiscard]] Result<ShopSummary> ChangeSettings(const std::string& phone_number_id,
                                                   const ShopSettingsChange& change);

  // The shop's own wording of template `name` in `locale`, used from the next message on.
  [[nodiscard]] Status SetTemplate(int64_t shop_id, const std::string& locale,
                                   const std::string& name, const std::string& body);
  // Back to the shipped wording; false when the shop had not replaced it.
  [[nodiscard]] Result<bool> ResetTemplate(int64_t shop_id, const std::string& locale,
                                           const std::string& name);
  [[nodiscard]] Result<std::vector<ShopTemplate>> ListTemplates(int64_t shop_id);

  // The approved template the shop's `kind` of order notice falls back to outside the
  // 24-hour window.
  [[nodiscard]] Status SetNoticeTemplate(int64_t shop_id, const std::string& kind,
                                         const bot::NoticeTemplate& notice_template);

  // Registers (or renames) an owner number of the shop.
  [[nodiscard]] Status AddOwner(int64_t shop_id, const bot::ShopOwner& owner);
  // False when the number was not an owner.
  [[nodiscard]] Result<bool> RemoveOwner(int64_t shop_id, const std::string& phone);
  [[nodiscard]] Result<std::vector<bot::ShopOwner>> ListOwners(int64_t shop_id);

 private:
  PgSession session_;
};

}  // namespace chatshop::infra

namespace chatshop::infra {

// One order as an admin lists it.
struct OrderSummary {
  int64_t number = 0;
  std::string status;
  std::string customer;
  int64_t total_minor = 0;
  std::string payment_method;
  std::string created_at;  // UTC, ISO 8601
  std::string updated_at;
};

// Orders as an admin sees and moves them (`chatshopctl orders …`). One per thread.
class PgOrderAdmin {
 public:
  explicit PgOrderAdmin(std::string url) : session_(std::move(url)) {}

  // The shop's orders, newest first: `status` (empty: any), created at or after `since`
  // (ISO 8601, empty: any).
  Result<std::vector<OrderSummary>> List(int64_t shop_id, const std::string& status,
                                         const std::string& since, int limit);
  // Order `number` with its lines, every order_events row and its payment proofs (path,
  // sha256, status); kNotFound when the shop has no such order.
  Result<nlohmann::json> Show(int64_t shop_id, int64_t number);

  // In one transaction: moves order `change.order_number` by the owner's rules (the event's
  // actor is "owner:admin") and queues `notices` for what became of it — the customer is
  // told as when the owner does it. The outcome says whether it moved.
  using Notices = std::function<std::vector<nlohmann::json>(const bot::Outcome& outcome)>;
  Result<bot::Outcome> Change(int64_t shop_id, const bot::ChangeOrder& change, int hold_minutes,
                              const Notices& notices);

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
