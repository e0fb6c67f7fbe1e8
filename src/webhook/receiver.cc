#include "webhook/receiver.h"

#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "webhook/signature.h"

namespace chatshop::webhook {

int ShardFor(std::string_view phone_number_id, std::string_view customer, int shards) {
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::string_view part) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(phone_number_id);
  mix(std::string_view("\x1f", 1));  // separator: ("12","3") and ("1","23") differ
  mix(customer);
  return static_cast<int>(hash % static_cast<uint64_t>(shards < 1 ? 1 : shards));
}

WebhookReceiver::WebhookReceiver(const common::WhatsAppSettings& whatsapp, int inbound_shards,
                                 EventQueue& queue, TenantDirectory* tenants,
                                 common::MetricsRegistry& metrics)
    : app_secret_(whatsapp.app_secret),
      verify_token_(whatsapp.verify_token),
      shards_(inbound_shards),
      queue_(queue),
      tenants_(tenants),
      metrics_(metrics),
      accepted_(metrics.GetCounter("chatshop_webhook_requests_total", "Webhook POSTs by outcome",
                                   {{"outcome", "accepted"}})),
      bad_signature_(metrics.GetCounter("chatshop_webhook_requests_total",
                                        "Webhook POSTs by outcome", {{"outcome", "bad_signature"}})),
      bad_body_(metrics.GetCounter("chatshop_webhook_requests_total", "Webhook POSTs by outcome",
                                   {{"outcome", "bad_body"}})),
      queue_failures_(metrics.GetCounter("chatshop_webhook_requests_total",
                                         "Webhook POSTs by outcome", {{"outcome", "queue_failed"}})),
      events_(metrics.GetCounter("chatshop_webhook_events_total", "Events queued from webhooks")),
      parked_(metrics.GetCounter("chatshop_webhook_parked_total",
                                 "Webhook items parked on the dead-letter queue")),
      ignored_fields_(metrics.GetCounter("chatshop_webhook_ignored_changes_total",
                                         "Changes of fields other than messages, acknowledged")),
      unknown_tenants_(metrics.GetCounter("chatshop_webhook_unknown_tenant_total",
                                          "Changes for a phone_number_id no shop has, parked")),
      signature_failures_(metrics.GetCounter("chatshop_webhook_signature_failures_total",
                                             "POSTs with a missing or wrong X-Hub-Signature-256")),
      in_flight_(metrics.GetGauge("chatshop_webhook_requests_in_flight",
                                  "Webhook POSTs being handled now")),
      confirm_latency_(metrics.GetHistogram("chatshop_webhook_publish_confirm_seconds",
                                            "Time from publish to the broker's confirm, per body",
                                            common::LatencyBuckets())),
      log_(common::GetLogger("webhook")) {}

common::Counter& WebhookReceiver::EventCounter(const whatsapp::InboundEvent& event) {
  const std::string kind(whatsapp::KindName(event.kind));
  const std::string type = event.kind == whatsapp::InboundEvent::Kind::kError ? "error" : event.type;
  // The registry takes a lock per lookup; each request thread keeps the counters it has used.
  thread_local std::map<std::pair<const void*, std::string>, common::Counter*> cache;
  auto key = std::make_pair(static_cast<const void*>(this), kind + "/" + type);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  common::Counter& counter = metrics_.GetCounter(
      "chatshop_webhook_events_by_type_total", "Events queued, by kind and type",
      {{"kind", kind}, {"type", type}});
  cache.emplace(key, &counter);
  return counter;
}

HttpReply WebhookReceiver::HandleVerify(std::string_view mode, std::string_view verify_token,
                                        std::string_view challenge) const {
  if (mode == "subscribe" && !verify_token_.empty() && verify_token == verify_token_) {
    log_->info("verification handshake accepted");
    return {200, std::string(challenge), "text/plain"};
  }
  log_->warn("verification handshake refused mode={}", mode);
  return {403, "Forbidden\n", "text/plain"};
}

HttpReply WebhookReceiver::HandleEvents(std::string_view signature_header, std::string_view body) {
  in_flight_.Add(1);
  HttpReply reply = HandleSignedEvents(signature_header, body);
  in_flight_.Add(-1);
  return reply;
}

HttpReply WebhookReceiver::HandleSignedEvents(std::string_view signature_header,
                                              std::string_view body) {
  // The signature covers the raw bytes as received: check it before parsing anything (§1.2).
  if (!VerifySignature(app_secret_, body, signature_header)) {
    bad_signature_.Increment();
    signature_failures_.Increment();
    log_->warn("rejected webhook: {} signature", signature_header.empty() ? "missing" : "wrong");
    return {401, "invalid signature\n", "text/plain"};
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    bad_body_.Increment();
    log_->warn("rejected webhook: body is not JSON bytes={}", body.size());
    return {400, "body is not JSON\n", "text/plain"};
  }
  whatsapp::TenantFilter known;
  if (tenants_ != nullptr) known = [this](const std::string& id) { return tenants_->IsKnown(id); };
  auto batch = whatsapp::ParseWebhookBody(parsed, known);
  if (!batch) {
    bad_body_.Increment();
    log_->warn("rejected webhook: {}", batch.error().message);
    return {400, batch.error().message + "\n", "text/plain"};
  }

  std::vector<QueueMessage> messages;
  messages.reserve(batch->events.size() + batch->parked.size());
  for (const auto& event : batch->events) {
    messages.push_back({QueueMessage::Route::kInbound,
                        ShardFor(event.phone_number_id, event.customer, shards_),
                        event.DedupeKey(), "", event.ToJson().dump()});
  }
  for (const auto& item : batch->parked) {
    nlohmann::json parked = {{"reason", item.reason},
                             {"phone_number_id", item.phone_number_id},
                             {"raw", item.raw}};
    messages.push_back({QueueMessage::Route::kParked, 0, "", item.reason, parked.dump()});
    log_->warn("parked webhook item reason=\"{}\"", item.reason);
  }
  for (const auto& field : batch->ignored_fields) log_->info("ignored change field={}", field);
  ignored_fields_.Increment(batch->ignored_fields.size());

  if (!messages.empty()) {
    const auto started = std::chrono::steady_clock::now();
    auto published = queue_.PublishConfirmed(messages);
    confirm_latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!published) {
      queue_failures_.Increment();
      log_->error("could not queue webhook events={} error=\"{}\"", messages.size(),
                  published.error().ToString());
      return {503, "temporarily unable to accept events\n", "text/plain"};
    }
  }
  accepted_.Increment();
  events_.Increment(batch->events.size());
  parked_.Increment(batch->parked.size());
  unknown_tenants_.Increment(batch->unknown_tenant_changes);
  for (const auto& event : batch->events) EventCounter(event).Increment();
  return {200, "EVENT_RECEIVED", "text/plain"};
}

}  // namespace chatshop::webhook
