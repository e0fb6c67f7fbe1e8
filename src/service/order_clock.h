#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "common/metrics.h"
#include "common/templates.h"
#include "service/ports/catalog_source.h"
#include "service/ports/order_clock_store.h"

namespace chatshop::service {

// What the clock does to orders (DESIGN.md: AWAITING_PAYMENT ─expiry─▶ CANCELLED, the
// compensation): cancels reservations that lapsed unpaid, telling the customer, and reminds
// the owners once of a payment waiting too long for review. Not thread-safe: one per thread.
class OrderClock {
 public:
  // Stock a lapsed reservation puts back bumps the shop's catalog_version in the same
  // transaction, so no cached catalog needs telling.
  OrderClock(OrderClockStore& store, const common::TemplateSet& templates, int reservation_minutes,
             int review_reminder_minutes, common::MetricsRegistry& metrics);

  // Handles everything due now; returns how many orders it handled, or the first error (what
  // was handled before it stays handled).
  [[nodiscard]] Result<int> Tick();

 private:
  OrderClockStore& store_;
  const common::TemplateSet& templates_;
  int reservation_minutes_;
  int review_reminder_minutes_;
  common::Counter& expired_;
  common::Counter& reminded_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
