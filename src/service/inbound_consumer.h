#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "service/delivery.h"
#include "service/inbound_processor.h"
#include "service/parking.h"

namespace chatshop::service {

// The inbound shard queues' handler: reads the event a delivery carries, hands it to the
// processor and turns its disposition into what the queue does — acknowledge, keep for a
// retry, or park (through `parking`) what can never succeed: an unreadable event, or one the
// processor dead-letters. A processor that throws (a bug) parks the message rather than taking
// the worker down and crashing it again on the same message. Not thread-safe (the processor
// is not): one per consumer thread.
class InboundConsumer {
 public:
  InboundConsumer(InboundProcessor& processor, ParkingPolicy& parking);

  [[nodiscard]] DeliveryAction Consume(const QueueDelivery& delivery);

 private:
  InboundProcessor& processor_;
  ParkingPolicy& parking_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
