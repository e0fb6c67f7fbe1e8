#pragma once

#include "service/ports/parking_lot.h"
#include "webhook/ports.h"

namespace chatshop::infra {

// service::ParkingLot on the broker's parking route: each message goes through `queue` (the
// worker's RabbitPublisher) as a webhook::QueueMessage routed kParked, with its reason, and
// Park returns once the broker confirmed it. Thread-safe when `queue` is.
class QueueParkingLot : public service::ParkingLot {
 public:
  explicit QueueParkingLot(webhook::EventQueue& queue) : queue_(queue) {}

  Status Park(const service::ParkedMessage& message) override;

 private:
  webhook::EventQueue& queue_;
};

}  // namespace chatshop::infra
