#pragma once

#include <string>

namespace chatshop::service {

// A message taken from a queue, as the consumers below see it (the broker's own delivery type
// stays in src/infra).
struct QueueDelivery {
  std::string message_id;
  std::string body;
};

// What to do with a delivery once it was handled.
enum class DeliveryAction {
  kAck,    // the effect is committed (or there is nothing to do): remove it from the queue
  kRetry,  // a dependency is down: keep the message and hand it over again after a pause
};

}  // namespace chatshop::service
