#include "infra/rabbitmq.h"

#include <string>
#include <vector>

#include "infra/amqp_connection.h"

// Topology and the operator tools (depth, peek, take, prune, purge); the publisher and the
// consumer are in rabbit_publisher.cc and rabbit_consumer.cc.
namespace chatshop::infra {

using namespace amqp;

Status DeclareTopology(const RabbitSettings& settings) {
  auto connection = AmqpConnection::Open(settings.Brokers());
  if (!connection) return tl::unexpected(connection.error());
  return Declare(**connection, settings);
}

Status DeleteTopology(const RabbitSettings& settings) {
  auto connection = AmqpConnection::Open(settings.Brokers());
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
  auto connection = AmqpConnection::Open(settings.Brokers());
  if (!connection) return tl::unexpected(connection.error());
  auto* ok = amqp_queue_declare((*connection)->state(), kChannel, amqp_cstring_bytes(queue.c_str()),
                                /*passive=*/1, 0, 0, 0, amqp_empty_table);
  if (auto st = (*connection)->Expect("inspect queue"); !st) return tl::unexpected(st.error());
  return ok->message_count;
}

Result<std::vector<Delivery>> TakeAll(const RabbitSettings& settings, const std::string& queue) {
  auto connection = AmqpConnection::Open(settings.Brokers());
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
  auto connection = AmqpConnection::Open(settings.Brokers());
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
  auto connection = AmqpConnection::Open(settings.Brokers());
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
  auto connection = AmqpConnection::Open(settings.Brokers());
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
  auto connection = AmqpConnection::Open(settings.Brokers());
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

}  // namespace chatshop::infra
