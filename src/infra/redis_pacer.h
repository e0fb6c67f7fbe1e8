#pragma once

#include <string>

#include "infra/redis_script.h"
#include "service/ports/pacer.h"

namespace chatshop::infra {

struct PacerSettings {
  RedisTarget redis;  // the URL (never logged), and the sentinels if any
  std::string key_prefix = "chatshop";
  int number_burst = 40;  // sends a business number may make at once
  int pair_interval_ms = 6000;
  int pair_burst = 40;
};

// service::Pacer on Redis, shared by every sender process: one atomic Lua script keeps two
// GCRA limits (a token bucket as a "theoretical arrival time" per key) — the business
// number's messages per second with a burst, and the pair rate per (number, customer): a burst,
// then one message per pair interval (docs/cloud-api.md §8). Both are taken, or neither. Keys
// expire when idle. Connects lazily and again after an error. Not thread-safe: one per thread.
class RedisPacer : public service::Pacer {
 public:
  explicit RedisPacer(PacerSettings settings);

  Result<std::chrono::milliseconds> Reserve(const std::string& phone_number_id,
                                            const std::string& recipient,
                                            int messages_per_second) override;

 private:
  PacerSettings settings_;
  RedisScript script_;
};

}  // namespace chatshop::infra
