#include "infra/amqp_connection.h"

#include <amqp_tcp_socket.h>
#include <sys/socket.h>
#include <sys/time.h>

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

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::Open(const std::string& url) {
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
