#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "common/metrics.h"
#include "common/result.h"
#include "service/ports/outbound_queue.h"
#include "service/ports/outbox.h"

namespace chatshop::service {

// Moves replies from the durable outbox (written in the same transaction as the effect that
// caused them) onto the outbound queues: claim what is not queued yet, publish it with
// confirms, mark it queued. A relay that dies in between gives the rows back when their lease
// ends; a reply queued twice is still sent once (the sender checks the row). Not thread-safe:
// one relay per thread; several relays may share a store.
class OutboxRelay {
 public:
  OutboxRelay(OutboxStore& store, OutboundQueue& queue, int batch,
              common::MetricsRegistry& metrics);

  // One pass. Returns how many replies it queued (0 when none was waiting); kUnavailable when
  // the store or the broker cannot be reached.
  [[nodiscard]] Result<int> RunOnce();

 private:
  OutboxStore& store_;
  OutboundQueue& queue_;
  int batch_;
  common::Counter& queued_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
