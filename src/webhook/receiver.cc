#include "webhook/receiver.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "common/shard.h"
#include "common/utf8.h"
#include "webhook/signature.h"

namespace chatshop::webhook {
namespace {

// The Cloud API's documented types (docs/cloud-api.md §3, §4); anything else is counted as "other",
// so that a new type cannot grow the metric without bound.
const std::vector<std::pair<std::string, std::vector<std::string>>>& KnownEventTypes() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> types = {
      {"message",
       {"text", "image", "document", "audio", "video", "sticker", "location", "contacts",
        "interactive", "button", "order", "reaction", "system", "unsupported", "unknown",
        "request_welcome", "other"}},
      {"status",
       {"sent", "delivered", "read", "failed", "played", "deleted", "captured", "pending",
        "other"}},
      {"error", {"error"}}};
  return types;
}

}  // namespace

int JsonNestingDepth(std::string_view json) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

int ShardFor(std::string_view phone_number_id, std::string_view customer, int shards) {
  return common::StableShard(phone_number_id, customer, shards);
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
                                        "Webhook POSTs by outcome",
                                        {{"outcome", "bad_signature"}})),
      bad_body_(metrics.GetCounter("chatshop_webhook_requests_total", "Webhook POSTs by outcome",
                                   {{"outcome", "bad_body"}})),
      queue_failures_(metrics.GetCounter("chatshop_webhook_requests_total",
                                         "Webhook POSTs by outcome",
                                         {{"outcome", "queue_failed"}})),
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
      log_(common::GetLogger("webhook")) {
  for (const auto& [kind, types] : KnownEventTypes()) {
    for (const auto& type : types) {
      event_counters_[kind + "/" + type] =
          &metrics.GetCounter("chatshop_webhook_events_by_type_total",
                              "Events queued, by kind and type", {{"kind", kind}, {"type", type}});
    }
  }
}

common::Counter& WebhookReceiver::EventCounter(const whatsapp::InboundEvent& event) const {
  const std::string kind(whatsapp::KindName(event.kind));
  const std::string type =
      event.kind == whatsapp::InboundEvent::Kind::kError ? "error" : event.type;
  auto it = event_counters_.find(kind + "/" + type);
  if (it == event_counters_.end()) it = event_counters_.find(kind + "/other");
  return *it->second;
}

HttpReply WebhookReceiver::HandleVerify(std::string_view mode, std::string_view verify_token,
                                        std::string_view challenge) const {
  const bool token_ok =
      !verify_token_.empty() && verify_token.size() == verify_token_.size() &&
      CRYPTO_memcmp(verify_token.data(), verify_token_.data(), verify_token_.size()) == 0;
  if (mode == "subscribe" && token_ok) {
    log_->info("verification handshake accepted");
    return {200, std::string(challenge), "text/plain"};
  }
  // The query is unauthenticated: log what was wrong, never its text.
  log_->warn("verification handshake refused mode_ok={} token_ok={}", mode == "subscribe",
             token_ok);
  return {403, "Forbidden\n", "text/plain"};
}

HttpReply WebhookReceiver::HandleEvents(std::string_view signature_header, std::string_view body) {
  struct InFlight {
    common::Gauge& gauge;
    explicit InFlight(common::Gauge& g) : gauge(g) { gauge.Add(1); }
    ~InFlight() { gauge.Add(-1); }
  } in_flight(in_flight_);
  try {
    return HandleSignedEvents(signature_header, body);
  } catch (const std::exception& e) {
    // A body we could not take apart (a bug, or a shape nobody foresaw) is parked whole, so
    // nothing is lost and Meta does not retry it for days. Only signed bodies get this far.
    log_->error("could not read a signed webhook, parking it whole: {}", e.what());
    nlohmann::json parked = {{"reason", "unreadable webhook body"}, {"body", std::string(body)}};
    auto published = queue_.PublishConfirmed(
        {{QueueMessage::Route::kParked, 0, "", "unreadable webhook body",
          parked.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}});
    if (!published) return {503, "temporarily unable to accept events\n", "text/plain"};
    parked_.Increment();
    return {200, "EVENT_RECEIVED", "text/plain"};
  }
}

HttpReply WebhookReceiver::HandleSignedEvents(std::string_view signature_header,
                                              std::string_view body) {
  // The signature covers the raw bytes as received: check it before parsing anything
  // (docs/cloud-api.md §1.2).
  if (!VerifySignature(app_secret_, body, signature_header)) {
    bad_signature_.Increment();
    signature_failures_.Increment();
    log_->warn("rejected webhook: {} signature", signature_header.empty() ? "missing" : "wrong");
    return {401, "invalid signature\n", "text/plain"};
  }
  // Copying and printing JSON recurse once per level: refuse absurd nesting before parsing
  // (Meta's bodies are about 8 levels deep).
  if (JsonNestingDepth(body) > kMaxJsonDepth) {
    bad_body_.Increment();
    log_->warn("rejected webhook: JSON nested deeper than {} levels", kMaxJsonDepth);
    return {400, "body is nested too deeply\n", "text/plain"};
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
  std::vector<whatsapp::ParkedItem> parked_items = std::move(batch->parked);
  size_t queued_events = 0;
  for (auto& event : batch->events) {
    std::string key = event.DedupeKey();
    // AMQP short strings (the message id) hold 255 bytes; real wamids are ~60.
    if (key.size() > kMaxIdBytes || event.customer.size() > kMaxIdBytes) {
      parked_items.push_back({"id or sender longer than " + std::to_string(kMaxIdBytes) + " bytes",
                              event.phone_number_id, std::move(event.raw)});
      continue;
    }
    messages.push_back(
        {QueueMessage::Route::kInbound, ShardFor(event.phone_number_id, event.customer, shards_),
         std::move(key), "",
         event.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
    EventCounter(event).Increment();
    ++queued_events;
  }
  for (const auto& item : parked_items) {
    // The reason travels in a header: keep it short (a tenant id could be anything).
    std::string reason = common::CutUtf8(item.reason, kMaxReasonBytes);
    nlohmann::json parked = {
        {"reason", item.reason}, {"phone_number_id", item.phone_number_id}, {"raw", item.raw}};
    messages.push_back({QueueMessage::Route::kParked, 0, "", reason,
                        parked.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
    log_->warn("parked webhook item reason=\"{}\"", common::CutUtf8(reason, 80));
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
  events_.Increment(queued_events);
  parked_.Increment(parked_items.size());
  unknown_tenants_.Increment(batch->unknown_tenant_changes);
  return {200, "EVENT_RECEIVED", "text/plain"};
}

}  // namespace chatshop::webhook
