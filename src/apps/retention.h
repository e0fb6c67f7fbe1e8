#pragma once

#include <cstdint>

#include "common/config.h"
#include "common/result.h"

namespace chatshop::apps {

// What one prune removed (or, dry, would remove).
struct PruneReport {
  int64_t inbox_rows = 0;
  int64_t status_rows = 0;
  int64_t parked_messages = 0;
  int64_t batches = 0;  // DELETE statements run
};

// Applies [retention]: deletes inbox rows older than inbox_days, message_status rows older than
// message_status_days (batch_rows per statement) and parked messages older than parked_days.
// With `dry_run`, only counts. The first failure ends it (what was deleted stays deleted).
// Shared by `chatshopctl db prune` and the worker's timer.
[[nodiscard]] Result<PruneReport> PruneOnce(const common::Config& config, bool dry_run);

}  // namespace chatshop::apps
