#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/result.h"
#include "service/ports/graph_api.h"
#include "service/ports/outbound_queue.h"
#include "service/ports/outbox.h"
#include "service/ports/pacer.h"

namespace chatshop::service {

struct OutboundSenderSettings {
  int max_attempts = 8;                          // sends tried before the dead letters
  std::chrono::milliseconds backoff_base{1000};  // first retry; doubles per attempt
  std::chrono::seconds backoff_cap{300};
  std::chrono::milliseconds max_inline_wait{1000};  // longer pacing waits: delay queue
  std::chrono::seconds credential_hold{30};         // a shop whose token is refused
  std::chrono::milliseconds order_wait{250};        // an older reply is not accepted yet
  std::chrono::milliseconds uncertain_wait{30000};  // a send whose answer was lost
  int default_messages_per_second = 80;
};

// Sends one reply from the outbound queues through the Graph API (DESIGN.md "chatshop-worker
// --role sender", docs/cloud-api.md §5–§8):
//  * a reply already accepted (a second copy of its job) is not sent again;
//  * replies to one customer leave in the order they were written: one waits until every
//    older one was accepted or given up on;
//  * Meta's throughput and pair-rate limits are kept through the shared Pacer, waiting in the
//    thread for short waits and in a delay queue for long ones;
//  * retryable errors (rate limits, 5xx, network) come back through a delay queue with
//    exponential backoff and jitter, capped; a closed 24-hour window (131047) sends the reply's
//    template fallback at once; a refused token (190/0) holds the shop's replies without
//    counting attempts; anything else, or too many attempts, goes to the dead-letter queue
//    with Meta's code and message.
// Not thread-safe: one sender per consumer thread.
class OutboundSender {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  using Random = std::function<double()>;  // uniform in [0, 1)

  OutboundSender(OutboxStore& store, GraphApi& graph, Pacer& pacer, OutboundQueue& queue,
                 OutboundSenderSettings settings, common::MetricsRegistry& metrics,
                 Sleep sleep = {}, Random random = {});

  // Handles one job. Ok: its queue message may be acknowledged (sent, rescheduled or dead-
  // lettered, all recorded). An error: the store or the broker is unavailable; call again with
  // the same job later — a reply Meta already accepted is not sent twice.
  [[nodiscard]] Status Handle(const OutboundJob& job);

  // The retry delay after `attempts` failed sends, before jitter: base·2^(attempts−1), capped.
  std::chrono::milliseconds Backoff(int attempts) const;

 private:
  // Waits for Meta's limits: true to send now; false when the job went to a delay queue.
  Result<bool> Pace(const OutboundJob& job, const OutboxMessage& message);
  Status Send(const OutboundJob& job, const OutboxMessage& message);
  Status Failed(const OutboundJob& job, const OutboxMessage& message, const Error& error);
  void Record(const std::string& result, int64_t code);

  OutboxStore& store_;
  GraphApi& graph_;
  Pacer& pacer_;
  OutboundQueue& queue_;
  OutboundSenderSettings settings_;
  common::MetricsRegistry& metrics_;
  Sleep sleep_;
  Random random_;
  // Accepted by Meta but not yet recorded (the store failed): recorded on the next call
  // instead of being sent again.
  std::map<int64_t, std::string> unrecorded_;
  common::Counter& retries_;
  common::Counter& dead_letters_;
  common::Counter& bucket_waits_;
  common::Counter& order_waits_;
  common::Counter& duplicates_;
  common::Counter& credential_holds_;
  common::Counter& templates_;
  common::Histogram& queue_age_;
  std::shared_ptr<spdlog::logger> log_;
};

// Meta's error.code carried in a Graph API error's message (0: none, e.g. a network error).
int64_t MetaErrorCode(const Error& error);

// The shortest sensible wait before retrying after Meta's `meta_code` (0 for most codes).
std::chrono::milliseconds MinimumRetryDelay(int64_t meta_code);

}  // namespace chatshop::service
