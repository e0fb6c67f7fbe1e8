#include "infra/amqp_connection.h"

#include <amqp_tcp_socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <mutex>
#include <variant>

namespace chatshop::infra::amqp {

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string ToString(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

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

namespace {

// The broker this process last connected to: where the next Open starts.
std::mutex last_broker_mutex;
std::string last_broker;  // guarded by last_broker_mutex

}  // namespace

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::Open(
    const std::vector<std::string>& brokers, int heartbeat_seconds) {
  if (brokers.empty()) return MakeError(ErrorCode::kInvalidArgument, "no rabbitmq url");
  size_t first = 0;
  {
    std::lock_guard lock(last_broker_mutex);
    if (auto it = std::find(brokers.begin(), brokers.end(), last_broker); it != brokers.end()) {
      first = static_cast<size_t>(it - brokers.begin());
    }
  }
  // Nodes are named by their place in the list, never by their URL (it may hold a password).
  std::string failures;
  bool any_valid = false;
  for (size_t i = 0; i < brokers.size(); ++i) {
    const size_t n = (first + i) % brokers.size();
    auto opened = OpenOne(brokers[n], heartbeat_seconds);
    if (opened) {
      std::lock_guard lock(last_broker_mutex);
      last_broker = brokers[n];
      (*opened)->brokers_ = brokers;
      (*opened)->broker_index_ = n;
      return opened;
    }
    if (brokers.size() == 1) return opened;  // one broker: its own error, as it always was
    any_valid = any_valid || opened.error().code != ErrorCode::kInvalidArgument;
    failures += (failures.empty() ? "" : "; ") + std::string("node ") + std::to_string(n + 1) +
                ": " + opened.error().message;
  }
  return MakeError(any_valid ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
                   "no rabbitmq node of " + std::to_string(brokers.size()) + " could be used (" +
                       failures + ")");
}

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::OpenOne(const std::string& url,
                                                                int heartbeat_seconds) {
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
                                          AMQP_DEFAULT_FRAME_SIZE, heartbeat_seconds, &properties,
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

AmqpConnection::~AmqpConnection() {
  if (channel_open_) amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
  if (logged_in_) amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(state_);
}

void AmqpConnection::Abandon() {
  if (int sock = fd(); sock >= 0) {
    linger reset{1, 0};
    setsockopt(sock, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  }
  channel_open_ = false;
  logged_in_ = false;
}

Status AmqpConnection::Expect(const char* what) {
  auto reply = amqp_get_rpc_reply(state_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return Ok();
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) channel_open_ = false;
  return MakeError(ErrorCode::kUnavailable, std::string(what) + ": " + Describe(reply));
}

namespace {

// The x-arguments of a queue.declare. Keys are literals; values are owned here, and the table
// points into them: it is valid until this changes.
class QueueArgs {
 public:
  QueueArgs& Bool(const char* key, bool value) { return Add(key, value); }
  QueueArgs& Int(const char* key, int64_t value) { return Add(key, value); }
  QueueArgs& Text(const char* key, std::string value) { return Add(key, std::move(value)); }

  amqp_table_t table() {
    entries_.resize(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      auto& entry = entries_[i];
      entry.key = amqp_cstring_bytes(values_[i].first);
      const auto& value = values_[i].second;
      if (const bool* b = std::get_if<bool>(&value)) {
        entry.value.kind = AMQP_FIELD_KIND_BOOLEAN;
        entry.value.value.boolean = *b ? 1 : 0;
      } else if (const int64_t* n = std::get_if<int64_t>(&value)) {
        entry.value.kind = AMQP_FIELD_KIND_I64;
        entry.value.value.i64 = *n;
      } else {
        entry.value.kind = AMQP_FIELD_KIND_UTF8;
        entry.value.value.bytes = Bytes(std::get<std::string>(value));
      }
    }
    return amqp_table_t{static_cast<int>(entries_.size()), entries_.data()};
  }

 private:
  QueueArgs& Add(const char* key, std::variant<bool, int64_t, std::string> value) {
    values_.emplace_back(key, std::move(value));
    return *this;
  }

  std::vector<std::pair<const char*, std::variant<bool, int64_t, std::string>>> values_;
  std::vector<amqp_table_entry_t> entries_;
};

// A quorum queue dead-letters at least once (kept until the target confirmed it), which needs
// x-overflow=reject-publish; otherwise RabbitMQ quietly falls back to at most once.
void DeadLetterAtLeastOnce(QueueArgs& args, const RabbitSettings& settings) {
  if (settings.queue_type != QueueType::kQuorum) return;
  args.Text("x-dead-letter-strategy", "at-least-once").Text("x-overflow", "reject-publish");
}

// The arguments of every queue, by its role: one place, so that every declare of a queue
// (each adapter declares the topology when it connects) uses the same ones; a redeclare with
// others fails PRECONDITION_FAILED.
QueueArgs TypeArgs(const RabbitSettings& settings) {
  QueueArgs args;
  if (settings.queue_type == QueueType::kQuorum) args.Text("x-queue-type", "quorum");
  return args;
}

// Shard queues: one consumer at a time, so that one customer's messages stay in order. With
// quorum queues a message redelivered more than delivery_limit times (its consumers died
// holding it) goes to `dead_letter_exchange` with `dead_letter_key` instead of killing the
// next one.
QueueArgs ShardArgs(const RabbitSettings& settings, const std::string& dead_letter_exchange,
                    const std::string& dead_letter_key) {
  QueueArgs args = TypeArgs(settings);
  args.Bool("x-single-active-consumer", true);
  if (settings.queue_type == QueueType::kQuorum) {
    args.Int("x-delivery-limit", settings.delivery_limit)
        .Text("x-dead-letter-exchange", dead_letter_exchange);
    if (!dead_letter_key.empty()) args.Text("x-dead-letter-routing-key", dead_letter_key);
    DeadLetterAtLeastOnce(args, settings);
  }
  return args;
}

// Parked and dead-letter queues have no delivery limit: the operator tools peek them with
// basic.get and put the messages back, and every time counts as a delivery.
QueueArgs HoldingArgs(const RabbitSettings& settings) { return TypeArgs(settings); }

// Delay bands: expired messages go back to the outbound exchange.
QueueArgs DelayArgs(const RabbitSettings& settings, const std::string& outbound_exchange) {
  QueueArgs args = TypeArgs(settings);
  args.Text("x-dead-letter-exchange", outbound_exchange);
  DeadLetterAtLeastOnce(args, settings);
  return args;
}

}  // namespace

void AmqpConnection::Distrust() {
  if (brokers_.size() < 2) return;
  std::lock_guard lock(last_broker_mutex);
  if (last_broker == brokers_[broker_index_]) {
    last_broker = brokers_[(broker_index_ + 1) % brokers_.size()];
  }
}

static Status DeclareAll(AmqpConnection& c, const RabbitSettings& settings);

// A node that cannot declare (a minority node, one booting) is not where the next Open starts.
Status Declare(AmqpConnection& c, const RabbitSettings& settings) {
  Status declared = DeclareAll(c, settings);
  if (!declared) c.Distrust();
  return declared;
}

static Status DeclareAll(AmqpConnection& c, const RabbitSettings& settings) {
  RabbitNames names{settings.name_prefix};
  auto* s = c.state();
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.InboundExchange().c_str()),
                        amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare inbound exchange"); !st) return st;
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.ParkedExchange().c_str()),
                        amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare parked exchange"); !st) return st;

  // Declared before the shard queues that dead-letter into them.
  QueueArgs holding = HoldingArgs(settings);
  amqp_queue_declare(s, kChannel, amqp_cstring_bytes(names.ParkedQueue().c_str()), 0, 1, 0, 0,
                     holding.table());
  if (auto st = c.Expect("declare parked queue"); !st) return st;
  amqp_queue_bind(s, kChannel, amqp_cstring_bytes(names.ParkedQueue().c_str()),
                  amqp_cstring_bytes(names.ParkedExchange().c_str()), amqp_cstring_bytes(""),
                  amqp_empty_table);
  if (auto st = c.Expect("bind parked queue"); !st) return st;
  // Dead letters are published to it by name (the default exchange).
  amqp_queue_declare(s, kChannel, amqp_cstring_bytes(names.DeadLetterQueue().c_str()), 0, 1, 0, 0,
                     holding.table());
  if (auto st = c.Expect("declare dead-letter queue"); !st) return st;

  QueueArgs inbound_args = ShardArgs(settings, names.ParkedExchange(), "");
  for (int shard = 0; shard < settings.inbound_shards; ++shard) {
    const std::string queue = names.InboundQueue(shard);
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0,
                       inbound_args.table());
    if (auto st = c.Expect("declare shard queue"); !st) return st;
    const std::string key = names.ShardRoutingKey(shard);
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(names.InboundExchange().c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    if (auto st = c.Expect("bind shard queue"); !st) return st;
  }

  // Outbound: shard queues by recipient, each with a single active consumer (in order per
  // recipient), like the inbound ones; their poison messages go to the dead-letter queue.
  amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(names.OutboundExchange().c_str()),
                        amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
  if (auto st = c.Expect("declare outbound exchange"); !st) return st;
  QueueArgs outbound_args = ShardArgs(settings, "", names.DeadLetterQueue());
  for (int shard = 0; shard < settings.outbound_shards; ++shard) {
    const std::string queue = names.OutboundQueue(shard);
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0,
                       outbound_args.table());
    if (auto st = c.Expect("declare outbound queue"); !st) return st;
    const std::string key = names.ShardRoutingKey(shard);
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(names.OutboundExchange().c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    if (auto st = c.Expect("bind outbound queue"); !st) return st;
  }
  // Delay bands: a message published to a band's fanout exchange keeps its routing key
  // (shard.N), waits out its expiration in the band's queue and is dead-lettered back to the
  // outbound exchange, to its own shard. RabbitMQ expires messages at a queue's head only (in
  // quorum queues too), so each band holds similar delays: a message waits at most about twice
  // as long as it asked.
  QueueArgs delay_args = DelayArgs(settings, names.OutboundExchange());
  for (int band = 0; band < kDelayBands; ++band) {
    const std::string exchange = names.DelayExchange(band), queue = names.DelayQueue(band);
    amqp_exchange_declare(s, kChannel, amqp_cstring_bytes(exchange.c_str()),
                          amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (auto st = c.Expect("declare delay exchange"); !st) return st;
    amqp_queue_declare(s, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0,
                       delay_args.table());
    if (auto st = c.Expect("declare delay queue"); !st) return st;
    amqp_queue_bind(s, kChannel, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(""), amqp_empty_table);
    if (auto st = c.Expect("bind delay queue"); !st) return st;
  }
  return Ok();
}

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

Result<uint64_t> GetOne(AmqpConnection& connection, const std::string& queue, Delivery& delivery,
                        bool take) {
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

}  // namespace chatshop::infra::amqp
