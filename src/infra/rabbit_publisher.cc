// RabbitPublisher: persistent publishes with pipelined confirms, from one I/O thread.
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/utf8.h"
#include "infra/amqp_connection.h"
#include "infra/rabbitmq.h"

namespace chatshop::infra {
namespace {

using namespace amqp;

// How long a new connection listens for RabbitMQ's connection.blocked before publishing.
constexpr auto kBlockedNoticeWait = std::chrono::milliseconds(100);

// Writes `message` as a persistent, mandatory publish whose correlation id is its confirm tag
// `tag` (a basic.return names it); rabbitmq-c's status.
int PublishOne(AmqpConnection& connection, const Envelope& message, uint64_t tag) {
  const std::string& exchange = message.exchange;
  const std::string& key = message.routing_key;
  const std::string correlation = std::to_string(tag);
  const std::string expiration = std::to_string(message.expiration_ms);

  amqp_basic_properties_t props;
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG |
                 AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
  // Seconds since the epoch: `chatshopctl queues` tells a queue's age by its head.
  props.timestamp =
      static_cast<uint64_t>(message.published_at > 0 ? message.published_at : std::time(nullptr));
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
  return amqp_basic_publish(connection.state(), kChannel, amqp_cstring_bytes(exchange.c_str()),
                            amqp_cstring_bytes(key.c_str()), /*mandatory=*/1, 0, &props,
                            Bytes(message.body));
}

// rabbitmq-c refuses an over-long short string only after the method frame is written, which
// would break the connection for everyone: checked before writing anything.
bool FitsShortStrings(const std::vector<Envelope>& messages) {
  return std::all_of(messages.begin(), messages.end(), [](auto& m) {
    return m.message_id.size() <= 255 && m.headers.size() <= 8 &&
           std::all_of(m.headers.begin(), m.headers.end(),
                       [](auto& h) { return h.first.size() <= 128 && h.second.size() <= 1024; });
  });
}

// Under an alarm RabbitMQ says connection.blocked right after the handshake: listens for it
// briefly, so that no body is written into a socket the broker will not read. The reason when
// blocked, nullopt when not.
std::optional<std::string> BlockedNotice(AmqpConnection& connection) {
  for (auto until = std::chrono::steady_clock::now() + kBlockedNoticeWait;
       std::chrono::steady_clock::now() < until;) {
    amqp_frame_t frame;
    timeval wait{0, 10000};
    int rc = amqp_simple_wait_frame_noblock(connection.state(), &frame, &wait);
    if (rc == AMQP_STATUS_TIMEOUT) continue;
    if (rc != AMQP_STATUS_OK) break;
    if (frame.frame_type == AMQP_FRAME_METHOD &&
        frame.payload.method.id == AMQP_CONNECTION_BLOCKED_METHOD) {
      auto* blocked = static_cast<amqp_connection_blocked_t*>(frame.payload.method.decoded);
      return ToString(blocked->reason);
    }
  }
  return std::nullopt;
}

}  // namespace

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

// What only the I/O thread touches: the connection and every confirm tag → batch mapping.
// Passed by reference to the steps of IoLoop, so that this state stays off the members other
// threads use.
struct RabbitPublisher::IoState {
  std::unique_ptr<AmqpConnection> connection;
  uint64_t next_tag = 1;
  std::map<uint64_t, std::shared_ptr<Batch>> outstanding;  // delivery tag → its batch
  std::chrono::milliseconds backoff{100};
  uint64_t passes = 0;
  bool pause_before_connect = false;  // the broker nacked: wait a backoff before reconnecting
};

// One pass: take what waits, (re)connect, publish it all, collect confirms, reset on an
// overdue one.
void RabbitPublisher::IoLoop() {
  IoState io;
  while (true) {
    // Before taking batches, so that none waits out the pause past its deadline.
    if (std::exchange(io.pause_before_connect, false)) std::this_thread::sleep_for(io.backoff);
    auto taken = TakeWaiting(io.outstanding.empty());
    if (!taken) break;  // stopping
    if (!io.connection && !Connect(io, *taken)) continue;
    PublishTaken(io, *taken);
    if (!io.connection) continue;
    CollectConfirms(io);
    // A confirm overdue (a blocked or stalled broker): its caller hears 503, so the message
    // must not be stored later. Resetting the connection discards what the broker has not
    // read; the rest of the outstanding batches fail with it and are redelivered by Meta.
    // Batches are published in the order they arrived, so the oldest tag has the earliest
    // deadline.
    if (io.connection && !io.outstanding.empty() &&
        std::chrono::steady_clock::now() >= io.outstanding.begin()->second->deadline) {
      DropConnection(io, "no confirm within the publish timeout; connection reset");
    }
    // Releasing the frame pool frees and reallocates its blocks: not on every pass under load.
    if (io.connection && (io.outstanding.empty() || ++io.passes % 64 == 0)) {
      amqp_maybe_release_buffers(io.connection->state());
    }
  }
  if (io.connection) log_->info("publisher stopped");
  io.connection.reset();
  DropConnection(io, "publisher stopped");
}

// The batches to publish now (waiting at most 500 ms when there is nothing to do); nullopt once
// stopping, with every waiting batch failed.
std::optional<std::deque<std::shared_ptr<RabbitPublisher::Batch>>> RabbitPublisher::TakeWaiting(
    bool idle) {
  std::deque<std::shared_ptr<Batch>> taken;
  std::unique_lock lock(mutex_);
  if (idle && waiting_.empty() && !stopping_) wake_.wait_for(lock, std::chrono::milliseconds(500));
  if (stopping_) {
    for (auto& batch : waiting_)
      batch->Finish(MakeError(ErrorCode::kUnavailable, "publisher stopped"));
    waiting_.clear();
    waiting_messages_ = 0;
    return std::nullopt;
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
  return taken;
}

// Opens the connection (topology, confirms, blocked state). On failure fails `taken`, sleeps
// the backoff and returns false.
bool RabbitPublisher::Connect(IoState& io, std::deque<std::shared_ptr<Batch>>& taken) {
  auto opened = AmqpConnection::Open(settings_.Brokers());
  Status ready = opened ? Declare(**opened, settings_) : tl::unexpected(opened.error());
  if (ready) {
    amqp_confirm_select((*opened)->state(), kChannel);
    ready = (*opened)->Expect("confirm.select");
  }
  if (!ready) {
    if (connected_.exchange(false) || io.backoff == std::chrono::milliseconds(100)) {
      log_->error("cannot connect to rabbitmq: {}", ready.error().message);
    }
    for (auto& batch : taken) batch->Finish(tl::unexpected(ready.error()));
    std::this_thread::sleep_for(io.backoff);
    io.backoff = std::min(io.backoff * 2, std::chrono::milliseconds(2000));
    return false;
  }
  io.connection = std::move(*opened);
  {
    std::lock_guard lock(mutex_);
    socket_fd_ = io.connection->fd();
  }
  const auto notice = BlockedNotice(*io.connection);
  const bool still_blocked = notice.has_value();
  if (still_blocked) {
    std::lock_guard lock(mutex_);
    blocked_reason_ = *notice;
  }
  if (blocked_.exchange(still_blocked) != still_blocked) {
    if (still_blocked) {
      log_->error("rabbitmq blocks publishing: {}", blocked_reason_);
    } else {
      log_->warn("rabbitmq accepts publishes again");
    }
  }
  io.next_tag = 1;
  io.backoff = std::chrono::milliseconds(100);
  connected_ = true;
  log_->info("connected to rabbitmq, publisher confirms on");
  return true;
}

// Publishes everything taken before reading any confirm: this is the pipelining. A failed
// publish drops the connection and fails what was taken.
void RabbitPublisher::PublishTaken(IoState& io, std::deque<std::shared_ptr<Batch>>& taken) {
  for (auto& batch : taken) {
    if (!FitsShortStrings(batch->messages)) {
      batch->Finish(MakeError(ErrorCode::kInvalidArgument, "message id or reason too long"));
      continue;
    }
    for (const auto& message : batch->messages) {
      int rc = PublishOne(*io.connection, message, io.next_tag);
      if (rc != AMQP_STATUS_OK) {
        DropConnection(io, std::string("publish failed: ") + amqp_error_string2(rc));
        break;
      }
      ++batch->unconfirmed;
      io.outstanding[io.next_tag++] = batch;
    }
    if (!io.connection) break;
  }
  if (!io.connection) {
    for (auto& batch : taken) batch->Finish(MakeError(ErrorCode::kUnavailable, "publish failed"));
  }
}

// Collects confirms: waits briefly for the first frame, then drains what is already buffered.
// When idle this still polls once: rabbitmq-c sends heartbeats only from inside its calls, and
// this is how a connection the broker closed is noticed before the next publish.
void RabbitPublisher::CollectConfirms(IoState& io) {
  timeval wait{0, io.outstanding.empty() ? 0 : 2000};
  for (bool first = true; io.connection && (first || !io.outstanding.empty()); first = false) {
    amqp_frame_t frame;
    int rc = amqp_simple_wait_frame_noblock(io.connection->state(), &frame, &wait);
    wait = {0, 0};
    if (rc == AMQP_STATUS_TIMEOUT) break;
    if (rc != AMQP_STATUS_OK) {
      DropConnection(io, amqp_error_string2(rc));
      break;
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) HandleMethod(io, frame);
  }
}

void RabbitPublisher::HandleMethod(IoState& io, const amqp_frame_t& frame) {
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      Settle(io, ack->delivery_tag, ack->multiple, "");
      break;
    }
    case AMQP_BASIC_NACK_METHOD: {
      auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
      Settle(io, nack->delivery_tag, nack->multiple, "broker refused the message");
      // RabbitMQ 3.10.8 nacks every later publish of a channel whose first one came while a
      // quorum queue had no leader (just after a node died): this channel is not used again.
      // The next batch goes on a fresh connection, maybe to another node, after a pause.
      io.pause_before_connect = true;
      DropConnection(io, "the broker nacked a publish");
      break;
    }
    case AMQP_BASIC_RETURN_METHOD: {
      // The returned message's header names the tag we gave it; its ack follows.
      amqp_message_t returned;
      auto reply = amqp_read_message(io.connection->state(), frame.channel, &returned, 0);
      if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        DropConnection(io, "reading a returned message: " + Describe(reply));
        break;
      }
      if (returned.properties._flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
        uint64_t tag = std::stoull(ToString(returned.properties.correlation_id));
        if (auto it = io.outstanding.find(tag); it != io.outstanding.end()) {
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
      DropConnection(io, "closed by broker");
      break;
    default:
      break;
  }
}

// Fails every batch in flight; their messages may or may not have been stored, so callers
// answer 5xx and Meta redelivers (dedupe makes the second copy harmless).
void RabbitPublisher::DropConnection(IoState& io, const std::string& why) {
  if (io.connection) log_->error("rabbitmq connection lost: {}", why);
  {
    // blocked_ stays as it was: a broker under an alarm blocks the next connection too, and
    // the reconnect finds out whether it still does.
    std::lock_guard lock(mutex_);
    socket_fd_ = -1;
  }
  // An unconfirmed publish may sit unread in the broker's socket: reset, don't say goodbye.
  if (io.connection && !io.outstanding.empty()) io.connection->Abandon();
  io.connection.reset();
  connected_ = false;
  for (auto& [tag, batch] : io.outstanding) {
    batch->Finish(MakeError(ErrorCode::kUnavailable, "rabbitmq: " + why));
  }
  io.outstanding.clear();
}

// A confirm (ack or nack) for `tag`, or for every tag up to it when `multiple`.
void RabbitPublisher::Settle(IoState& io, uint64_t tag, bool multiple, const std::string& failure) {
  auto& outstanding = io.outstanding;
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
}

}  // namespace chatshop::infra
