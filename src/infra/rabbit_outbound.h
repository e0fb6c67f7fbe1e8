#pragma once

#include "infra/rabbitmq.h"
#include "service/ports/outbound_queue.h"

namespace chatshop::infra {

// service::OutboundQueue on RabbitMQ through a RabbitPublisher (confirmed publishes): jobs go to
// the outbound shard of their (shop number, recipient), delayed jobs to the delay band of
// their delay with a per-message expiration (and come back to the same shard), given-up jobs
// to the dead-letter queue with x-chatshop-reason and x-chatshop-code. Thread-safe.
class RabbitOutboundQueue : public service::OutboundQueue {
 public:
  RabbitOutboundQueue(RabbitPublisher& publisher, RabbitSettings settings)
      : publisher_(publisher), settings_(std::move(settings)), names_{settings_.name_prefix} {}

  Status Enqueue(const std::vector<service::OutboundJob>& jobs) override;
  Status Delay(const service::OutboundJob& job, std::chrono::milliseconds delay) override;
  Status DeadLetter(const service::OutboundJob& job, int64_t code,
                    const std::string& error) override;
  Status ReportUndelivered(const service::UndeliveredReply& reply) override;

  // The routing key of a job's shard.
  std::string ShardKey(const service::OutboundJob& job) const;

 private:
  RabbitPublisher& publisher_;
  RabbitSettings settings_;
  RabbitNames names_;
};

// The message id of an outbound job's queue messages ("outbox-<id>"): what `chatshopctl dlq`
// names a dead letter by.
std::string OutboundMessageId(int64_t outbox_id);

}  // namespace chatshop::infra
