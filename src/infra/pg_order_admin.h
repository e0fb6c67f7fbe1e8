#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/effects.h"
#include "infra/postgres.h"

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
