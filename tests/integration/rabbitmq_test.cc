#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "infra/rabbitmq.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

// Runs the consumer until the handler sets `stop`, or for 30 s at most.
void RunUntilStopped(RabbitConsumer& consumer, std::atomic<bool>& stop) {
  std::thread watchdog([&] {
    for (int i = 0; i < 300 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
  });
  consumer.Run(stop);
  watchdog.join();
}

class RabbitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.url = testing::StackConfig().rabbitmq.url;
    settings_.name_prefix = testing::UniqueName("test");
    settings_.inbound_shards = 2;
    ASSERT_TRUE(DeclareTopology(settings_));
  }
  void TearDown() override { EXPECT_TRUE(DeleteTopology(settings_)); }

  webhook::QueueMessage ToShard(int shard, const std::string& body) {
    return {webhook::QueueMessage::Route::kInbound, shard, "id-" + body, "", body};
  }

  RabbitSettings settings_;
  common::MetricsRegistry metrics_;
};

TEST_F(RabbitTest, ConfirmedMessagesAreConsumedInOrderPerShard) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(publisher.PublishConfirmed({ToShard(i % 2, std::to_string(i))}));
  }
  EXPECT_EQ(*QueueDepth(settings_, RabbitNames{settings_.name_prefix}.InboundQueue(0)), 10u);

  std::map<std::string, std::vector<int>> seen;  // queue → bodies in arrival order
  std::atomic<bool> stop{false};
  int handled = 0;
  RabbitConsumer consumer(settings_, [&](const Delivery& d) {
    seen[d.queue].push_back(std::stoi(d.body));
    EXPECT_EQ(d.message_id, "id-" + d.body);
    if (++handled == 20) stop = true;
    return DeliveryAction::kAck;
  });
  RunUntilStopped(consumer, stop);
  ASSERT_EQ(handled, 20);
  for (const auto& [queue, bodies] : seen) {
    EXPECT_TRUE(std::is_sorted(bodies.begin(), bodies.end())) << queue;
    EXPECT_EQ(bodies.size(), 10u);
  }
  publisher.Stop();
}

TEST_F(RabbitTest, ConcurrentCallersAreAllConfirmed) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!publisher.PublishConfirmed({ToShard(t % 2, "a"), ToShard(t % 2, "b")})) ++failures;
      }
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(failures.load(), 0);
  RabbitNames names{settings_.name_prefix};
  EXPECT_EQ(*QueueDepth(settings_, names.InboundQueue(0)) +
                *QueueDepth(settings_, names.InboundQueue(1)),
            400u);
  publisher.Stop();
}

TEST_F(RabbitTest, ParkedMessagesLandInTheParkedQueue) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  ASSERT_TRUE(publisher.PublishConfirmed(
      {{webhook::QueueMessage::Route::kParked, 0, "", "no shop", R"({"raw":{}})"}}));
  EXPECT_EQ(*QueueDepth(settings_, RabbitNames{settings_.name_prefix}.ParkedQueue()), 1u);
  publisher.Stop();
}

TEST_F(RabbitTest, RetryHoldsTheMessageUntilTheHandlerSucceeds) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  ASSERT_TRUE(publisher.PublishConfirmed({ToShard(0, "1"), ToShard(0, "2")}));
  std::vector<int> order;
  int attempts = 0;
  std::atomic<bool> stop{false};
  RabbitConsumer consumer(settings_, [&](const Delivery& d) {
    if (d.body == "1" && ++attempts < 3) return DeliveryAction::kRetry;  // "database down"
    order.push_back(std::stoi(d.body));
    if (order.size() == 2) stop = true;
    return DeliveryAction::kAck;
  });
  RunUntilStopped(consumer, stop);
  EXPECT_EQ(order, (std::vector<int>{1, 2})) << "message 2 must not overtake a retried message 1";
  EXPECT_EQ(attempts, 3);
  publisher.Stop();
}

TEST(RabbitUnavailableTest, UnreachableBrokerFailsFastAndNotReady) {
  common::MetricsRegistry metrics;
  RabbitPublisher publisher({"amqp://guest:guest@127.0.0.1:1", "unreachable", 1, 1}, metrics);
  publisher.Start();
  auto status = publisher.PublishConfirmed(
      {{webhook::QueueMessage::Route::kInbound, 0, "x", "", "{}"}});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(publisher.Check());
  publisher.Stop();
}

}  // namespace
}  // namespace chatshop::infra
