#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bot/engine.h"
#include "infra/postgres.h"
#include "orders/bill.h"
#include "orders/order.h"

namespace chatshop::infra {

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
