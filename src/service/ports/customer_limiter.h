#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace chatshop::service {

// What the rate limiter makes of one customer message.
struct Admission {
  bool admitted = true;
  bool tell = false;  // refused, and the first refusal of this window: say "slow down" once
};

// Counts customers' messages over a sliding window, shared by every worker process (issue 13):
// a customer may have at most `limit` messages admitted in any `window`. One instance per
// thread; implementations need not be thread-safe.
class CustomerMessageLimiter {
 public:
  virtual ~CustomerMessageLimiter() = default;
  // Admits message `message_id` (the wamid) of `customer` at shop `shop_id` when fewer than
  // `limit` of theirs were admitted within the last `window`; an id admitted before is admitted
  // again without being counted twice (a redelivery). A refusal says whether it is the first
  // since `window` ago. kUnavailable when the shared counter cannot be reached.
  [[nodiscard]] virtual Result<Admission> Admit(int64_t shop_id, const std::string& customer,
                                                const std::string& message_id, int limit,
                                                std::chrono::milliseconds window) = 0;
};

}  // namespace chatshop::service
