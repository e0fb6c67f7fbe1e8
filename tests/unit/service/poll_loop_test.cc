// The one poll loop every background step runs in: how long it waits after work, after an
// idle pass and after a failure, that a run of failures is logged once, that an exception is a
// failed pass and that a stop ends it.
#include "service/poll_loop.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <deque>
#include <sstream>
#include <stdexcept>

#include "common/logging.h"

namespace chatshop::service {
namespace {

using std::chrono::milliseconds;

// A step that answers from a script: a count, an error, or (-1) an exception.
class ScriptedStep {
 public:
  explicit ScriptedStep(std::deque<Result<int>> script) : script_(std::move(script)) {}
  Result<int> operator()() {
    ++calls;
    if (script_.empty()) return 0;
    auto next = script_.front();
    script_.pop_front();
    if (next && *next < 0) throw std::runtime_error("boom");
    return next;
  }
  int calls = 0;

 private:
  std::deque<Result<int>> script_;
};

PollLoopSettings Settings() {
  return {"poll_loop_test", "test loop", milliseconds(5), milliseconds(200), milliseconds(1000)};
}

// Captures what the test's logger writes.
class PollLoopTest : public ::testing::Test {
 protected:
  PollLoopTest() {
    auto log = common::GetLogger("poll_loop_test");
    log->sinks().clear();
    log->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(logged_));
    log->set_pattern("%v");
  }
  std::ostringstream logged_;
};

TEST_F(PollLoopTest, WaitsAfterWorkWhenIdleAndAfterAnError) {
  ScriptedStep step({3, 0, MakeError(ErrorCode::kUnavailable, "db down"), 1});
  PollLoop loop(Settings(), std::ref(step));
  EXPECT_EQ(loop.RunOnce(), milliseconds(5)) << "handled something";
  EXPECT_EQ(loop.RunOnce(), milliseconds(200)) << "nothing to do";
  EXPECT_EQ(loop.RunOnce(), milliseconds(1000)) << "failed";
  EXPECT_EQ(loop.RunOnce(), milliseconds(5)) << "recovered";
}

TEST_F(PollLoopTest, ARunOfFailuresIsLoggedOnceAndAgainAfterARecovery) {
  ScriptedStep step({MakeError(ErrorCode::kUnavailable, "db down"),
                     MakeError(ErrorCode::kUnavailable, "db down"), 0,
                     MakeError(ErrorCode::kUnavailable, "db still down")});
  PollLoop loop(Settings(), std::ref(step));
  for (int i = 0; i < 4; ++i) (void)loop.RunOnce();
  EXPECT_EQ(logged_.str(), "test loop: db down\ntest loop: db still down\n");
}

TEST_F(PollLoopTest, AnExceptionIsAFailedPassNotTheEndOfTheThread) {
  ScriptedStep step({-1, 2});
  PollLoop loop(Settings(), std::ref(step));
  EXPECT_EQ(loop.RunOnce(), milliseconds(1000));
  EXPECT_EQ(logged_.str(), "test loop: test loop failed: boom\n");
  EXPECT_EQ(loop.RunOnce(), milliseconds(5));
}

TEST_F(PollLoopTest, RunPassesAndWaitsUntilStopped) {
  std::atomic<bool> stop{false};
  ScriptedStep step({1, 0, 0});
  std::vector<milliseconds> waits;
  PollLoop loop(Settings(), std::ref(step), [&](milliseconds d, const std::atomic<bool>&) {
    waits.push_back(d);
    if (waits.size() == 3) stop = true;
  });
  loop.Run(stop);
  EXPECT_EQ(step.calls, 3);
  EXPECT_EQ(waits,
            (std::vector<milliseconds>{milliseconds(5), milliseconds(200), milliseconds(200)}));
}

TEST_F(PollLoopTest, NoWaitIsAskedForWhenTheSettingIsZero) {
  std::atomic<bool> stop{false};
  auto settings = Settings();
  settings.after_work = milliseconds(0);
  int calls = 0;
  std::vector<milliseconds> waits;
  PollLoop loop(
      settings,
      [&]() -> Result<int> {
        if (++calls == 3) stop = true;
        return 1;
      },
      [&](milliseconds d, const std::atomic<bool>&) { waits.push_back(d); });
  loop.Run(stop);
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(waits.empty()) << "busy passes follow each other at once";
}

TEST(WaitUnlessStoppedTest, ReturnsAtOnceWhenStopped) {
  std::atomic<bool> stop{true};
  const auto start = std::chrono::steady_clock::now();
  WaitUnlessStopped(std::chrono::seconds(10), stop);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace chatshop::service
