#pragma once

// The AMQP plumbing shared by infra's RabbitMQ adapters (rabbitmq.cc: topology and operator
// tools; rabbit_publisher.cc; rabbit_consumer.cc). Internal to src/infra: nothing outside it
// includes rabbitmq-c.
#include <amqp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "infra/rabbitmq.h"

namespace chatshop::infra::amqp {

// Every adapter speaks on channel 1 of its own connection.
inline constexpr amqp_channel_t kChannel = 1;
inline constexpr int kHeartbeatSeconds = 30;
// How long a synchronous AMQP method waits for the broker before failing "unavailable".
inline constexpr int kRpcTimeoutSeconds = 10;

// A view of `s` as AMQP bytes (valid while `s` is).
amqp_bytes_t Bytes(const std::string& s);
std::string ToString(amqp_bytes_t bytes);

// Describes a failed RPC without quoting the URL (which may hold a password).
std::string Describe(const amqp_rpc_reply_t& reply);

// One AMQP connection with channel 1 open. Closes itself on destruction. Not thread-safe.
class AmqpConnection {
 public:
  // Connects to one of `brokers` (amqp:// URLs, the nodes of a cluster), logs in (asking for
  // connection.blocked notices) and opens the channel. Tries them in turn, starting with the
  // one this process last connected to, so a reconnect after a node died lands on a live one.
  // kInvalidArgument when no URL is a valid amqp:// URL, kUnavailable when no broker can be
  // reached or each refuses the login. Messages never quote a URL. Thread-safe.
  static Result<std::unique_ptr<AmqpConnection>> Open(const std::vector<std::string>& brokers,
                                                      int heartbeat_seconds = kHeartbeatSeconds);
  ~AmqpConnection();

  amqp_connection_state_t state() const { return state_; }
  int fd() const { return amqp_get_sockfd(state_); }
  // The heartbeat interval agreed with the broker, in seconds (0: none).
  int heartbeat_seconds() const { return amqp_get_heartbeat(state_); }

  // Closes without the AMQP goodbye and with a TCP reset: whatever the broker has not read yet
  // is discarded instead of being delivered once it reads again.
  void Abandon();

  // Result of the last synchronous method call.
  Status Expect(const char* what);

  // This node opened a connection but cannot do the work (a declare fails: a minority node, one
  // still booting): the next Open starts with the node after it.
  void Distrust();

 private:
  AmqpConnection() : state_(amqp_new_connection()) {}
  static Result<std::unique_ptr<AmqpConnection>> OpenOne(const std::string& url,
                                                         int heartbeat_seconds);

  amqp_connection_state_t state_;
  bool socket_open_ = false;
  bool logged_in_ = false;
  bool channel_open_ = false;
  std::vector<std::string> brokers_;  // the list Open chose from, and the node it took
  size_t broker_index_ = 0;
};

// Declares the whole topology of `settings` on `c` (see DeclareTopology).
Status Declare(AmqpConnection& c, const RabbitSettings& settings);

// Every string header of a message.
std::vector<std::pair<std::string, std::string>> StringHeaders(
    const amqp_basic_properties_t& props);

// Our own reason header on a message (x-chatshop-reason), or "".
std::string ReasonHeader(const amqp_basic_properties_t& props);

// basic.get of one message into `delivery`: its delivery tag, or 0 when the queue is empty.
// With `take`, the broker forgets it at once (no_ack); else it waits for an ack, or takes it
// back when the connection closes.
Result<uint64_t> GetOne(AmqpConnection& connection, const std::string& queue, Delivery& delivery,
                        bool take = false);

}  // namespace chatshop::infra::amqp
