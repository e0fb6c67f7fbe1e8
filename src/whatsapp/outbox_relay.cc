#include "whatsapp/outbox_relay.h"

#include "common/logging.h"

namespace chatshop::whatsapp {

nlohmann::json OutboundJob::ToJson() const {
  return {{"outbox_id", outbox_id}, {"phone_number_id", phone_number_id}, {"recipient", recipient}};
}

Result<OutboundJob> OutboundJob::FromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("outbox_id") || !json["outbox_id"].is_number_integer() ||
      !json.contains("phone_number_id") || !json["phone_number_id"].is_string() ||
      !json.contains("recipient") || !json["recipient"].is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "not an outbound job");
  }
  return OutboundJob{json["outbox_id"].get<int64_t>(), json["phone_number_id"].get<std::string>(),
                     json["recipient"].get<std::string>()};
}

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

}  // namespace chatshop::whatsapp
