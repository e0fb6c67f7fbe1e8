#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "infra/redis_connect.h"

struct redisContext;

namespace chatshop::infra {

// A connection that runs one Lua script returning an integer — the shape of every atomic
// limiter in Redis we have (pacing, customer message limits). It opens lazily and reopens after
// a connection error or a -READONLY reply (a master demoted by Sentinel: the sentinels are asked
// again), so a Redis restart or failover costs a failed call, not a restart of the process.
// Not thread-safe: one per thread, like the stores.
class RedisScript {
 public:
  RedisScript(RedisTarget target, std::string script, std::string what);
  ~RedisScript();
  RedisScript(const RedisScript&) = delete;
  RedisScript& operator=(const RedisScript&) = delete;

  // EVAL with `keys` then `args`. kUnavailable (naming `what`) when Redis cannot be reached or
  // the reply is not an integer. EVAL each time: Redis caches the compiled script by its text,
  // and EVALSHA would need a NOSCRIPT fallback after a Redis restart.
  [[nodiscard]] Result<long long> Run(const std::vector<std::string>& keys,
                                      const std::vector<std::string>& args);

 private:
  RedisTarget target_;
  std::string script_;
  std::string what_;
  redisContext* context_ = nullptr;
};

}  // namespace chatshop::infra
