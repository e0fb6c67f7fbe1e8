#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "service/delivery.h"
#include "service/ports/parking_lot.h"

namespace chatshop::service {

// What the inbound consumer does with a message that can never succeed: a copy goes to the
// parking lot with the reason, and only once the lot confirmed it is the original
// acknowledged. A copy the broker refuses for good (an id it will not take) is parked without
// its id, which the body still carries, rather than asked for again: that would hold the
// shard's queue, and every later message of its customers, forever. Thread-safe when the lot
// is.
class ParkingPolicy {
 public:
  explicit ParkingPolicy(ParkingLot& lot);

  // kAck once a copy is parked; kRetry when the lot cannot be reached (or refused both tries).
  [[nodiscard]] DeliveryAction Park(const QueueDelivery& delivery, const std::string& reason);

 private:
  ParkingLot& lot_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
