#include "service/outbox_relay.h"

#include "common/logging.h"

namespace chatshop::service {

OutboxRelay::OutboxRelay(OutboxStore& store, OutboundQueue& queue, int batch,
                         common::MetricsRegistry& metrics)
    : store_(store),
      queue_(queue),
      batch_(batch),
      queued_(metrics.GetCounter("chatshop_outbox_queued_total",
                                 "Replies moved from the outbox to the outbound queues")),
      log_(common::GetLogger("outbox")) {}

Result<int> OutboxRelay::RunOnce() {
  auto claimed = store_.ClaimUnqueued(batch_);
  if (!claimed) return tl::unexpected(claimed.error());
  if (claimed->empty()) return 0;
  if (auto published = queue_.Enqueue(*claimed); !published) {
    return tl::unexpected(published.error());  // the lease brings them back
  }
  std::vector<int64_t> ids;
  for (const auto& job : *claimed) ids.push_back(job.outbox_id);
  if (auto marked = store_.MarkQueued(ids); !marked) return tl::unexpected(marked.error());
  queued_.Increment(ids.size());
  log_->debug("queued {} replies", ids.size());
  return static_cast<int>(ids.size());
}

}  // namespace chatshop::service
