#include "whatsapp/envelope.h"

#include <charconv>

#include "whatsapp/json_fields.h"

namespace chatshop::whatsapp {
namespace {

using nlohmann::json;

// Meta sends most timestamps as decimal strings but some as integers (docs/cloud-api.md §2): accept
// both.
int64_t TimestampField(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && ptr == s.data() + s.size()) return value;
  }
  return 0;
}

// contacts[] is correlated to messages by wa_id == from, not by index (docs/cloud-api.md §2).
std::string ContactName(const json& value, const std::string& wa_id, const std::string& user_id) {
  auto contacts = value.find("contacts");
  if (contacts == value.end() || !contacts->is_array()) return "";
  for (const auto& contact : *contacts) {
    if (!contact.is_object()) continue;
    bool same = (!wa_id.empty() && StringField(contact, "wa_id") == wa_id) ||
                (!user_id.empty() && StringField(contact, "user_id") == user_id);
    if (same && contact.contains("profile")) return StringField(contact["profile"], "name");
  }
  return "";
}

void ParseMessages(const json& value, const InboundEvent& base, WebhookBatch& batch) {
  auto messages = value.find("messages");
  if (messages == value.end() || !messages->is_array()) return;
  for (const auto& message : *messages) {
    InboundEvent event = base;
    event.kind = InboundEvent::Kind::kMessage;
    event.id = StringField(message, "id");
    const std::string from = StringField(message, "from");
    const std::string from_user_id = StringField(message, "from_user_id");
    // Users with a username may have no `from`; the BSUID then identifies them (docs/cloud-api.md
    // docs/cloud-api.md §2, 2026).
    event.customer = !from.empty() ? from : from_user_id;
    event.type = StringField(message, "type");
    event.timestamp = TimestampField(message, "timestamp");
    event.customer_name = ContactName(value, from, from_user_id);
    event.raw = message;
    // Every type keeps its data under its own name; unknown future types too (raw, never lost).
    event.data = DataOf(InboundEvent::Kind::kMessage, event.type, message);
    if (event.data.is_object()) event.subtype = StringField(event.data, "type");
    if (event.id.empty() || event.customer.empty()) {
      batch.parked.push_back({"message without id or sender", base.phone_number_id, message});
      continue;
    }
    if (event.type.empty()) event.type = "unknown";
    batch.events.push_back(std::move(event));
  }
}

void ParseStatuses(const json& value, const InboundEvent& base, WebhookBatch& batch) {
  auto statuses = value.find("statuses");
  if (statuses == value.end() || !statuses->is_array()) return;
  for (const auto& status : *statuses) {
    InboundEvent event = base;
    event.kind = InboundEvent::Kind::kStatus;
    event.id = StringField(status, "id");
    event.type = StringField(status, "status");
    event.customer = StringField(status, "recipient_id");
    if (event.customer.empty()) event.customer = StringField(status, "recipient_user_id");
    event.timestamp = TimestampField(status, "timestamp");
    event.subtype = StringField(status, "type");  // "payment" for India payment statuses
    event.data = status;
    event.raw = status;
    if (event.id.empty() || event.type.empty()) {
      batch.parked.push_back({"status without id or status", base.phone_number_id, status});
      continue;
    }
    batch.events.push_back(std::move(event));
  }
}

void ParseErrors(const json& value, const InboundEvent& base, WebhookBatch& batch) {
  auto errors = value.find("errors");
  if (errors == value.end() || !errors->is_array()) return;
  for (const auto& error : *errors) {
    InboundEvent event = base;
    event.kind = InboundEvent::Kind::kError;
    event.type = error.is_object() && error.contains("code") ? error["code"].dump() : "unknown";
    event.timestamp = 0;
    event.data = error;
    event.raw = error;
    batch.events.push_back(std::move(event));
  }
}

}  // namespace

Result<WebhookBatch> ParseWebhookBody(const json& body, const TenantFilter& is_known_tenant) {
  if (!body.is_object() || StringField(body, "object") != "whatsapp_business_account") {
    return MakeError(ErrorCode::kInvalidArgument, "not a whatsapp_business_account webhook");
  }
  auto entries = body.find("entry");
  if (entries == body.end() || !entries->is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "webhook has no entry array");
  }
  WebhookBatch batch;
  for (const auto& entry : *entries) {
    auto changes = entry.is_object() ? entry.find("changes") : entry.end();
    if (!entry.is_object() || changes == entry.end() || !changes->is_array()) {
      batch.parked.push_back({"entry without changes", "", entry});
      continue;
    }
    for (const auto& change : *changes) {
      const std::string field = StringField(change, "field");
      if (field != "messages") {
        batch.ignored_fields.push_back(field.empty() ? "(none)" : field);
        continue;
      }
      const json* value =
          change.is_object() && change.contains("value") ? &change["value"] : nullptr;
      if (value == nullptr || !value->is_object()) {
        batch.parked.push_back({"messages change without value", "", change});
        continue;
      }
      InboundEvent base;
      if (value->contains("metadata")) {
        base.phone_number_id = StringField((*value)["metadata"], "phone_number_id");
        base.display_phone_number = StringField((*value)["metadata"], "display_phone_number");
      }
      if (base.phone_number_id.empty()) {
        // Without the tenant nothing in this change can be routed (fixture 20).
        batch.parked.push_back({"change without metadata.phone_number_id", "", change});
        continue;
      }
      if (is_known_tenant && !is_known_tenant(base.phone_number_id)) {
        batch.parked.push_back(
            {"no shop has phone_number_id " + base.phone_number_id, base.phone_number_id, change});
        ++batch.unknown_tenant_changes;
        continue;
      }
      ParseMessages(*value, base, batch);
      ParseStatuses(*value, base, batch);
      ParseErrors(*value, base, batch);
    }
  }
  return batch;
}

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

std::string BuildCustomerWebhookBody(const CustomerMessageSpec& spec) {
  json message = {
      {"from", spec.from}, {"id", spec.wamid}, {"timestamp", std::to_string(spec.timestamp)}};
  if (!spec.context_id.empty())
    message["context"] = {{"from", spec.display_phone_number}, {"id", spec.context_id}};
  if (!spec.media_id.empty()) {
    const std::string type = spec.media_mime_type.rfind("image/", 0) == 0 ? "image" : "document";
    message["type"] = type;
    message[type] = {
        {"id", spec.media_id}, {"mime_type", spec.media_mime_type}, {"sha256", spec.media_sha256}};
    if (!spec.caption.empty()) message[type]["caption"] = spec.caption;
  } else if (spec.reply_id.empty()) {
    message["type"] = "text";
    message["text"] = {{"body", spec.text}};
  } else {
    // docs/cloud-api.md §3 interactive: the tapped button or row comes back with its id and title.
    message["type"] = "interactive";
    message["interactive"] = {
        {"type", spec.reply_kind},
        {spec.reply_kind, {{"id", spec.reply_id}, {"title", spec.reply_title}}}};
  }
  json value = {
      {"messaging_product", "whatsapp"},
      {"metadata",
       {{"display_phone_number", spec.display_phone_number},
        {"phone_number_id", spec.phone_number_id}}},
      {"contacts", json::array({{{"profile", {{"name", spec.name}}}, {"wa_id", spec.from}}})},
      {"messages", json::array({message})}};
  json body = {
      {"object", "whatsapp_business_account"},
      {"entry",
       json::array({{{"id", spec.waba_id},
                     {"changes", json::array({{{"value", value}, {"field", "messages"}}})}}})}};
  return body.dump(-1, ' ', /*ensure_ascii=*/true);
}

}  // namespace chatshop::whatsapp
