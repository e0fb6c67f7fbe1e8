#include "infra/rabbitmq.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "infra/rabbit_outbound.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

// Runs the consumer until the handler sets `stop`, or for 30 s at most.
void RunUntilStopped(RabbitConsumer& consumer, std::atomic<bool>& stop) {
  std::thread watchdog([&] {
    for (int i = 0; i < 300 && !stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
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

  std::vector<std::string> Inbound() const {
    RabbitNames names{settings_.name_prefix};
    return {names.InboundQueue(0), names.InboundQueue(1)};
  }
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
  RabbitConsumer consumer(
      settings_,
      [&](const Delivery& d) {
        seen[d.queue].push_back(std::stoi(d.body));
        EXPECT_EQ(d.message_id, "id-" + d.body);
        if (++handled == 20) stop = true;
        return DeliveryAction::kAck;
      },
      Inbound());
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
  EXPECT_EQ(
      *QueueDepth(settings_, names.InboundQueue(0)) + *QueueDepth(settings_, names.InboundQueue(1)),
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
  RabbitConsumer consumer(
      settings_,
      [&](const Delivery& d) {
        if (d.body == "1" && ++attempts < 3) return DeliveryAction::kRetry;  // "database down"
        order.push_back(std::stoi(d.body));
        if (order.size() == 2) stop = true;
        return DeliveryAction::kAck;
      },
      Inbound());
  RunUntilStopped(consumer, stop);
  EXPECT_EQ(order, (std::vector<int>{1, 2})) << "message 2 must not overtake a retried message 1";
  EXPECT_EQ(attempts, 3);
  publisher.Stop();
}

TEST_F(RabbitTest, DelayedJobsComeBackToTheirShardAndDeadLettersCanBePeekedAndReplayed) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  RabbitOutboundQueue queue(publisher, settings_);
  RabbitNames names{settings_.name_prefix};
  const service::OutboundJob job{7, "106540352242922", "919876543210"};
  std::string home;  // the job's shard queue
  for (int shard = 0; shard < settings_.outbound_shards; ++shard) {
    if (queue.ShardKey(job) == names.ShardRoutingKey(shard)) home = names.OutboundQueue(shard);
  }
  ASSERT_FALSE(home.empty());

  ASSERT_TRUE(queue.Delay(job, std::chrono::milliseconds(300)));
  EXPECT_EQ(*QueueDepth(settings_, names.DelayQueue(DelayBand(std::chrono::milliseconds(300)))),
            1u);
  EXPECT_EQ(*QueueDepth(settings_, home), 0u) << "not before its time";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (*QueueDepth(settings_, home) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto back = TakeAll(settings_, home);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u) << "the delay queue dead-letters it back to its own shard";
  EXPECT_EQ((*back)[0].message_id, "outbox-7");
  EXPECT_EQ(*service::OutboundJob::FromJson(nlohmann::json::parse((*back)[0].body)), job);
  EXPECT_EQ(DelayBand(std::chrono::milliseconds(100)), 0);
  EXPECT_EQ(DelayBand(std::chrono::milliseconds(300)), 1);
  EXPECT_EQ(DelayBand(std::chrono::seconds(5)), 5);
  EXPECT_EQ(DelayBand(std::chrono::hours(1)), kDelayBands - 1);

  ASSERT_TRUE(queue.DeadLetter(job, 131026, "graph api error 131026: Message undeliverable"));
  ASSERT_TRUE(queue.DeadLetter({8, "106540352242922", "919811112222"}, 0, "down"));
  auto peeked = Peek(settings_, names.DeadLetterQueue(), 10);
  ASSERT_TRUE(peeked);
  ASSERT_EQ(peeked->size(), 2u);
  EXPECT_EQ((*peeked)[0].reason, "graph api error 131026: Message undeliverable");
  EXPECT_EQ(*QueueDepth(settings_, names.DeadLetterQueue()), 2u) << "peeking takes nothing";
  // Replay the second: it goes back to the outbound queues, the first stays.
  ASSERT_TRUE(TakeOne(settings_, names.DeadLetterQueue(), "outbox-8", [&](const Delivery& d) {
    return queue.Enqueue({*service::OutboundJob::FromJson(nlohmann::json::parse(d.body))});
  }));
  EXPECT_FALSE(TakeOne(settings_, names.DeadLetterQueue(), "outbox-99",
                       [](const Delivery&) { return Ok(); }));
  auto left = Peek(settings_, names.DeadLetterQueue(), 10);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].message_id, "outbox-7");
  EXPECT_EQ(*Purge(settings_, names.DeadLetterQueue()), 1u);
  EXPECT_EQ(*QueueDepth(settings_, names.DeadLetterQueue()), 0u);
  publisher.Stop();
}

TEST(RabbitUnavailableTest, UnreachableBrokerFailsFastAndNotReady) {
  common::MetricsRegistry metrics;
  RabbitPublisher publisher({"amqp://guest:guest@127.0.0.1:1", "unreachable", 1, 1}, metrics);
  publisher.Start();
  auto status =
      publisher.PublishConfirmed({{webhook::QueueMessage::Route::kInbound, 0, "x", "", "{}"}});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(publisher.Check());
  publisher.Stop();
}

}  // namespace
}  // namespace chatshop::infra
