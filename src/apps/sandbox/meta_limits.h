#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace chatshop::sandbox {

// Meta's throughput and pair-rate limits as the fake Graph API enforces them (docs/cloud-api.md
// docs/cloud-api.md §8): per business number so many messages per second (a second's worth at
// once), and per (number, customer) a burst, then one message per pair interval. Each limit is a
// GCRA
// ("theoretical arrival time"): a refused send is not counted. Thread-safe.
class MetaLimits {
 public:
  MetaLimits(int messages_per_second, std::chrono::milliseconds pair_interval, int pair_burst);

  // 0 when the send is allowed (and counted); else Meta's code: 130429 (throughput) or
  // 131056 (pair rate).
  int64_t Admit(const std::string& phone_number_id, const std::string& to,
                std::chrono::steady_clock::time_point now);

 private:
  using Clock = std::chrono::steady_clock;
  struct Limit {
    std::chrono::microseconds interval;
    int burst;
  };
  static bool Allows(const Limit& limit, Clock::time_point tat, Clock::time_point now);

  Limit number_;
  Limit pair_;
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> number_tat_;
  std::map<std::string, Clock::time_point> pair_tat_;
};

// Failures the fake Graph API is told to answer with (POST /sandbox/faults), so tests can take
// every error path: a rule matches a send (to one recipient, or any), with a probability, a
// number of times (-1: forever), and answers with Meta's error `code` after `delay_ms` — or,
// with code 0, just answers slowly. Thread-safe.
class FaultPlan {
 public:
  struct Rule {
    std::string to;              // empty: any recipient
    int64_t code = 0;            // Meta's error code; 500: an HTTP 500 without a body; 0: no error
    std::vector<int64_t> codes;  // instead of `code`: one of these, at random
    double probability = 1;      // of matching a send
    int times = -1;              // matches left; -1: unlimited
    int delay_ms = 0;            // before answering
    std::string message;         // Meta's error.message instead of the usual one (up to 64 KiB)
  };
  struct Decision {
    int64_t code = 0;
    int delay_ms = 0;
    std::string message;  // empty: the usual text for the code
  };

  // Replaces the rules from {"rules": [{"to", "code" | "codes", "probability", "times",
  // "delay_ms", "message"}…]};
  // false (nothing changed) when the JSON is not that.
  bool Set(const nlohmann::json& body);
  void Clear();
  // What to do with a send to `to`: the first matching rule's answer.
  Decision Next(const std::string& to);

 private:
  std::mutex mutex_;
  std::vector<Rule> rules_;
  std::mt19937_64 random_{std::random_device{}()};
};

// Meta's error answer for `code` (docs/cloud-api.md §7): the HTTP status and the body; `message`,
// when given, replaces error.message (as a long or unusual text from Meta would).
std::pair<int, nlohmann::json> MetaErrorAnswer(int64_t code, const std::string& message = "");

}  // namespace chatshop::sandbox
