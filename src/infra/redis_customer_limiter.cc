#include "infra/redis_customer_limiter.h"

#include <algorithm>

namespace chatshop::infra {
namespace {

// KEYS: the customer's log (sorted set of admitted message ids by admission time, µs), the
// "told" key. ARGV: limit, window in µs, the message id.
// Returns 1 admitted, 2 refused and first refusal of the window (tell), 0 refused (quiet).
// Times come from Redis (TIME), so every worker shares one clock.
constexpr const char* kScript = R"LUA(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local window_ms = math.ceil(window / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window_ms)
  return 1
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window_ms) then return 2 end
return 0
)LUA";

}  // namespace

RedisCustomerLimiter::RedisCustomerLimiter(CustomerLimiterSettings settings)
    : settings_(std::move(settings)),
      script_(settings_.redis, kScript, "redis customer limit script") {}

Result<service::Admission> RedisCustomerLimiter::Admit(int64_t shop_id, const std::string& customer,
                                                       const std::string& message_id, int limit,
                                                       std::chrono::milliseconds window) {
  // One hash tag for both keys: on a Redis Cluster the script's keys share a slot.
  const std::string tag = "{" + std::to_string(shop_id) + ":" + customer + "}";
  const std::string log_key = settings_.key_prefix + ":inlimit:" + tag + ":log";
  const std::string told_key = settings_.key_prefix + ":inlimit:" + tag + ":told";
  const std::string limit_arg = std::to_string(std::max(1, limit));
  const std::string window_arg =
      std::to_string(std::max<int64_t>(1000, int64_t{window.count()} * 1000));
  auto verdict = script_.Run({log_key, told_key}, {limit_arg, window_arg, message_id});
  if (!verdict) return tl::unexpected(verdict.error());
  return service::Admission{*verdict == 1, *verdict == 2};
}

}  // namespace chatshop::infra
