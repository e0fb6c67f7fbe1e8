#pragma once

#include <chrono>
#include <string>

#include "common/result.h"

namespace chatshop::service {

// Meta's throughput and pair-rate limits, shared by every sender (docs/cloud-api.md §8).
// One instance per thread.
class Pacer {
 public:
  virtual ~Pacer() = default;
  // Takes one send from `phone_number_id` to `recipient` when both limits allow it now and
  // returns 0; otherwise takes nothing and returns how long to wait before asking again.
  [[nodiscard]] virtual Result<std::chrono::milliseconds> Reserve(
      const std::string& phone_number_id, const std::string& recipient,
      int messages_per_second) = 0;
};

}  // namespace chatshop::service
