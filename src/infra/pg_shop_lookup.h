#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "infra/postgres.h"

namespace chatshop::infra {

// Finds a shop by the number an admin types (chatshopctl's --shop). Not thread-safe: one per
// thread.
class PgShopLookup {
 public:
  explicit PgShopLookup(std::string url) : session_(std::move(url)) {}

  // The id of the shop whose WhatsApp number has `phone_number_id` (a disabled shop too);
  // kNotFound when there is none, kUnavailable when PostgreSQL cannot be reached.
  [[nodiscard]] Result<int64_t> IdOf(const std::string& phone_number_id);

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
