#pragma once

#include <cstdint>
#include <string_view>

namespace chatshop::common {

// Which of `shards` queues a (shop number, customer) pair belongs to: a stable FNV-1a hash, the
// same in every process and release, so one customer's events and replies always meet the
// same queue (and stay in order).
inline int StableShard(std::string_view phone_number_id, std::string_view customer, int shards) {
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::string_view part) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(phone_number_id);
  mix(std::string_view("\x1f", 1));  // separator: ("12","3") and ("1","23") differ
  mix(customer);
  return static_cast<int>(hash % static_cast<uint64_t>(shards < 1 ? 1 : shards));
}

}  // namespace chatshop::common
