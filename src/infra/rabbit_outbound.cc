#include "infra/rabbit_outbound.h"

#include "common/shard.h"
#include "common/utf8.h"

namespace chatshop::infra {

std::string OutboundMessageId(int64_t outbox_id) { return "outbox-" + std::to_string(outbox_id); }

std::string RabbitOutboundQueue::ShardKey(const service::OutboundJob& job) const {
  return names_.ShardRoutingKey(
      common::StableShard(job.phone_number_id, job.recipient, settings_.outbound_shards));
}

Status RabbitOutboundQueue::Enqueue(const std::vector<service::OutboundJob>& jobs) {
  std::vector<Envelope> envelopes;
  envelopes.reserve(jobs.size());
  for (const auto& job : jobs) {
    envelopes.push_back({names_.OutboundExchange(),
                         ShardKey(job),
                         OutboundMessageId(job.outbox_id),
                         job.ToJson().dump(),
                         {},
                         0});
  }
  return publisher_.Publish(std::move(envelopes));
}

Status RabbitOutboundQueue::Delay(const service::OutboundJob& job,
                                  std::chrono::milliseconds delay) {
  const int64_t ms = std::max<int64_t>(1, delay.count());
  return publisher_.Publish({{names_.DelayExchange(DelayBand(delay)),
                              ShardKey(job),
                              OutboundMessageId(job.outbox_id),
                              job.ToJson().dump(),
                              {},
                              ms}});
}

Status RabbitOutboundQueue::DeadLetter(const service::OutboundJob& job, int64_t code,
                                       const std::string& error) {
  // Published by name through the default exchange.
  return publisher_.Publish({{"",
                              names_.DeadLetterQueue(),
                              OutboundMessageId(job.outbox_id),
                              job.ToJson().dump(),
                              {{"x-chatshop-reason", common::CutUtf8(error, kMaxReasonHeaderBytes)},
                               {"x-chatshop-code", std::to_string(code)}},
                              0}});
}

Status RabbitOutboundQueue::ReportUndelivered(const service::UndeliveredReply& reply) {
  // Onto the customer's inbound shard, like the webhook's events.
  const whatsapp::InboundEvent failed_status = reply.AsFailedStatus();
  const int shard = common::StableShard(failed_status.phone_number_id, failed_status.customer,
                                        settings_.inbound_shards);
  return publisher_.Publish({{names_.InboundExchange(),
                              names_.ShardRoutingKey(shard),
                              failed_status.DedupeKey(),
                              failed_status.ToJson().dump(),
                              {},
                              0}});
}

}  // namespace chatshop::infra
