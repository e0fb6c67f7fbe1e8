// The topology as quorum queues, several broker addresses, and nacked publishes (issue 15), on
// the stack's single broker. The broker's own view of a queue (its type, its consumers) is read
// through infra's AMQP plumbing, the only code here that speaks rabbitmq-c.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "infra/amqp_connection.h"
#include "infra/rabbit_outbound.h"
#include "infra/rabbitmq.h"
#include "support/stack.h"
#include "support/tcp_proxy.h"

namespace chatshop::infra {
namespace {

using namespace std::chrono_literals;

// Polls `condition` until it holds or `limit` passed; whether it held.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// One x-argument of a queue.declare.
struct Arg {
  const char* key;
  std::variant<bool, int64_t, std::string> value;
};

// A queue.declare of `queue` with `args` (passive: only asks whether it exists), on a connection
// of its own: Ok, or the broker's refusal (a redeclare with other arguments: PRECONDITION_FAILED).
Status DeclareQueue(const RabbitSettings& settings, const std::string& queue, bool passive,
                    const std::vector<Arg>& args = {}) {
  std::vector<amqp_table_entry_t> entries(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    entries[i].key = amqp_cstring_bytes(args[i].key);
    if (auto* b = std::get_if<bool>(&args[i].value)) {
      entries[i].value.kind = AMQP_FIELD_KIND_BOOLEAN;
      entries[i].value.value.boolean = *b;
    } else if (auto* n = std::get_if<int64_t>(&args[i].value)) {
      entries[i].value.kind = AMQP_FIELD_KIND_I64;
      entries[i].value.value.i64 = *n;
    } else {
      entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
      entries[i].value.value.bytes = amqp::Bytes(std::get<std::string>(args[i].value));
    }
  }
  auto connection = amqp::AmqpConnection::Open(settings.Brokers());
  if (!connection) return tl::unexpected(connection.error());
  amqp_queue_declare((*connection)->state(), amqp::kChannel, amqp_cstring_bytes(queue.c_str()),
                     passive ? 1 : 0, 1, 0, 0,
                     amqp_table_t{static_cast<int>(entries.size()), entries.data()});
  return (*connection)->Expect("declare");
}

// A consumer of one queue on a connection of its own, subscribed once Subscribe returns (the
// broker confirmed basic.consume). Destroying it without acking is a consumer that died:
// the broker takes back what it was given.
class RawConsumer {
 public:
  static Result<std::unique_ptr<RawConsumer>> Subscribe(const RabbitSettings& settings,
                                                        const std::string& queue) {
    auto opened = amqp::AmqpConnection::Open(settings.Brokers());
    if (!opened) return tl::unexpected(opened.error());
    auto consumer = std::unique_ptr<RawConsumer>(new RawConsumer(std::move(*opened)));
    auto* state = consumer->connection_->state();
    amqp_basic_qos(state, amqp::kChannel, 0, 1, 0);
    if (auto st = consumer->connection_->Expect("qos"); !st) return tl::unexpected(st.error());
    amqp_basic_consume(state, amqp::kChannel, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes,
                       0, 0, 0, amqp_empty_table);
    if (auto st = consumer->connection_->Expect("consume"); !st) return tl::unexpected(st.error());
    return consumer;
  }

  // The next delivery (body, message id), or nullopt when none came within `wait`.
  std::optional<Delivery> Next(std::chrono::milliseconds wait = 10s) {
    amqp_maybe_release_buffers(connection_->state());
    amqp_envelope_t envelope;
    timeval timeout{static_cast<time_t>(wait.count() / 1000),
                    static_cast<suseconds_t>(wait.count() % 1000 * 1000)};
    auto reply = amqp_consume_message(connection_->state(), &envelope, &timeout, 0);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) return std::nullopt;
    Delivery d;
    d.body = amqp::ToString(envelope.message.body);
    if (envelope.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
      d.message_id = amqp::ToString(envelope.message.properties.message_id);
    }
    d.redelivered = envelope.redelivered != 0;
    last_tag_ = envelope.delivery_tag;
    amqp_destroy_envelope(&envelope);
    return d;
  }
  // Acknowledges the last delivery.
  bool Ack() {
    return amqp_basic_ack(connection_->state(), amqp::kChannel, last_tag_, 0) == AMQP_STATUS_OK;
  }

 private:
  explicit RawConsumer(std::unique_ptr<amqp::AmqpConnection> connection)
      : connection_(std::move(connection)) {}
  std::unique_ptr<amqp::AmqpConnection> connection_;
  uint64_t last_tag_ = 0;
};

// The stack's broker, reached through `proxy`.
std::string Via(const testing::TcpProxy& proxy) {
  const std::string& url = testing::StackConfig().rabbitmq.url;
  return url.substr(0, url.rfind(':') + 1) + std::to_string(proxy.port());
}

int BrokerPort() {
  const std::string& url = testing::StackConfig().rabbitmq.url;
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// Runs a RabbitConsumer on its own thread until stopped (by the test or its handler).
class ConsumerThread {
 public:
  ConsumerThread(const RabbitSettings& settings, std::vector<std::string> queues,
                 RabbitConsumer::Handler handler)
      : consumer_(settings, std::move(handler), std::move(queues)),
        thread_([this] { consumer_.Run(stop_); }) {}
  ~ConsumerThread() {
    stop_ = true;
    thread_.join();
  }
  std::atomic<bool>& stop() { return stop_; }

 private:
  std::atomic<bool> stop_{false};
  RabbitConsumer consumer_;
  std::thread thread_;
};

class RabbitQuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.url = testing::StackConfig().rabbitmq.url;
    settings_.name_prefix = testing::UniqueName("quorum");
    settings_.inbound_shards = 2;
    settings_.outbound_shards = 2;
    settings_.queue_type = QueueType::kQuorum;
    settings_.delivery_limit = 2;
    ASSERT_TRUE(DeclareTopology(settings_));
  }
  void TearDown() override {
    RabbitSettings direct = settings_;
    direct.urls.clear();
    EXPECT_TRUE(DeleteTopology(direct));
  }

  RabbitNames names() const { return RabbitNames{settings_.name_prefix}; }
  std::vector<std::string> AllQueues() const {
    std::vector<std::string> queues = {names().ParkedQueue(), names().DeadLetterQueue()};
    for (int s = 0; s < settings_.inbound_shards; ++s) queues.push_back(names().InboundQueue(s));
    for (int s = 0; s < settings_.outbound_shards; ++s) queues.push_back(names().OutboundQueue(s));
    for (int b = 0; b < kDelayBands; ++b) queues.push_back(names().DelayQueue(b));
    return queues;
  }
  static webhook::QueueMessage ToShard(int shard, const std::string& body) {
    return {webhook::QueueMessage::Route::kInbound, shard, "id-" + body, "", body};
  }
  // The head of `queue` delivered to a consumer that dies holding it (closes without an ack).
  std::optional<Delivery> DeliverToADyingConsumer(const std::string& queue) {
    auto consumer = RawConsumer::Subscribe(settings_, queue);
    if (!consumer) {
      ADD_FAILURE() << consumer.error().message;
      return std::nullopt;
    }
    return (*consumer)->Next();
  }
  // Looks at the head of `queue` by basic.get (as the operator tools do), waiting for one.
  std::optional<Delivery> PeekHead(const std::string& queue) {
    std::optional<Delivery> got;
    WaitFor([&] {
      auto seen = Peek(settings_, queue, 1);
      if (seen && !seen->empty()) got = (*seen)[0];
      return got.has_value();
    });
    return got;
  }

  RabbitSettings settings_;
  common::MetricsRegistry metrics_;
};

TEST_F(RabbitQuorumTest, EveryQueueIsAQuorumQueueWithTheArgumentsOfItsRole) {
  const std::vector<Arg> at_least_once = {{"x-dead-letter-strategy", std::string("at-least-once")},
                                          {"x-overflow", std::string("reject-publish")}};
  auto shard = [&](std::vector<Arg> dead_letter) {
    std::vector<Arg> args = {{"x-single-active-consumer", true}, {"x-delivery-limit", int64_t{2}}};
    args.insert(args.end(), dead_letter.begin(), dead_letter.end());
    args.insert(args.end(), at_least_once.begin(), at_least_once.end());
    return args;
  };
  std::vector<std::pair<std::string, std::vector<Arg>>> expected = {
      {names().ParkedQueue(), {}}, {names().DeadLetterQueue(), {}}};
  for (int s = 0; s < settings_.inbound_shards; ++s) {
    expected.emplace_back(names().InboundQueue(s),
                          shard({{"x-dead-letter-exchange", names().ParkedExchange()}}));
  }
  for (int s = 0; s < settings_.outbound_shards; ++s) {
    expected.emplace_back(names().OutboundQueue(s),
                          shard({{"x-dead-letter-exchange", std::string()},
                                 {"x-dead-letter-routing-key", names().DeadLetterQueue()}}));
  }
  for (int b = 0; b < kDelayBands; ++b) {
    std::vector<Arg> args = {{"x-dead-letter-exchange", names().OutboundExchange()}};
    args.insert(args.end(), at_least_once.begin(), at_least_once.end());
    expected.emplace_back(names().DelayQueue(b), args);
  }
  for (auto& [queue, args] : expected) {
    EXPECT_TRUE(DeclareQueue(settings_, queue, /*passive=*/true)) << queue;
    std::vector<Arg> quorum = args, classic = args;
    quorum.push_back({"x-queue-type", std::string("quorum")});
    classic.push_back({"x-queue-type", std::string("classic")});
    auto same = DeclareQueue(settings_, queue, /*passive=*/false, quorum);
    EXPECT_TRUE(same) << queue << ": " << same.error().message;
    auto as_classic = DeclareQueue(settings_, queue, /*passive=*/false, classic);
    ASSERT_FALSE(as_classic) << queue << " is not a quorum queue";
    EXPECT_NE(as_classic.error().message.find("PRECONDITION_FAILED - inequivalent arg "
                                              "'x-queue-type'"),
              std::string::npos)
        << as_classic.error().message;
  }
  // Every adapter declares the topology when it connects: the same arguments each time.
  EXPECT_TRUE(DeclareTopology(settings_));
  RabbitSettings classic_settings = settings_;
  classic_settings.queue_type = QueueType::kClassic;
  auto refused = DeclareTopology(classic_settings);
  ASSERT_FALSE(refused) << "the same names cannot be classic queues too";
  EXPECT_NE(refused.error().message.find("PRECONDITION_FAILED"), std::string::npos)
      << refused.error().message;
  RabbitSettings other_limit = settings_;
  other_limit.delivery_limit = 3;
  EXPECT_FALSE(DeclareTopology(other_limit)) << "the delivery limit is an argument of the queue";
}

TEST_F(RabbitQuorumTest, OneActiveConsumerAtATimeTakesTheShardInOrder) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(publisher.PublishConfirmed({ToShard(0, std::to_string(i))}));
  }
  const std::string shard = names().InboundQueue(0);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<int> handled;
  bool may_go_on = false;
  std::atomic<bool> stop{false};
  RabbitConsumer first(settings_,
                       [&](const Delivery& d) {
                         std::unique_lock lock(mutex);
                         handled.push_back(std::stoi(d.body));
                         changed.notify_all();
                         // Holds its first message until the second consumer has subscribed.
                         changed.wait(lock, [&] { return may_go_on; });
                         if (d.body == "9") stop = true;  // leaves after acking 0..9
                         return DeliveryAction::kAck;
                       },
                       {shard});
  std::thread running([&] { first.Run(stop); });
  bool started = false;
  {
    std::unique_lock lock(mutex);
    started = changed.wait_for(lock, 10s, [&] { return !handled.empty(); });
  }
  auto second = RawConsumer::Subscribe(settings_, shard);
  {
    std::lock_guard lock(mutex);
    may_go_on = true;
  }
  changed.notify_all();
  const bool first_left = started && WaitFor([&] { return stop.load(); });
  stop = true;
  running.join();
  ASSERT_TRUE(started);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(first_left);
  EXPECT_EQ(handled, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))
      << "the subscribed second consumer took nothing while the first was active";
  // It takes over where the first left, in order.
  for (int i = 10; i < 20; ++i) {
    auto d = (*second)->Next();
    ASSERT_TRUE(d) << "message " << i;
    EXPECT_EQ(d->body, std::to_string(i));
    EXPECT_TRUE((*second)->Ack());
  }
  EXPECT_FALSE((*second)->Next(200ms)) << "each message once";
  publisher.Stop();
}

// A dependency down for longer than two heartbeat intervals: the consumer keeps its connection
// (and so the shard and every prefetched message) by sending heartbeats between its retries,
// instead of handing messages back, each hand-back counting toward the delivery limit.
TEST_F(RabbitQuorumTest, AConsumerRetryingThroughAnOutageKeepsItsConnectionAndCountsNoDelivery) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  ASSERT_TRUE(publisher.PublishConfirmed({ToShard(0, "held"), ToShard(0, "next")}));
  publisher.Stop();
  RabbitSettings consuming = settings_;
  consuming.heartbeat_seconds = 1;  // the broker closes a connection silent for 2 s
  const auto outage = 5s;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<Delivery> seen;
  std::optional<std::chrono::steady_clock::time_point> first_try;
  RabbitConsumer consumer(
      consuming,
      [&](const Delivery& d) {
        std::lock_guard lock(mutex);
        seen.push_back(d);
        if (!first_try) first_try = std::chrono::steady_clock::now();
        if (d.body == "held" && std::chrono::steady_clock::now() - *first_try < outage) {
          return DeliveryAction::kRetry;  // the database is down
        }
        if (d.body == "next") stop = true;
        return DeliveryAction::kAck;
      },
      {names().InboundQueue(0)});
  std::thread running([&] { consumer.Run(stop); });
  const bool done = WaitFor([&] { return stop.load(); }, 30s);
  stop = true;
  running.join();
  ASSERT_TRUE(done);
  std::lock_guard lock(mutex);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.back().body, "next");
  for (const auto& d : seen) {
    EXPECT_FALSE(d.redelivered) << d.body << ": handed back and delivered again";
  }
  auto parked = Peek(settings_, names().ParkedQueue(), 10);
  ASSERT_TRUE(parked);
  EXPECT_TRUE(parked->empty()) << "nothing reached the delivery limit";
}

TEST_F(RabbitQuorumTest, DelayedJobsComeBackToTheirShard) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  RabbitOutboundQueue queue(publisher, settings_);
  const service::OutboundJob job{7, "106540352242922", "919876543210"};
  std::string home;
  for (int shard = 0; shard < settings_.outbound_shards; ++shard) {
    if (queue.ShardKey(job) == names().ShardRoutingKey(shard)) home = names().OutboundQueue(shard);
  }
  ASSERT_TRUE(queue.Delay(job, 300ms));
  auto consumer = RawConsumer::Subscribe(settings_, home);
  ASSERT_TRUE(consumer) << consumer.error().message;
  auto back = (*consumer)->Next();
  ASSERT_TRUE(back) << "the quorum delay queue dead-letters it back to its own shard";
  EXPECT_EQ(back->message_id, "outbox-7");
  EXPECT_TRUE((*consumer)->Ack());
  EXPECT_EQ(*QueueDepth(settings_, names().DelayQueue(DelayBand(300ms))), 0u);
  publisher.Stop();
}

TEST_F(RabbitQuorumTest, AMessageThatKeepsKillingConsumersIsParkedNotLost) {
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  ASSERT_TRUE(publisher.PublishConfirmed({ToShard(1, "poison")}));
  const std::string shard = names().InboundQueue(1);
  // delivery_limit 2: delivered three times, then dead-lettered.
  for (int delivery = 1; delivery <= settings_.delivery_limit + 1; ++delivery) {
    auto got = DeliverToADyingConsumer(shard);
    ASSERT_TRUE(got) << "delivery " << delivery << " did not happen";
    EXPECT_EQ(got->body, "poison");
  }
  ASSERT_TRUE(WaitFor([&] { return *QueueDepth(settings_, names().ParkedQueue()) == 1; }));
  EXPECT_EQ(*QueueDepth(settings_, shard), 0u);
  // The parked queue has no delivery limit: operators peek it as often as they like.
  for (int peek = 0; peek < settings_.delivery_limit + 3; ++peek) {
    auto parked = PeekHead(names().ParkedQueue());
    ASSERT_TRUE(parked) << "peek " << peek;
    EXPECT_EQ(parked->message_id, "id-poison");
    EXPECT_EQ(parked->body, "poison");
  }
  EXPECT_TRUE(WaitFor([&] { return *QueueDepth(settings_, names().ParkedQueue()) == 1; }));

  // An outbound job that keeps killing senders ends in the dead-letter queue.
  RabbitOutboundQueue outbound(publisher, settings_);
  const service::OutboundJob job{8, "106540352242922", "919811112222"};
  ASSERT_TRUE(outbound.Enqueue({job}));
  std::string home;
  for (int s = 0; s < settings_.outbound_shards; ++s) {
    if (outbound.ShardKey(job) == names().ShardRoutingKey(s)) home = names().OutboundQueue(s);
  }
  for (int delivery = 1; delivery <= settings_.delivery_limit + 1; ++delivery) {
    ASSERT_TRUE(DeliverToADyingConsumer(home)) << "delivery " << delivery;
  }
  ASSERT_TRUE(WaitFor([&] { return *QueueDepth(settings_, names().DeadLetterQueue()) == 1; }));
  auto dead = Peek(settings_, names().DeadLetterQueue(), 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].message_id, "outbox-8");
  publisher.Stop();
}

TEST_F(RabbitQuorumTest, PublisherAndConsumerMoveToTheNextBrokerWhenOneDies) {
  testing::TcpProxy first(BrokerPort()), second(BrokerPort());
  // A port nobody listens on, then two ways to the stack's broker: "nodes" the test can kill.
  settings_.urls = {"amqp://guest:guest@127.0.0.1:1", Via(first), Via(second)};
  RabbitPublisher publisher(settings_, metrics_);
  publisher.Start();
  std::mutex mutex;
  std::vector<std::string> received;
  ConsumerThread consumer(settings_, {names().InboundQueue(0)}, [&](const Delivery& d) {
    std::lock_guard lock(mutex);
    received.push_back(d.body);
    return DeliveryAction::kAck;
  });
  auto got = [&](const std::string& body) {
    std::lock_guard lock(mutex);
    return std::find(received.begin(), received.end(), body) != received.end();
  };
  ASSERT_TRUE(publisher.PublishConfirmed({ToShard(0, "before")}));
  ASSERT_TRUE(WaitFor([&] { return got("before"); })) << "past the dead address";

  first.Cut();  // the node both are connected to dies
  ASSERT_TRUE(WaitFor([&] { return bool(publisher.PublishConfirmed({ToShard(0, "after")})); }, 20s))
      << "the publisher did not reconnect to the other node";
  ASSERT_TRUE(WaitFor([&] { return got("after"); }, 20s))
      << "the consumer did not reconnect to the other node";

  // The next connection starts with the node that worked last: `first` is back but hangs
  // (it would hold a connection until the login times out), and is not tried first.
  first.Restore();
  first.Hold();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(DeclareTopology(settings_));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  first.Release();
  publisher.Stop();
}

// A node that lets a client in but cannot do the work (here: a declare it refuses) is not where
// the next connection starts.
TEST_F(RabbitQuorumTest, ANodeWhereTheDeclareFailsIsNotTriedFirstNextTime) {
  testing::TcpProxy first(BrokerPort()), second(BrokerPort());
  settings_.urls = {Via(first), Via(second)};
  ASSERT_TRUE(DeclareTopology(settings_));  // through `first`: the node that worked last
  RabbitSettings refused = settings_;
  refused.queue_type = QueueType::kClassic;  // PRECONDITION_FAILED against the quorum queues
  EXPECT_FALSE(DeclareTopology(refused));
  // `first` now hangs: a connection through it would wait for the login timeout (~12 s).
  first.Hold();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(DeclareTopology(settings_));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "it started with the refusing node";
  first.Release();
}

TEST(RabbitBrokersTest, NoUsableBrokerFailsWithoutQuotingAUrl) {
  RabbitSettings settings;
  settings.urls = {"amqp://guest:pw-one@127.0.0.1:1", "amqp://guest:pw-two@127.0.0.1:2"};
  auto failed = DeclareTopology(settings);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(failed.error().message.find("no rabbitmq node of 2"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(failed.error().message.find("pw-"), std::string::npos) << failed.error().message;
  EXPECT_EQ(failed.error().message.find("127.0.0.1"), std::string::npos) << failed.error().message;
}

TEST(RabbitNackTest, ANackedPublishFailsAndTheNextBatchGoesOnAFreshConnection) {
  RabbitSettings settings;
  settings.url = testing::StackConfig().rabbitmq.url;
  settings.name_prefix = testing::UniqueName("nack");
  settings.inbound_shards = 1;
  settings.outbound_shards = 1;
  ASSERT_TRUE(DeclareTopology(settings));
  // A queue that refuses every message: the broker nacks what is published to it.
  const std::string full = settings.name_prefix + ".full";
  ASSERT_TRUE(
      DeclareQueue(settings, full, /*passive=*/false,
                   {{"x-max-length", int64_t{0}}, {"x-overflow", std::string("reject-publish")}}));

  common::MetricsRegistry metrics;
  RabbitPublisher publisher(settings, metrics);
  publisher.Start();
  ASSERT_TRUE(
      publisher.PublishConfirmed({{webhook::QueueMessage::Route::kInbound, 0, "ok-1", "", "{}"}}));
  auto nacked = publisher.Publish({{"", full, "refused", "{}", {}, 0}});
  ASSERT_FALSE(nacked);
  EXPECT_EQ(nacked.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(WaitFor([&] { return !publisher.Check(); }, 2s))
      << "the channel that got a nack must be dropped";
  EXPECT_TRUE(
      publisher.PublishConfirmed({{webhook::QueueMessage::Route::kInbound, 0, "ok-2", "", "{}"}}));
  EXPECT_TRUE(publisher.Check());
  EXPECT_EQ(*QueueDepth(settings, RabbitNames{settings.name_prefix}.InboundQueue(0)), 2u);
  publisher.Stop();

  auto connection = amqp::AmqpConnection::Open(settings.Brokers());
  ASSERT_TRUE(connection);
  amqp_queue_delete((*connection)->state(), amqp::kChannel, amqp_cstring_bytes(full.c_str()), 0, 0);
  EXPECT_TRUE((*connection)->Expect("delete queue"));
  EXPECT_TRUE(DeleteTopology(settings));
}

}  // namespace
}  // namespace chatshop::infra
