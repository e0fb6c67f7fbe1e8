#pragma once

#include <string>

#include "infra/redis_script.h"
#include "service/ports/customer_limiter.h"

namespace chatshop::infra {

struct CustomerLimiterSettings {
  RedisTarget redis;  // the URL (never logged), and the sentinels if any
  std::string key_prefix = "chatshop";
};

// service::CustomerMessageLimiter on Redis, shared by every worker process: one atomic Lua script
// keeps a sliding log per (shop, customer) — a sorted set of the admitted wamids scored by
// Redis's own clock — and a "told" key that lets one refusal per window say "slow down". A
// sliding log, unlike a fixed window, cannot let a burst through twice across a window's edge;
// it holds at most `limit` members per customer, and both keys expire with the window.
// Connects lazily and again after an error (one-second timeouts). Not thread-safe: one per
// thread.
class RedisCustomerLimiter : public service::CustomerMessageLimiter {
 public:
  explicit RedisCustomerLimiter(CustomerLimiterSettings settings);

  Result<service::Admission> Admit(int64_t shop_id, const std::string& customer,
                                   const std::string& message_id, int limit,
                                   std::chrono::milliseconds window) override;

 private:
  CustomerLimiterSettings settings_;
  RedisScript script_;
};

}  // namespace chatshop::infra
