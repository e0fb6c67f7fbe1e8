#include "service/poll_loop.h"

#include <algorithm>
#include <exception>
#include <thread>

#include "common/logging.h"

namespace chatshop::service {

void WaitUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::milliseconds>(left, std::chrono::milliseconds(20)));
  }
}

PollLoop::PollLoop(PollLoopSettings settings, Step step, Wait wait)
    : settings_(std::move(settings)),
      step_(std::move(step)),
      wait_(wait ? std::move(wait) : Wait(WaitUnlessStopped)),
      log_(common::GetLogger(settings_.logger)) {}

void PollLoop::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto wait = RunOnce();
    if (wait.count() > 0) wait_(wait, stop);
  }
}

std::chrono::milliseconds PollLoop::RunOnce() {
  Result<int> handled = 0;
  try {
    handled = step_();
  } catch (const std::exception& e) {
    handled = MakeError(ErrorCode::kInternal, settings_.name + " failed: " + e.what());
  }
  if (!handled) {
    if (!failing_) log_->error("{}: {}", settings_.name, handled.error().message);
    failing_ = true;
    return settings_.after_error;
  }
  failing_ = false;
  return *handled > 0 ? settings_.after_work : settings_.when_idle;
}

}  // namespace chatshop::service
