#include "infra/rabbitmq.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <vector>

#include "common/logging.h"
#include "common/utf8.h"

namespace chatshop::infra {
namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kHeartbeatSeconds = 30;
// How long a caller waits for the broker's confirm before answering "unavailable".
constexpr int kRpcTimeoutSeconds = 10;
// How long a new connection listens for RabbitMQ's connection.blocked before publishing.
constexpr auto kBlockedNoticeWait = std::chrono::milliseconds(100);

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string ToString(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

// Describes a failed RPC without quoting the URL (which may hold a password).
std::string Describe(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "missing reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by broker: " + ToString(m->reply_text);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by broker: " + ToString(m->reply_text);
      }
      return "broker error";
  }
  return "unknown error";
}

// One AMQP connection with channel 1 open. Closes itself on destruction.
class AmqpConnection {
 public:
  static Result<std::unique_ptr<AmqpConnection>> Open(const std::string& url) {
    std::vector<char> buffer(url.begin(), url.end());
    buffer.push_back('\0');
    amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
      return MakeError(ErrorCode::kInvalidArgument, "rabbitmq url is not a valid amqp:// URL");
    }
    auto connection = std::unique_ptr<AmqpConnection>(new AmqpConnection());
    amqp_socket_t* socket = amqp_tcp_socket_new(connection->state_);
    if (socket == nullptr) return MakeError(ErrorCode::kInternal, "cannot create amqp socket");
    timeval timeout{5, 0};
    if (int rc = amqp_socket_open_noblock(socket, info.host, info.port, &timeout);
        rc != AMQP_STATUS_OK) {
      return MakeError(ErrorCode::kUnavailable,
                       std::string("rabbitmq unreachable: ") + amqp_error_string2(rc));
    }
    connection->socket_open_ = true;
    // No RPC may wait forever on a broker that stopped reading (a resource alarm).
    timeval rpc_timeout{kRpcTimeoutSeconds, 0};
    amqp_set_rpc_timeout(connection->state_, &rpc_timeout);
    // Ask for connection.blocked notifications: RabbitMQ sends them only to clients that
    // announce the capability, and tells us when an alarm stops it reading our publishes.
    amqp_table_entry_t capability;
    capability.key = amqp_cstring_bytes("connection.blocked");
    capability.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capability.value.value.boolean = 1;
    amqp_table_entry_t property;
    property.key = amqp_cstring_bytes("capabilities");
    property.value.kind = AMQP_FIELD_KIND_TABLE;
    property.value.value.table = amqp_table_t{1, &capability};
    amqp_table_t properties{1, &property};
    auto login = amqp_login_with_properties(connection->state_, info.vhost, 0,
                                            AMQP_DEFAULT_FRAME_SIZE, kHeartbeatSeconds, &properties,
                                            AMQP_SASL_METHOD_PLAIN, info.user, info.password);
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      return MakeError(ErrorCode::kUnavailable, "rabbitmq login failed: " + Describe(login));
    }
    connection->logged_in_ = true;
    amqp_channel_open(connection->state_, kChannel);
    if (auto st = connection->Expect("channel.open"); !st) return tl::unexpected(st.error());
    connection->channel_open_ = true;
    return connection;
  }

  ~AmqpConnection() {
    if (channel_open_) amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    if (logged_in_) amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }

  amqp_connection_state_t state() const { return state_; }
  int fd() const { return amqp_get_sockfd(state_); }

  // Closes without the AMQP goodbye and with a TCP reset: whatever the broker has not read yet
  // is discarded instead of being delivered once it reads again.
  void Abandon() {
    if (int sock = fd(); sock >= 0) {
      linger reset{1, 0};
      setsockopt(sock, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    }
    channel_open_ = false;
    logged_in_ = false;
  }

  // Result of the last synchronous method call.
  Status Expect(const char* what) {
    auto reply = amqp_get_rpc_reply(state_);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return Ok();
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) channel_open_ = false;
    return MakeError(ErrorCode::kUnavailable, std::string(what) + ": " + Describe(reply));
  }

 private:
  AmqpConnection() : state_(amqp_new_connection()) {}

  amqp_connection_state_t state_;
  bool socket_open_ = false;
  bool logged_in_ = false;
  bool channel_open_ = false;
};

Status Declare(AmqpConnection& c, const RabbitSettings& settings) {
  RabbitNames names{settings.name_prefix};
  auto* s = c.state();
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.InboundExchange().c_str()),
                        amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare inbound exchange"); !st) return st;
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.ParkedExchange().c_str()),
                        amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare parked exchange"); !st) return st;

  amqp_table_entry_t sac;
  sac.key = amqp_cstring_bytes("x-single-active-consumer");
  sac.value.kind = AMQP_FIELD_KIND_BOOLEAN;
  sac.value.value.boolean = 1;
  amqp_table_t shard_args{1, &sac};
  for (int shard = 0; shard < settings.inbound_shards; ++shard) {
    const std::string queue = names.InboundQueue(shard);
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, shard_args);
    if (auto st = c.Expect("declare shard queue"); !st) return st;
    const std::string key = names.ShardRoutingKey(shard);
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(names.InboundExchange().c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    if (auto st = c.Expect("bind shard queue"); !st) return st;
  }
  amqp_queue_declare(s, kChannel, amqp_cstring_bytes(names.ParkedQueue().c_str()), 0, 1, 0, 0,
                     amqp_empty_table);
  if (auto st = c.Expect("declare parked queue"); !st) return st;
  amqp_queue_bind(s, kChannel, amqp_cstring_bytes(names.ParkedQueue().c_str()),
                  amqp_cstring_bytes(names.ParkedExchange().c_str()), amqp_cstring_bytes(""),
                  amqp_empty_table);
  if (auto st = c.Expect("bind parked queue"); !st) return st;

  // Outbound: shard queues by recipient, each with a single active consumer (in order per
  // recipient), like the inbound ones.
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.OutboundExchange().c_str()),
                        amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare outbound exchange"); !st) return st;
  for (int shard = 0; shard < settings.outbound_shards; ++shard) {
    const std::string queue = names.OutboundQueue(shard);
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, shard_args);
    if (auto st = c.Expect("declare outbound queue"); !st) return st;
    const std::string key = names.ShardRoutingKey(shard);
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(names.OutboundExchange().c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    if (auto st = c.Expect("bind outbound queue"); !st) return st;
  }
  // Delay bands: a message published to a band's fanout exchange keeps its routing key
  // (shard.N), waits out its expiration in the band's queue and is dead-lettered back to the
  // outbound exchange, to its own shard. RabbitMQ expires messages at a queue's head only, so
  // each band holds similar delays: a message waits at most about twice as long as it asked.
  const std::string outbound = names.OutboundExchange();
  amqp_table_entry_t dlx;
  dlx.key = amqp_cstring_bytes("x-dead-letter-exchange");
  dlx.value.kind = AMQP_FIELD_KIND_UTF8;
  dlx.value.value.bytes = amqp_cstring_bytes(outbound.c_str());
  amqp_table_t delay_args{1, &dlx};
  for (int band = 0; band < kDelayBands; ++band) {
    const std::string exchange = names.DelayExchange(band), queue = names.DelayQueue(band);
    amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(exchange.c_str()),
                          amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (auto st = c.Expect("declare delay exchange"); !st) return st;
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, delay_args);
    if (auto st = c.Expect("declare delay queue"); !st) return st;
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(""), amqp_empty_table);
    if (auto st = c.Expect("bind delay queue"); !st) return st;
  }
  // Dead letters are published to it by name (the default exchange).
  amqp_queue_declare(s, kChannel, amqp_cstring_bytes(names.DeadLetterQueue().c_str()), 0, 1, 0, 0,
                     amqp_empty_table);
  return c.Expect("declare dead-letter queue");
}

// Every string header of a message.
std::vector<std::pair<std::string, std::string>> StringHeaders(
    const amqp_basic_properties_t& props) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!(props._flags & AMQP_BASIC_HEADERS_FLAG)) return headers;
  for (int i = 0; i < props.headers.num_entries; ++i) {
    const auto& entry = props.headers.entries[i];
    if (entry.value.kind == AMQP_FIELD_KIND_UTF8 || entry.value.kind == AMQP_FIELD_KIND_BYTES) {
      headers.emplace_back(ToString(entry.key), ToString(entry.value.value.bytes));
    }
  }
  return headers;
}

// Our own headers on a message (x-chatshop-reason).
std::string ReasonHeader(const amqp_basic_properties_t& props) {
  if (!(props._flags & AMQP_BASIC_HEADERS_FLAG)) return "";
  for (int i = 0; i < props.headers.num_entries; ++i) {
    const auto& entry = props.headers.entries[i];
    if (ToString(entry.key) == "x-chatshop-reason" &&
        (entry.value.kind == AMQP_FIELD_KIND_UTF8 || entry.value.kind == AMQP_FIELD_KIND_BYTES)) {
      return ToString(entry.value.value.bytes);
    }
  }
  return "";
}

}  // namespace

Status DeclareTopology(const RabbitSettings& settings) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  return Declare(**connection, settings);
}

Status DeleteTopology(const RabbitSettings& settings) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  RabbitNames names{settings.name_prefix};
  auto& c = **connection;
  for (int shard = 0; shard < settings.inbound_shards; ++shard) {
    amqp_queue_delete(c.state(), kChannel, amqp_cstring_bytes(names.InboundQueue(shard).c_str()), 0,
                      0);
    if (auto st = c.Expect("delete queue"); !st) return st;
  }
  std::vector<std::string> queues = {names.ParkedQueue(), names.DeadLetterQueue()};
  std::vector<std::string> exchanges = {names.InboundExchange(), names.ParkedExchange(),
                                        names.OutboundExchange()};
  for (int shard = 0; shard < settings.outbound_shards; ++shard) {
    queues.push_back(names.OutboundQueue(shard));
  }
  for (int band = 0; band < kDelayBands; ++band) {
    queues.push_back(names.DelayQueue(band));
    exchanges.push_back(names.DelayExchange(band));
  }
  for (const auto& queue : queues) {
    amqp_queue_delete(c.state(), kChannel, amqp_cstring_bytes(queue.c_str()), 0, 0);
    if (auto st = c.Expect("delete queue"); !st) return st;
  }
  for (const auto& exchange : exchanges) {
    amqp_exchange_delete(c.state(), kChannel, amqp_cstring_bytes(exchange.c_str()), 0);
    if (auto st = c.Expect("delete exchange"); !st) return st;
  }
  return Ok();
}

Result<uint32_t> QueueDepth(const RabbitSettings& settings, const std::string& queue) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  auto* ok = amqp_queue_declare((*connection)->state(), kChannel, amqp_cstring_bytes(queue.c_str()),
                                /*passive=*/1, 0, 0, 0, amqp_empty_table);
  if (auto st = (*connection)->Expect("inspect queue"); !st) return tl::unexpected(st.error());
  return ok->message_count;
}

namespace {

// basic.get of one message: its delivery tag, or 0 when the queue is empty. With `take`, the
// broker forgets it at once (no_ack); else it waits for an ack, or takes it back when the
// connection closes.
Result<uint64_t> GetOne(AmqpConnection& connection, const std::string& queue, Delivery& delivery,
                        bool take = false) {
  auto* state = connection.state();
  amqp_maybe_release_buffers(state);
  auto reply = amqp_basic_get(state, kChannel, amqp_cstring_bytes(queue.c_str()), take ? 1 : 0);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    return MakeError(ErrorCode::kUnavailable, "basic.get: " + Describe(reply));
  }
  if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return uint64_t{0};
  auto* ok = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded);
  const uint64_t tag = ok->delivery_tag;
  delivery.queue = ToString(ok->routing_key);
  delivery.redelivered = ok->redelivered != 0;
  amqp_message_t message;
  auto read = amqp_read_message(state, kChannel, &message, 0);
  if (read.reply_type != AMQP_RESPONSE_NORMAL) {
    return MakeError(ErrorCode::kUnavailable, "reading a message: " + Describe(read));
  }
  delivery.body = ToString(message.body);
  if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
    delivery.message_id = ToString(message.properties.message_id);
  }
  delivery.reason = ReasonHeader(message.properties);
  delivery.headers = StringHeaders(message.properties);
  if (message.properties._flags & AMQP_BASIC_TIMESTAMP_FLAG) {
    delivery.published_at = static_cast<int64_t>(message.properties.timestamp);
  }
  amqp_destroy_message(&message);
  return tag;
}

}  // namespace

Result<std::vector<Delivery>> TakeAll(const RabbitSettings& settings, const std::string& queue) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  std::vector<Delivery> taken;
  while (true) {
    Delivery delivery;
    auto tag = GetOne(**connection, queue, delivery, /*take=*/true);
    if (!tag) return tl::unexpected(tag.error());
    if (*tag == 0) break;
    taken.push_back(std::move(delivery));
  }
  return taken;
}

Result<std::vector<Delivery>> Peek(const RabbitSettings& settings, const std::string& queue,
                                   int limit) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  std::vector<Delivery> seen;
  // Unacknowledged gets go back to the queue, in their places, when the connection closes.
  while (static_cast<int>(seen.size()) < limit) {
    Delivery delivery;
    auto tag = GetOne(**connection, queue, delivery);
    if (!tag) return tl::unexpected(tag.error());
    if (*tag == 0) break;
    seen.push_back(std::move(delivery));
  }
  return seen;
}

Status TakeOne(const RabbitSettings& settings, const std::string& queue,
               const std::string& message_id, const std::function<Status(const Delivery&)>& keep) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  while (true) {
    Delivery delivery;
    auto tag = GetOne(**connection, queue, delivery);
    if (!tag) return tl::unexpected(tag.error());
    if (*tag == 0)
      return MakeError(ErrorCode::kNotFound, "no message " + message_id + " in " + queue);
    if (delivery.message_id != message_id) continue;  // requeued when the connection closes
    if (auto kept = keep(delivery); !kept) return kept;
    if (amqp_basic_ack((*connection)->state(), kChannel, *tag, 0) != AMQP_STATUS_OK) {
      return MakeError(ErrorCode::kUnavailable, "ack failed: the message stays in " + queue);
    }
    return Ok();
  }
}

Result<uint32_t> DropPublishedBefore(const RabbitSettings& settings, const std::string& queue,
                                     int64_t cutoff, bool dry_run) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  uint32_t dropped = 0;
  while (true) {
    Delivery delivery;
    auto tag = GetOne(**connection, queue, delivery);
    if (!tag) return tl::unexpected(tag.error());
    // The first message young enough (or of unknown age) ends it; unacknowledged gets go back
    // to their places when the connection closes.
    if (*tag == 0 || delivery.published_at <= 0 || delivery.published_at >= cutoff) return dropped;
    if (!dry_run && amqp_basic_ack((*connection)->state(), kChannel, *tag, 0) != AMQP_STATUS_OK) {
      return MakeError(ErrorCode::kUnavailable, "ack failed while pruning " + queue);
    }
    ++dropped;
  }
}

Result<uint32_t> Purge(const RabbitSettings& settings, const std::string& queue) {
  auto connection = AmqpConnection::Open(settings.url);
  if (!connection) return tl::unexpected(connection.error());
  auto* ok = amqp_queue_purge((*connection)->state(), kChannel, amqp_cstring_bytes(queue.c_str()));
  if (auto st = (*connection)->Expect("purge queue"); !st) return tl::unexpected(st.error());
  return ok->message_count;
}

int DelayBand(std::chrono::milliseconds delay) {
  int band = 0;
  while (band + 1 < kDelayBands && delay >= std::chrono::milliseconds(int64_t{250} << band)) ++band;
  return band;
}

// ---------------------------------------------------------------------------------------------
// Publisher

RabbitSettings RabbitSettingsOf(const common::RabbitMqSettings& rabbitmq) {
  RabbitSettings settings{rabbitmq.url, rabbitmq.name_prefix, rabbitmq.inbound_shards,
                          rabbitmq.prefetch};
  settings.outbound_shards = rabbitmq.outbound_shards;
  settings.publish_timeout = std::chrono::milliseconds(rabbitmq.publish_timeout_ms);
  settings.max_waiting_messages = static_cast<size_t>(rabbitmq.max_waiting_messages);
  return settings;
}

struct RabbitPublisher::Batch {
  std::vector<Envelope> messages;
  std::promise<Status> done;
  std::chrono::steady_clock::time_point deadline;
  bool abandoned = false;  // guarded by the publisher's mutex: the caller stopped waiting
  size_t unconfirmed = 0;
  std::string failure;  // set when the broker nacked or returned one of the messages
  bool finished = false;

  void Finish(Status status) {
    if (finished) return;
    finished = true;
    done.set_value(std::move(status));
  }
};

RabbitPublisher::RabbitPublisher(RabbitSettings settings, common::MetricsRegistry& metrics)
    : settings_(std::move(settings)),
      names_{settings_.name_prefix},
      published_(
          metrics.GetCounter("chatshop_queue_published_total", "Messages confirmed by RabbitMQ")),
      confirm_failures_(metrics.GetCounter("chatshop_queue_publish_failures_total",
                                           "Batches the broker did not confirm")),
      log_(common::GetLogger("rabbitmq")) {}

RabbitPublisher::~RabbitPublisher() { Stop(); }

void RabbitPublisher::Start() {
  io_thread_ = std::thread([this] { IoLoop(); });
}

void RabbitPublisher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (io_thread_.joinable()) io_thread_.join();
}

Status RabbitPublisher::Check() {
  if (blocked_.load()) {
    std::lock_guard lock(mutex_);
    return MakeError(ErrorCode::kUnavailable,
                     "rabbitmq is blocking publishers (" + blocked_reason_ + ")");
  }
  if (connected_.load()) return Ok();
  return MakeError(ErrorCode::kUnavailable, "not connected to rabbitmq");
}

void RabbitPublisher::AbortSocket() {
  std::lock_guard lock(mutex_);
  // shutdown() wakes the I/O thread's poll() on the socket; the descriptor stays open (the
  // I/O thread closes it), so it cannot have been reused for something else.
  if (socket_fd_ >= 0) ::shutdown(socket_fd_, SHUT_RDWR);
}

Status RabbitPublisher::PublishConfirmed(const std::vector<webhook::QueueMessage>& messages) {
  std::vector<Envelope> envelopes;
  envelopes.reserve(messages.size());
  for (const auto& message : messages) {
    const bool parked = message.route == webhook::QueueMessage::Route::kParked;
    Envelope e;
    e.exchange = parked ? names_.ParkedExchange() : names_.InboundExchange();
    e.routing_key = parked ? "" : names_.ShardRoutingKey(message.shard);
    e.message_id = message.message_id;
    e.body = message.body;
    if (!message.reason.empty()) {
      e.headers.emplace_back("x-chatshop-reason",
                             common::CutUtf8(message.reason, kMaxReasonHeaderBytes));
    }
    envelopes.push_back(std::move(e));
  }
  return Publish(std::move(envelopes));
}

Status RabbitPublisher::Publish(std::vector<Envelope> messages) {
  if (messages.empty()) return Ok();
  if (blocked_.load()) {
    confirm_failures_.Increment();
    return MakeError(ErrorCode::kUnavailable, "rabbitmq is blocking publishers (resource alarm)");
  }
  auto batch = std::make_shared<Batch>();
  batch->messages = std::move(messages);
  batch->deadline = std::chrono::steady_clock::now() + settings_.publish_timeout;
  auto future = batch->done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return MakeError(ErrorCode::kUnavailable, "publisher is stopping");
    if (waiting_messages_ + batch->messages.size() > settings_.max_waiting_messages) {
      confirm_failures_.Increment();
      return MakeError(ErrorCode::kUnavailable, "too many messages waiting for rabbitmq");
    }
    waiting_messages_ += batch->messages.size();
    waiting_.push_back(batch);
  }
  wake_.notify_one();
  // The I/O thread settles every batch by its deadline; this wait is the backstop for an I/O
  // thread stuck writing to a broker that stopped reading.
  if (future.wait_until(batch->deadline + std::chrono::seconds(1)) != std::future_status::ready) {
    {
      std::lock_guard lock(mutex_);
      batch->abandoned = true;
    }
    AbortSocket();
    confirm_failures_.Increment();
    return MakeError(ErrorCode::kUnavailable, "rabbitmq did not confirm in time");
  }
  Status status = future.get();
  if (status) {
    published_.Increment(batch->messages.size());
  } else {
    confirm_failures_.Increment();
  }
  return status;
}

void RabbitPublisher::IoLoop() {
  std::unique_ptr<AmqpConnection> connection;
  uint64_t next_tag = 1;
  std::map<uint64_t, std::shared_ptr<Batch>> outstanding;  // delivery tag → its batch
  auto backoff = std::chrono::milliseconds(100);
  uint64_t passes = 0;

  // Fails every batch in flight; their messages may or may not have been stored, so callers
  // answer 5xx and Meta redelivers (dedupe makes the second copy harmless).
  auto drop_connection = [&](const std::string& why) {
    if (connection) log_->error("rabbitmq connection lost: {}", why);
    {
      // blocked_ stays as it was: a broker under an alarm blocks the next connection too,
      // and the reconnect below finds out whether it still does.
      std::lock_guard lock(mutex_);
      socket_fd_ = -1;
    }
    // An unconfirmed publish may sit unread in the broker's socket: reset, don't say goodbye.
    if (connection && !outstanding.empty()) connection->Abandon();
    connection.reset();
    connected_ = false;
    for (auto& [tag, batch] : outstanding) {
      batch->Finish(MakeError(ErrorCode::kUnavailable, "rabbitmq: " + why));
    }
    outstanding.clear();
  };

  auto settle = [&](uint64_t tag, bool multiple, const std::string& failure) {
    auto end = multiple ? outstanding.upper_bound(tag) : outstanding.find(tag);
    auto begin = multiple ? outstanding.begin() : end;
    if (!multiple) {
      if (end == outstanding.end()) return;
      ++end;
    }
    for (auto it = begin; it != end; ++it) {
      auto& batch = it->second;
      if (!failure.empty()) batch->failure = failure;
      if (--batch->unconfirmed == 0) {
        batch->Finish(batch->failure.empty() ? Ok()
                                             : MakeError(ErrorCode::kUnavailable, batch->failure));
      }
    }
    outstanding.erase(begin, end);
  };

  while (true) {
    std::deque<std::shared_ptr<Batch>> taken;
    {
      std::unique_lock lock(mutex_);
      if (outstanding.empty() && waiting_.empty() && !stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(500));
      }
      if (stopping_) {
        for (auto& batch : waiting_) {
          batch->Finish(MakeError(ErrorCode::kUnavailable, "publisher stopped"));
        }
        waiting_.clear();
        waiting_messages_ = 0;
        break;
      }
      // What is past its deadline, or no longer awaited, is never published: its caller has
      // answered (or is about to answer) 503.
      const auto now = std::chrono::steady_clock::now();
      for (auto& batch : waiting_) {
        waiting_messages_ -= batch->messages.size();
        if (batch->abandoned || now >= batch->deadline) {
          batch->Finish(MakeError(ErrorCode::kUnavailable, "rabbitmq did not confirm in time"));
        } else if (blocked_.load()) {
          batch->Finish(MakeError(ErrorCode::kUnavailable,
                                  "rabbitmq is blocking publishers (" + blocked_reason_ + ")"));
        } else {
          taken.push_back(std::move(batch));
        }
      }
      waiting_.clear();
    }

    if (!connection) {
      auto opened = AmqpConnection::Open(settings_.url);
      Status ready = opened ? Declare(**opened, settings_) : tl::unexpected(opened.error());
      if (ready) {
        amqp_confirm_select((*opened)->state(), kChannel);
        ready = (*opened)->Expect("confirm.select");
      }
      if (!ready) {
        if (connected_.exchange(false) || backoff == std::chrono::milliseconds(100)) {
          log_->error("cannot connect to rabbitmq: {}", ready.error().message);
        }
        for (auto& batch : taken) batch->Finish(tl::unexpected(ready.error()));
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      connection = std::move(*opened);
      {
        std::lock_guard lock(mutex_);
        socket_fd_ = connection->fd();
      }
      // Under an alarm RabbitMQ says connection.blocked right after the handshake: listen for
      // it briefly before publishing anything, so that no body is written into a socket the
      // broker will not read.
      bool still_blocked = false;
      for (auto until = std::chrono::steady_clock::now() + kBlockedNoticeWait;
           std::chrono::steady_clock::now() < until;) {
        amqp_frame_t frame;
        timeval wait{0, 10000};
        int rc = amqp_simple_wait_frame_noblock(connection->state(), &frame, &wait);
        if (rc == AMQP_STATUS_TIMEOUT) continue;
        if (rc != AMQP_STATUS_OK) break;
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            frame.payload.method.id == AMQP_CONNECTION_BLOCKED_METHOD) {
          auto* blocked = static_cast<amqp_connection_blocked_t*>(frame.payload.method.decoded);
          std::lock_guard lock(mutex_);
          blocked_reason_ = ToString(blocked->reason);
          still_blocked = true;
          break;
        }
      }
      if (blocked_.exchange(still_blocked) != still_blocked) {
        if (still_blocked) {
          log_->error("rabbitmq blocks publishing: {}", blocked_reason_);
        } else {
          log_->warn("rabbitmq accepts publishes again");
        }
      }
      next_tag = 1;
      backoff = std::chrono::milliseconds(100);
      connected_ = true;
      log_->info("connected to rabbitmq, publisher confirms on");
    }

    // Publish everything that is waiting before reading any confirm: this is the pipelining.
    for (auto& batch : taken) {
      // rabbitmq-c refuses an over-long short string only after the method frame is written,
      // which would break the connection for everyone: check before writing anything.
      const bool fits = std::all_of(batch->messages.begin(), batch->messages.end(), [](auto& m) {
        return m.message_id.size() <= 255 && m.headers.size() <= 8 &&
               std::all_of(m.headers.begin(), m.headers.end(), [](auto& h) {
                 return h.first.size() <= 128 && h.second.size() <= 1024;
               });
      });
      if (!fits) {
        batch->Finish(MakeError(ErrorCode::kInvalidArgument, "message id or reason too long"));
        continue;
      }
      for (const auto& message : batch->messages) {
        const std::string& exchange = message.exchange;
        const std::string& key = message.routing_key;
        const std::string correlation = std::to_string(next_tag);
        const std::string expiration = std::to_string(message.expiration_ms);

        amqp_basic_properties_t props;
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG |
                       AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
        // Seconds since the epoch: `chatshopctl queues` tells a queue's age by its head.
        props.timestamp = static_cast<uint64_t>(message.published_at > 0 ? message.published_at
                                                                         : std::time(nullptr));
        props.delivery_mode = 2;  // persistent
        props.content_type = amqp_cstring_bytes("application/json");
        props.correlation_id = Bytes(correlation);
        if (!message.message_id.empty()) {
          props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
          props.message_id = Bytes(message.message_id);
        }
        if (message.expiration_ms > 0) {
          props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
          props.expiration = Bytes(expiration);
        }
        std::vector<amqp_table_entry_t> headers(message.headers.size());
        for (size_t h = 0; h < message.headers.size(); ++h) {
          headers[h].key = Bytes(message.headers[h].first);
          headers[h].value.kind = AMQP_FIELD_KIND_UTF8;
          headers[h].value.value.bytes = Bytes(message.headers[h].second);
        }
        if (!headers.empty()) {
          props._flags |= AMQP_BASIC_HEADERS_FLAG;
          props.headers = amqp_table_t{static_cast<int>(headers.size()), headers.data()};
        }
        // mandatory: an unroutable message comes back (basic.return) instead of vanishing.
        int rc = amqp_basic_publish(
            connection->state(), kChannel, amqp_cstring_bytes(exchange.c_str()),
            amqp_cstring_bytes(key.c_str()), /*mandatory=*/1, 0, &props, Bytes(message.body));
        if (rc != AMQP_STATUS_OK) {
          drop_connection(std::string("publish failed: ") + amqp_error_string2(rc));
          break;
        }
        ++batch->unconfirmed;
        outstanding[next_tag++] = batch;
      }
      if (!connection) break;
    }
    if (!connection) {
      for (auto& batch : taken) batch->Finish(MakeError(ErrorCode::kUnavailable, "publish failed"));
      continue;
    }

    // Collect confirms. Wait briefly for the first frame, then drain what is already buffered.
    // When idle this still polls once: rabbitmq-c sends heartbeats only from inside its calls,
    // and this is how a connection the broker closed is noticed before the next publish.
    timeval wait{0, outstanding.empty() ? 0 : 2000};
    for (bool first = true; connection && (first || !outstanding.empty()); first = false) {
      amqp_frame_t frame;
      int rc = amqp_simple_wait_frame_noblock(connection->state(), &frame, &wait);
      wait = {0, 0};
      if (rc == AMQP_STATUS_TIMEOUT) break;
      if (rc != AMQP_STATUS_OK) {
        drop_connection(amqp_error_string2(rc));
        break;
      }
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
          auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
          settle(ack->delivery_tag, ack->multiple, "");
          break;
        }
        case AMQP_BASIC_NACK_METHOD: {
          auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
          settle(nack->delivery_tag, nack->multiple, "broker refused the message");
          break;
        }
        case AMQP_BASIC_RETURN_METHOD: {
          // The returned message's header names the tag we gave it; its ack follows.
          amqp_message_t returned;
          auto reply = amqp_read_message(connection->state(), frame.channel, &returned, 0);
          if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            drop_connection("reading a returned message: " + Describe(reply));
            break;
          }
          if (returned.properties._flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
            uint64_t tag = std::stoull(ToString(returned.properties.correlation_id));
            if (auto it = outstanding.find(tag); it != outstanding.end()) {
              it->second->failure = "message could not be routed to a queue";
            }
          }
          amqp_destroy_message(&returned);
          break;
        }
        case AMQP_CONNECTION_BLOCKED_METHOD: {
          auto* blocked = static_cast<amqp_connection_blocked_t*>(frame.payload.method.decoded);
          std::lock_guard lock(mutex_);
          blocked_reason_ = ToString(blocked->reason);
          blocked_ = true;
          log_->error("rabbitmq blocks publishing: {}; webhooks are answered 503 until it ends",
                      blocked_reason_);
          break;
        }
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
          blocked_ = false;
          log_->warn("rabbitmq accepts publishes again");
          break;
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD:
          drop_connection("closed by broker");
          break;
        default:
          break;
      }
    }
    // A confirm overdue (a blocked or stalled broker): its caller hears 503, so the message
    // must not be stored later. Resetting the connection discards what the broker has not
    // read; the rest of the outstanding batches fail with it and are redelivered by Meta.
    if (connection && !outstanding.empty()) {
      const auto now = std::chrono::steady_clock::now();
      // Batches are published in the order they arrived, so the oldest tag has the earliest
      // deadline.
      if (now >= outstanding.begin()->second->deadline) {
        drop_connection("no confirm within the publish timeout; connection reset");
      }
    }
    // Releasing the frame pool frees and reallocates its blocks: not on every pass under load.
    if (connection && (outstanding.empty() || ++passes % 64 == 0)) {
      amqp_maybe_release_buffers(connection->state());
    }
  }
  if (connection) log_->info("publisher stopped");
  connection.reset();
  drop_connection("publisher stopped");
}

// ---------------------------------------------------------------------------------------------
// Consumer

RabbitConsumer::RabbitConsumer(RabbitSettings settings, Handler handler,
                               std::vector<std::string> queues)
    : settings_(std::move(settings)),
      handler_(std::move(handler)),
      queues_(std::move(queues)),
      log_(common::GetLogger("rabbitmq")) {}

void RabbitConsumer::Run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(100);
  auto pause = [&stop](std::chrono::milliseconds how_long) {
    auto until = std::chrono::steady_clock::now() + how_long;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };

  while (!stop.load()) {
    auto opened = AmqpConnection::Open(settings_.url);
    Status ready = opened ? Declare(**opened, settings_) : tl::unexpected(opened.error());
    if (ready) {
      amqp_basic_qos((*opened)->state(), kChannel, 0, static_cast<uint16_t>(settings_.prefetch), 0);
      ready = (*opened)->Expect("basic.qos");
    }
    for (size_t i = 0; ready && i < queues_.size(); ++i) {
      amqp_basic_consume((*opened)->state(), kChannel, amqp_cstring_bytes(queues_[i].c_str()),
                         amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
      ready = (*opened)->Expect("basic.consume");
    }
    if (!ready) {
      log_->error("consumer cannot start: {}", ready.error().message);
      pause(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    log_->info("consuming {} queues ({}…)", queues_.size(), queues_.empty() ? "" : queues_[0]);
    auto& connection = **opened;

    while (!stop.load()) {
      amqp_maybe_release_buffers(connection.state());
      amqp_envelope_t envelope;
      timeval timeout{0, 200000};
      auto reply = amqp_consume_message(connection.state(), &envelope, &timeout, 0);
      if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          reply.library_error == AMQP_STATUS_TIMEOUT) {
        continue;
      }
      if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        // A frame other than a delivery: read it; a close means reconnect.
        amqp_frame_t frame;
        if (amqp_simple_wait_frame(connection.state(), &frame) != AMQP_STATUS_OK) break;
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
          log_->error("consumer closed by broker");
          break;
        }
        continue;
      }
      if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        log_->error("consumer lost the broker: {}", Describe(reply));
        break;
      }

      Delivery delivery;
      delivery.body = ToString(envelope.message.body);
      if (envelope.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
        delivery.message_id = ToString(envelope.message.properties.message_id);
      }
      delivery.queue = ToString(envelope.routing_key);
      delivery.reason = ReasonHeader(envelope.message.properties);
      delivery.headers = StringHeaders(envelope.message.properties);
      delivery.redelivered = envelope.redelivered != 0;
      const uint64_t tag = envelope.delivery_tag;
      amqp_destroy_envelope(&envelope);

      // Retry in place: requeueing would let later messages of this queue overtake it. Not for
      // ever on this connection, though: rabbitmq-c sends heartbeats only from inside its
      // calls, and a broker that missed two closes the connection and may hand the queue to
      // another consumer while this one still works on it. Before that, the connection is
      // given up: the broker requeues everything unacknowledged, in order, and the message
      // comes back on the next connection.
      auto retry_pause = std::chrono::milliseconds(200);
      const auto held_since = std::chrono::steady_clock::now();
      DeliveryAction action = handler_(delivery);
      while (action == DeliveryAction::kRetry && !stop.load() &&
             std::chrono::steady_clock::now() - held_since <
                 std::chrono::seconds(kHeartbeatSeconds / 2)) {
        pause(retry_pause);
        retry_pause = std::min(retry_pause * 2, std::chrono::milliseconds(5000));
        action = handler_(delivery);
      }
      if (action != DeliveryAction::kAck) {
        if (!stop.load())
          log_->warn("still failing after {} s: reconnecting", kHeartbeatSeconds / 2);
        break;  // the broker requeues it (stopping, or to keep the connection alive)
      }
      if (amqp_basic_ack(connection.state(), kChannel, tag, 0) != AMQP_STATUS_OK) {
        log_->error("ack failed; the message will be redelivered and deduplicated");
        break;
      }
    }
  }
}

}  // namespace chatshop::infra
