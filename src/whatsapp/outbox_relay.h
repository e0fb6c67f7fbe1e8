#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "common/metrics.h"
#include "common/result.h"
#include "whatsapp/ports.h"

namespace chatshop::whatsapp {

struct OutboxRelaySettings {
  int batch = 32;
  int max_attempts = 8;
};

// Moves replies from the durable outbox to the Graph API: claim due rows, send each, record
// the wamid, or schedule a retry with exponential backoff, or give up on a permanent error.
// Not thread-safe: one relay per thread (several relays may share a store: rows are leased).
class OutboxRelay {
 public:
  OutboxRelay(OutboxStore& store, GraphApi& graph, OutboxRelaySettings settings,
              common::MetricsRegistry& metrics);

  // One pass. Returns how many rows it handled (0 when nothing was due); kUnavailable when the
  // store cannot be reached.
  [[nodiscard]] Result<int> RunOnce();

 private:
  OutboxStore& store_;
  GraphApi& graph_;
  OutboxRelaySettings settings_;
  common::Counter& sent_;
  common::Counter& retried_;
  common::Counter& failed_;
  common::Counter& templates_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::whatsapp
