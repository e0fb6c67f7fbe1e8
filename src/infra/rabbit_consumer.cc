// RabbitConsumer: the shard queues, one delivery at a time, acknowledged after the handler.
#include <sys/time.h>

#include <chrono>
#include <thread>

#include "common/logging.h"
#include "infra/amqp_connection.h"
#include "infra/rabbitmq.h"

namespace chatshop::infra {

namespace {

using namespace amqp;

// A connection that declared the topology and consumes `queues` with `settings.prefetch`
// unacknowledged deliveries at most.
Result<std::unique_ptr<AmqpConnection>> OpenConsuming(const RabbitSettings& settings,
                                                      const std::vector<std::string>& queues) {
  auto opened = AmqpConnection::Open(settings.Brokers(), settings.heartbeat_seconds);
  if (!opened) return opened;
  auto& connection = **opened;
  if (auto declared = Declare(connection, settings); !declared) {
    return tl::unexpected(declared.error());
  }
  amqp_basic_qos(connection.state(), kChannel, 0, static_cast<uint16_t>(settings.prefetch), 0);
  if (auto qos = connection.Expect("basic.qos"); !qos) return tl::unexpected(qos.error());
  for (const auto& queue : queues) {
    amqp_basic_consume(connection.state(), kChannel, amqp_cstring_bytes(queue.c_str()),
                       amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
    if (auto consumed = connection.Expect("basic.consume"); !consumed) {
      return tl::unexpected(consumed.error());
    }
  }
  return opened;
}

// What the handler sees of a consumed message.
Delivery DeliveryOf(const amqp_envelope_t& envelope) {
  Delivery delivery;
  delivery.body = ToString(envelope.message.body);
  if (envelope.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
    delivery.message_id = ToString(envelope.message.properties.message_id);
  }
  delivery.queue = ToString(envelope.routing_key);
  delivery.reason = ReasonHeader(envelope.message.properties);
  delivery.headers = StringHeaders(envelope.message.properties);
  delivery.redelivered = envelope.redelivered != 0;
  return delivery;
}

// A heartbeat frame, as rabbitmq-c sends from inside its own calls; false when the socket is
// gone.
bool SendHeartbeat(AmqpConnection& connection) {
  amqp_frame_t heartbeat{};
  heartbeat.frame_type = AMQP_FRAME_HEARTBEAT;
  heartbeat.channel = 0;
  return amqp_send_frame(connection.state(), &heartbeat) == AMQP_STATUS_OK;
}

// Waits `how_long` (or until `stop`), sending a heartbeat at least every half interval so that
// the broker never sees the connection silent; false when the socket is gone.
bool PauseKeepingAlive(AmqpConnection& connection, std::chrono::milliseconds how_long,
                       const std::atomic<bool>& stop) {
  const auto slice = std::chrono::milliseconds(
      connection.heartbeat_seconds() > 0 ? connection.heartbeat_seconds() * 500 : 5000);
  const auto until = std::chrono::steady_clock::now() + how_long;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    const auto next = std::min(until, std::chrono::steady_clock::now() + slice);
    while (!stop.load() && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!SendHeartbeat(connection)) return false;
  }
  return true;
}

}  // namespace

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
    auto opened = OpenConsuming(settings_, queues_);
    if (!opened) {
      log_->error("consumer cannot start: {}", opened.error().message);
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

      const Delivery delivery = DeliveryOf(envelope);
      const uint64_t tag = envelope.delivery_tag;
      amqp_destroy_envelope(&envelope);

      // Retry in place: requeueing would let later messages of this queue overtake it, and
      // giving the connection back would count one more delivery of every message it holds
      // against a quorum queue's delivery limit, so a long outage would park them all.
      // rabbitmq-c sends heartbeats only from inside its calls: while the handler keeps
      // failing, this loop sends them itself, and the broker keeps the queue (single active
      // consumer) with this connection for as long as it waits.
      auto retry_pause = std::chrono::milliseconds(200);
      DeliveryAction action = handler_(delivery);
      bool connection_alive = true;
      while (action == DeliveryAction::kRetry && !stop.load()) {
        connection_alive = PauseKeepingAlive(connection, retry_pause, stop);
        if (!connection_alive) break;
        retry_pause = std::min(retry_pause * 2, std::chrono::milliseconds(5000));
        action = handler_(delivery);
      }
      if (action != DeliveryAction::kAck) {
        if (!connection_alive) log_->error("consumer lost the broker while retrying");
        break;  // the broker requeues it (stopping, or the connection is gone)
      }
      if (amqp_basic_ack(connection.state(), kChannel, tag, 0) != AMQP_STATUS_OK) {
        log_->error("ack failed; the message will be redelivered and deduplicated");
        break;
      }
    }
  }
}

}  // namespace chatshop::infra
