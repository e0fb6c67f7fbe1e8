#pragma once

#include <string>

#include "common/result.h"

namespace chatshop::service {

// An inbound message that can never be handled, kept for an operator with the reason.
struct ParkedMessage {
  std::string message_id;  // the queue message's id; may be empty
  std::string reason;
  std::string body;  // the message exactly as consumed
};

// Where such messages are kept (the parking queue, `chatshopctl dlq`). Thread-safe.
class ParkingLot {
 public:
  virtual ~ParkingLot() = default;
  // Returns once the broker confirmed the copy. kUnavailable (and other retryable codes) when
  // it could not be reached; a code that is not retryable when it refused this message.
  [[nodiscard]] virtual Status Park(const ParkedMessage& message) = 0;
};

}  // namespace chatshop::service
