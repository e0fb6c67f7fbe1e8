#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace chatshop::service {

// How a PollLoop names itself and paces its passes.
struct PollLoopSettings {
  std::string logger;                        // the module's logger: "outbox", "media", "orders"
  std::string name;                          // names the loop in its error line "<name>: <error>"
  std::chrono::milliseconds after_work{0};   // after a pass that handled something
  std::chrono::milliseconds when_idle{200};  // after a pass that found nothing to do
  std::chrono::milliseconds after_error{1000};  // after a pass that failed
};

// Runs one step function over and over until stopped: the outbox relay, the media worker and
// the order clock are each such a step (handle what is due, say how many). A failed pass is
// logged once per run of failures, not once per pass, so a database that is down for an hour
// writes one line; an exception from the step counts as a failed pass (kInternal) instead of
// ending the thread, since what it was handling comes back when its lease ends.
// Not thread-safe: one loop per thread.
class PollLoop {
 public:
  // One pass: how many items it handled, or why it could not.
  using Step = std::function<Result<int>()>;
  // Waits up to `duration`, returning early once `stop` is set.
  using Wait =
      std::function<void(std::chrono::milliseconds duration, const std::atomic<bool>& stop)>;

  // `wait` defaults to sleeping in 20 ms slices, so a stop is noticed within 20 ms.
  PollLoop(PollLoopSettings settings, Step step, Wait wait = {});

  // Passes until `stop` is set, waiting after each as the settings say.
  void Run(const std::atomic<bool>& stop);

  // One pass, logged; returns how long to wait before the next.
  std::chrono::milliseconds RunOnce();

 private:
  PollLoopSettings settings_;
  Step step_;
  Wait wait_;
  bool failing_ = false;  // the last pass failed: its error was logged
  std::shared_ptr<spdlog::logger> log_;
};

// Waits up to `duration` in 20 ms slices, returning once `stop` is set.
void WaitUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool>& stop);

}  // namespace chatshop::service
