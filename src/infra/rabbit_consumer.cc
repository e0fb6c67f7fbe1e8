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
  auto opened = AmqpConnection::Open(settings.Brokers());
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
