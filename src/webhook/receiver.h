#pragma once

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/metrics.h"
#include "webhook/ports.h"
#include "whatsapp/envelope.h"

namespace chatshop::webhook {

// An answer to an HTTP request, independent of the HTTP library.
struct HttpReply {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
};

// Deepest nesting of objects and arrays in JSON text (strings skipped), without parsing it.
int JsonNestingDepth(std::string_view json);

inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxIdBytes = 255;      // AMQP short-string limit for the message id
inline constexpr size_t kMaxReasonBytes = 200;  // parked reasons travel in a header

// Stable shard of a customer's conversation: the same (shop, customer) always lands on the
// same queue, so their messages are handled in order. FNV-1a, identical on every build.
int ShardFor(std::string_view phone_number_id, std::string_view customer, int shards);

// The webhook's decisions (docs/cloud-api.md §1), apart from HTTP plumbing so that tests can call
// it directly. Thread-safe.
class WebhookReceiver {
 public:
  // `tenants` may be null: every phone_number_id is then accepted.
  WebhookReceiver(const common::WhatsAppSettings& whatsapp, int inbound_shards, EventQueue& queue,
                  TenantDirectory* tenants, common::MetricsRegistry& metrics);

  // GET handshake: 200 with the challenge echoed byte for byte, or 403.
  HttpReply HandleVerify(std::string_view mode, std::string_view verify_token,
                         std::string_view challenge) const;

  // POST of events: 401 on a missing or wrong signature, 400 when the body is not JSON or not a
  // WhatsApp webhook, 503 when the events could not be queued durably, else 200 after every
  // event of the body is confirmed by the broker.
  HttpReply HandleEvents(std::string_view signature_header, std::string_view body);

 private:
  HttpReply HandleSignedEvents(std::string_view signature_header, std::string_view body);
  common::Counter& EventCounter(const whatsapp::InboundEvent& event) const;

  std::string app_secret_;
  std::string verify_token_;
  int shards_;
  EventQueue& queue_;
  TenantDirectory* tenants_;
  common::MetricsRegistry& metrics_;
  common::Counter& accepted_;
  common::Counter& bad_signature_;
  common::Counter& bad_body_;
  common::Counter& queue_failures_;
  common::Counter& events_;
  common::Counter& parked_;
  common::Counter& ignored_fields_;
  common::Counter& unknown_tenants_;
  common::Counter& signature_failures_;
  common::Gauge& in_flight_;
  common::Histogram& confirm_latency_;
  std::map<std::string, common::Counter*> event_counters_;  // "kind/type"; fixed after construction
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::webhook
