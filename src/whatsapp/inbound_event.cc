#include "whatsapp/inbound_event.h"

#include "whatsapp/json_fields.h"

namespace chatshop::whatsapp {

std::string_view KindName(InboundEvent::Kind kind) {
  switch (kind) {
    case InboundEvent::Kind::kMessage:
      return "message";
    case InboundEvent::Kind::kStatus:
      return "status";
    case InboundEvent::Kind::kError:
      return "error";
  }
  return "unknown";
}

nlohmann::json DataOf(InboundEvent::Kind kind, const std::string& type, const nlohmann::json& raw) {
  if (kind != InboundEvent::Kind::kMessage) return raw;
  if (raw.is_object()) {
    auto it = raw.find(type);
    if (it != raw.end()) return *it;
  }
  return nlohmann::json();
}

std::string InboundEvent::TextBody() const {
  if (kind != Kind::kMessage || type != "text") return "";
  return StringField(ObjectField(raw, "text"), "body");
}

std::string InboundEvent::DedupeKey() const {
  switch (kind) {
    case Kind::kMessage:
      return id;
    case Kind::kStatus: {
      std::string key = id + ":" + type;
      const auto& transaction = ObjectField(ObjectField(raw, "payment"), "transaction");
      if (transaction.is_object()) {
        key += ":" + StringField(transaction, "id") + ":" + StringField(transaction, "status");
      }
      return key;
    }
    case Kind::kError:
      return phone_number_id + ":error:" + std::to_string(timestamp) + ":" + type;
  }
  return id;
}

nlohmann::json InboundEvent::ToJson() const {
  return {{"kind", KindName(kind)},
          {"phone_number_id", phone_number_id},
          {"display_phone_number", display_phone_number},
          {"customer", customer},
          {"customer_name", customer_name},
          {"id", id},
          {"timestamp", timestamp},
          {"type", type},
          {"subtype", subtype},
          {"raw", raw}};  // data is part of raw: derived again on the way out of the queue
}

Result<InboundEvent> InboundEvent::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return MakeError(ErrorCode::kInvalidArgument, "event is not an object");
  InboundEvent event;
  try {
    const std::string kind = json.at("kind").get<std::string>();
    if (kind == "message") {
      event.kind = Kind::kMessage;
    } else if (kind == "status") {
      event.kind = Kind::kStatus;
    } else if (kind == "error") {
      event.kind = Kind::kError;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "unknown event kind");
    }
    event.phone_number_id = json.at("phone_number_id").get<std::string>();
    event.display_phone_number = json.value("display_phone_number", "");
    event.customer = json.value("customer", "");
    event.customer_name = json.value("customer_name", "");
    event.id = json.value("id", "");
    event.timestamp = json.value("timestamp", int64_t{0});
    event.type = json.value("type", "");
    event.subtype = json.value("subtype", "");
    event.raw = json.value("raw", nlohmann::json::object());
    event.data = DataOf(event.kind, event.type, event.raw);
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("malformed event: ") + e.what());
  }
  return event;
}

}  // namespace chatshop::whatsapp
