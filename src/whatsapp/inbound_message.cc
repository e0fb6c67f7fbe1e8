#include "whatsapp/inbound_message.h"

#include <optional>

#include "whatsapp/json_fields.h"

namespace chatshop::whatsapp {
namespace {

using nlohmann::json;

std::optional<MediaMessage::Kind> MediaKindOf(const std::string& type) {
  if (type == "image") return MediaMessage::Kind::kImage;
  if (type == "document") return MediaMessage::Kind::kDocument;
  if (type == "audio") return MediaMessage::Kind::kAudio;
  if (type == "video") return MediaMessage::Kind::kVideo;
  if (type == "sticker") return MediaMessage::Kind::kSticker;
  return std::nullopt;
}

// interactive.type names the object that holds the reply: {"type": "button_reply",
// "button_reply": {"id", "title"}}. A reply without an id cannot be one of ours.
MessageContent InteractiveOf(const json& data) {
  const std::string subtype = StringField(data, "type");
  const json& reply = ObjectField(data, subtype.c_str());
  const std::string id = StringField(reply, "id");
  if (id.empty()) return UnsupportedMessage{"interactive"};
  if (subtype == "button_reply") return ButtonReply{id, StringField(reply, "title")};
  if (subtype == "list_reply") return ListReply{id, StringField(reply, "title")};
  return UnsupportedMessage{"interactive"};
}

CatalogOrder CatalogOrderOf(const json& data) {
  CatalogOrder order;
  if (!data.is_object() || !data.contains("product_items") || !data["product_items"].is_array()) {
    return order;
  }
  order.has_items = true;
  for (const auto& item : data["product_items"]) {
    order.items.push_back(
        {StringField(item, "product_retailer_id"), IntField(item, "quantity", 1)});
  }
  return order;
}

MessageContent ContentOf(const InboundEvent& event) {
  const std::string& type = event.type;
  const json& data = event.data;
  if (type == "text") return TextMessage{StringField(data, "body")};
  if (type == "interactive") return InteractiveOf(data);
  if (type == "button") return QuickReply{StringField(data, "text"), StringField(data, "payload")};
  if (type == "order") return CatalogOrderOf(data);
  if (auto kind = MediaKindOf(type)) {
    return MediaMessage{*kind, StringField(data, "id"), StringField(data, "mime_type")};
  }
  if (type == "location") {
    return LocationMessage{NumberField(data, "latitude", 0), NumberField(data, "longitude", 0),
                           StringField(data, "name"), StringField(data, "address")};
  }
  return UnsupportedMessage{type};
}

}  // namespace

ClassifiedEvent Classify(const InboundEvent& event) {
  switch (event.kind) {
    case InboundEvent::Kind::kStatus:
      return StatusUpdate{event.id, event.type, event.customer, event.timestamp};
    case InboundEvent::Kind::kError:
      return WebhookError{event.type};
    case InboundEvent::Kind::kMessage:
      break;
  }
  return InboundMessage{{event.customer, event.customer_name},
                        event.id,
                        event.timestamp,
                        StringField(ObjectField(event.raw, "context"), "id"),
                        ContentOf(event)};
}

}  // namespace chatshop::whatsapp
