#pragma once

#include <optional>
#include <string>

#include "infra/postgres.h"
#include "service/ports/order_clock_store.h"

namespace chatshop::infra {

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

}  // namespace chatshop::infra
