#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "service/delivery.h"
#include "service/outbound_sender.h"

namespace chatshop::service {

// The outbound shard queues' handler: reads the job a delivery carries and hands it to the
// sender. An unreadable job (not one the relay wrote) is dropped, logged, so that it cannot
// hold the queue. A sender error or exception keeps the message for a retry. Not thread-safe (the
// sender is not): one per consumer thread.
class OutboundConsumer {
 public:
  explicit OutboundConsumer(OutboundSender& sender);

  [[nodiscard]] DeliveryAction Consume(const QueueDelivery& delivery);

 private:
  OutboundSender& sender_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
