#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/result.h"
#include "webhook/ports.h"

struct amqp_frame_t_;  // rabbitmq-c's amqp_frame_t

namespace chatshop::infra {

// How the shard, parked, dead-letter and delay queues are declared.
enum class QueueType {
  kClassic,  // one broker
  // Replicated over a cluster; the shard queues dead-letter a message redelivered more than
  // `delivery_limit` times (a consumer died holding it each time) at least once.
  kQuorum,
};

struct RabbitSettings {
  std::string url;  // amqp://user:pass@host:port[/vhost]; never logged
  std::string name_prefix = "chatshop";
  int inbound_shards = 4;
  int prefetch = 64;
  int outbound_shards = 4;
  // A publish not confirmed within this fails (the webhook answers 503), and is then never
  // written to the broker later: see RabbitPublisher.
  std::chrono::milliseconds publish_timeout{5000};
  size_t max_waiting_messages = 10000;  // queued for the I/O thread; beyond: refused at once
  // AMQP heartbeat interval asked of the broker; tests shorten it to see a lapse quickly.
  int heartbeat_seconds = 30;
  // The nodes of a cluster, same syntax as `url`; when not empty, used instead of `url`.
  std::vector<std::string> urls = {};
  QueueType queue_type = QueueType::kClassic;
  int delivery_limit = 20;  // quorum only: deliveries beyond the first before dead-lettering

  // The brokers to try: `urls`, or else `url` alone.
  std::vector<std::string> Brokers() const { return urls.empty() ? std::vector{url} : urls; }
};

// Names of the broker objects, all under the configured prefix.
struct RabbitNames {
  std::string prefix;
  std::string InboundExchange() const { return prefix + ".inbound"; }
  std::string InboundQueue(int shard) const { return prefix + ".inbound." + std::to_string(shard); }
  std::string ShardRoutingKey(int shard) const { return "shard." + std::to_string(shard); }
  std::string ParkedExchange() const { return prefix + ".parked"; }
  std::string ParkedQueue() const { return prefix + ".parked"; }
  // Replies on their way to the Graph API: a direct exchange with one queue per shard of
  // recipients; delay queues (one per power-of-two band of seconds, dead-lettering back to the
  // outbound exchange) for retries; and the dead-letter queue of replies given up on.
  std::string OutboundExchange() const { return prefix + ".outbound"; }
  std::string OutboundQueue(int shard) const {
    return prefix + ".outbound." + std::to_string(shard);
  }
  std::string DelayExchange(int band) const {
    return prefix + ".outbound.delay." + std::to_string(band);
  }
  std::string DelayQueue(int band) const { return DelayExchange(band); }
  std::string DeadLetterQueue() const { return prefix + ".outbound.dead"; }
};

// Delay bands: band 0 holds messages waiting less than 250 ms, band b ≥ 1 those waiting
// [250 ms·2^(b−1), 250 ms·2^b), the last also longer ones.
inline constexpr int kDelayBands = 13;  // up to 1024 s
int DelayBand(std::chrono::milliseconds delay);

// Longest x-chatshop-reason header: reasons (Meta's error texts, parse errors) are cut to it,
// at a UTF-8 character boundary, so a long one can never make the broker refuse the message.
inline constexpr size_t kMaxReasonHeaderBytes = 200;

// A message to publish: where to, and what. Persistent, mandatory, confirmed.
struct Envelope {
  std::string exchange;
  std::string routing_key;
  std::string message_id;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // x-chatshop-* strings
  int64_t expiration_ms = 0;                                 // 0: none
  int64_t published_at = 0;  // the timestamp property, seconds since the epoch; 0: now
};

// Declares exchanges and queues (idempotent): a durable direct exchange with one durable queue
// per shard, each with single active consumer so that one customer's events are handled in
// order; and a parked exchange + queue for what cannot be processed. With QueueType::kQuorum
// every queue is a quorum queue and the shard queues dead-letter (at least once) a message
// delivered more than `delivery_limit` times: inbound ones to the parked exchange, outbound
// ones to the dead-letter queue. kUnavailable when the broker cannot be reached, or when the
// queues exist with other arguments (another queue_type: PRECONDITION_FAILED).
[[nodiscard]] Status DeclareTopology(const RabbitSettings& settings);

// Deletes every queue and exchange of the prefix (tests clean up with it).
[[nodiscard]] Status DeleteTopology(const RabbitSettings& settings);

// Messages ready in a queue (not counting unacknowledged ones); for tests and tools.
[[nodiscard]] Result<uint32_t> QueueDepth(const RabbitSettings& settings, const std::string& queue);

// A message taken from a queue.
struct Delivery {
  std::string body;
  std::string message_id;
  std::string queue;   // for consumed messages, the routing key it was published with
  std::string reason;  // x-chatshop-reason of parked and dead-lettered messages
  std::vector<std::pair<std::string, std::string>> headers;  // every string header
  int64_t published_at = 0;  // seconds since the epoch (Peek only); 0: unknown
  bool redelivered = false;

  // The value of string header `name`, or "".
  std::string Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return "";
  }
};

// Looks at up to `limit` messages of `queue` without taking them (they are requeued in their
// places). For operator tools.
[[nodiscard]] Result<std::vector<Delivery>> Peek(const RabbitSettings& settings,
                                                 const std::string& queue, int limit);
// Removes the first message of `queue` whose message id is `message_id`, after `keep` (called
// with it) succeeded; the others stay. kNotFound when there is none.
[[nodiscard]] Status TakeOne(const RabbitSettings& settings, const std::string& queue,
                             const std::string& message_id,
                             const std::function<Status(const Delivery&)>& keep);
// Drops the messages at the head of `queue` published before `cutoff` (seconds since the epoch),
// oldest first, stopping at the first newer one or one without a timestamp: a queue is in
// publish order. With `dry_run` counts them and leaves them. Returns how many; kUnavailable when
// the broker cannot be reached.
[[nodiscard]] Result<uint32_t> DropPublishedBefore(const RabbitSettings& settings,
                                                   const std::string& queue, int64_t cutoff,
                                                   bool dry_run);
// Drops every message of `queue`; returns how many there were.
[[nodiscard]] Result<uint32_t> Purge(const RabbitSettings& settings, const std::string& queue);

// Takes every message now ready in `queue` (basic.get, acknowledged), oldest first. For tests
// and operator tools; kUnavailable when the broker cannot be reached.
[[nodiscard]] Result<std::vector<Delivery>> TakeAll(const RabbitSettings& settings,
                                                    const std::string& queue);

// Publishes persistent messages with publisher confirms. One I/O thread owns the connection;
// callers on any thread hand it batches and wait. Confirms are pipelined: the thread publishes
// every batch that is waiting, then collects the broker's (multiple-)acks, so concurrent callers
// share round trips instead of each waiting for its own. Reconnects by itself.
// Bounded and deadline-driven, for a broker that blocks (memory or disk alarm) or stalls: at
// most `max_waiting_messages` wait; a batch not published by its deadline is failed and never
// published afterwards; one published but unconfirmed at its deadline makes the thread reset
// the connection (so bytes the broker has not read are discarded, not stored after the caller
// was told 503); while the broker says connection.blocked, publishes fail at once and Check()
// reports not ready. A basic.nack fails its batch and drops the connection: RabbitMQ 3.10 can
// nack every publish of a channel for good, so the next batch goes on a fresh one.
// Thread-safe.
class RabbitPublisher : public webhook::EventQueue, public webhook::ReadinessCheck {
 public:
  RabbitPublisher(RabbitSettings settings, common::MetricsRegistry& metrics);
  ~RabbitPublisher() override;

  // Starts the I/O thread. Call once.
  void Start();
  // Fails what is still waiting and joins the I/O thread.
  void Stop();

  Status PublishConfirmed(const std::vector<webhook::QueueMessage>& messages) override;
  // Publishes `envelopes` and waits for the broker's confirms, as above.
  [[nodiscard]] Status Publish(std::vector<Envelope> envelopes);

  std::string name() const override { return "rabbitmq"; }
  // Ok while the I/O thread holds an open, confirmed channel.
  Status Check() override;

 private:
  struct Batch;
  class Connection;
  struct IoState;
  void IoLoop();
  std::optional<std::deque<std::shared_ptr<Batch>>> TakeWaiting(bool idle);
  bool Connect(IoState& io, std::deque<std::shared_ptr<Batch>>& taken);
  void PublishTaken(IoState& io, std::deque<std::shared_ptr<Batch>>& taken);
  void CollectConfirms(IoState& io);
  void HandleMethod(IoState& io, const amqp_frame_t_& frame);
  void DropConnection(IoState& io, const std::string& why);
  static void Settle(IoState& io, uint64_t tag, bool multiple, const std::string& failure);

  RabbitSettings settings_;
  RabbitNames names_;
  common::Counter& published_;
  common::Counter& confirm_failures_;
  std::shared_ptr<spdlog::logger> log_;

  // Interrupts a publish stuck writing to a broker that stopped reading.
  void AbortSocket();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Batch>> waiting_;
  size_t waiting_messages_ = 0;
  bool stopping_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<bool> blocked_{false};
  std::string blocked_reason_;  // guarded by mutex_
  int socket_fd_ = -1;          // guarded by mutex_; the I/O thread's connection
  std::thread io_thread_;
};

// What the consumer does with a delivery once the handler returns.
enum class DeliveryAction {
  kAck,    // effect committed (or nothing to do): remove from the queue
  kRetry,  // a dependency is down: keep the message and call the handler again after a pause
};

// Consumes inbound shard queues and hands each delivery to a handler, acknowledging only after
// the handler says the effect is committed. Messages of one queue are handled one at a time in
// order; a kRetry holds the queue (it is never requeued behind later messages).
// Not thread-safe: Run() on one thread; several consumers (threads or processes) share the
// shards, and each queue's single active consumer keeps its order.
class RabbitConsumer {
 public:
  using Handler = std::function<DeliveryAction(const Delivery&)>;

  // Consumes `queues` (declaring the topology first).
  RabbitConsumer(RabbitSettings settings, Handler handler, std::vector<std::string> queues);

  // Runs until `stop` becomes true, reconnecting after broker failures. Unacknowledged
  // deliveries go back to their queues when the connection closes.
  void Run(const std::atomic<bool>& stop);

 private:
  RabbitSettings settings_;
  Handler handler_;
  std::vector<std::string> queues_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::infra
