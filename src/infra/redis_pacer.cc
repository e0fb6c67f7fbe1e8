#include "infra/redis_pacer.h"

#include <algorithm>

namespace chatshop::infra {
namespace {

// KEYS: the number's key, the pair's key. ARGV: per key its emission interval and burst, in
// microseconds and messages. A key holds the theoretical arrival time (TAT) of the next send;
// a send is allowed when, after it, the TAT is no further ahead of now than burst × interval.
// Returns 0 when both allowed it (and both advanced), or the microseconds to wait.
// Times come from Redis (TIME), so every sender shares one clock.
constexpr const char* kScript = R"LUA(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local next_tat = {}
for i = 1, 2 do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local after = tat + interval
  local ahead = after - now - interval * burst
  if ahead > wait then wait = ahead end
  next_tat[i] = after
end
if wait > 0 then return wait end
for i = 1, 2 do
  local ttl = math.ceil((next_tat[i] - now) / 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.0f', next_tat[i]), 'PX', ttl)
end
return 0
)LUA";

}  // namespace

RedisPacer::RedisPacer(PacerSettings settings)
    : settings_(std::move(settings)), script_(settings_.redis, kScript, "redis pacing script") {}

Result<std::chrono::milliseconds> RedisPacer::Reserve(const std::string& phone_number_id,
                                                      const std::string& recipient,
                                                      int messages_per_second) {
  // One hash tag for both keys: on a Redis Cluster the script's keys share a slot.
  const std::string tag = "{" + phone_number_id + "}";
  const std::string number_key = settings_.key_prefix + ":pace:" + tag + ":number";
  const std::string pair_key = settings_.key_prefix + ":pace:" + tag + ":pair:" + recipient;
  const std::string number_interval = std::to_string(1000000 / std::max(1, messages_per_second));
  const std::string number_burst = std::to_string(settings_.number_burst);
  const std::string pair_interval = std::to_string(int64_t{settings_.pair_interval_ms} * 1000);
  const std::string pair_burst = std::to_string(settings_.pair_burst);
  auto wait_us = script_.Run({number_key, pair_key},
                             {number_interval, number_burst, pair_interval, pair_burst});
  if (!wait_us) return tl::unexpected(wait_us.error());
  // Rounded up: waking a little late is harmless, a little early is a wasted round trip.
  return std::chrono::milliseconds((*wait_us + 999) / 1000);
}

}  // namespace chatshop::infra
