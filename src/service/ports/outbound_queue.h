#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "service/ports/outbox.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::service {

// A reply the sender gave up on for good (Meta never accepted it), for the bot: when it was an
// order notice, the owners must hear that the customer did not get it.
struct UndeliveredReply {
  int64_t outbox_id = 0;
  std::string phone_number_id;
  std::string recipient;  // wa_id
  int64_t meta_code = 0;  // Meta's error code; 0: none (a network error)
  std::string error;      // Meta's message, or ours

  // How it travels on the inbound queue: as the "failed" status Meta's webhook sends for a
  // message it could not deliver (id and biz_opaque_callback_data "outbox-<id>", no wamid),
  // so the bot records it with the other delivery statuses and the owners' report is queued
  // once, whichever of the two reported the failure.
  whatsapp::InboundEvent AsFailedStatus() const;
};

// The outbound queues (RabbitMQ): shards by recipient, delay queues, dead letters. Every call
// returns once the broker confirmed. Thread-safe.
class OutboundQueue {
 public:
  virtual ~OutboundQueue() = default;
  [[nodiscard]] virtual Status Enqueue(const std::vector<OutboundJob>& jobs) = 0;
  // Back on its shard queue after about `delay`.
  [[nodiscard]] virtual Status Delay(const OutboundJob& job, std::chrono::milliseconds delay) = 0;
  // To the dead-letter queue with Meta's code and message.
  [[nodiscard]] virtual Status DeadLetter(const OutboundJob& job, int64_t code,
                                          const std::string& error) = 0;
  // Hands the bot a reply given up on (onto its recipient's inbound shard), so that an
  // undelivered order notice reaches the owners.
  [[nodiscard]] virtual Status ReportUndelivered(const UndeliveredReply& reply) = 0;
};

}  // namespace chatshop::service
