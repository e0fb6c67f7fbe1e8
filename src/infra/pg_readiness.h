#pragma once

#include <mutex>
#include <string>

#include "infra/postgres.h"
#include "webhook/ports.h"

namespace chatshop::infra {

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

}  // namespace chatshop::infra
