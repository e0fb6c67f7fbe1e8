#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "whatsapp/inbound_event.h"

namespace chatshop::whatsapp {

// An InboundEvent read into types: what a customer sent (text, a tapped button or list row, a
// catalog cart, a picture…), a status of a message we sent, or an error Meta reported. The
// queue carries the wire-level InboundEvent (its JSON is what was received); consumers classify
// it once and switch on these types instead of on type strings and raw JSON. Only Meta's own
// shapes are read here (Cloud API webhook reference, "Messages" object); what our button ids
// mean is the bot's business (bot/reply_ids.h).

// Who wrote.
struct Sender {
  std::string wa_id;  // the customer's wa_id, or the 2026 BSUID user_id
  std::string name;   // contacts[].profile.name; may be empty

  bool operator==(const Sender&) const = default;
};

// type "text".
struct TextMessage {
  std::string body;
  bool operator==(const TextMessage&) const = default;
};

// type "interactive", interactive.type "button_reply": one of our reply buttons tapped.
struct ButtonReply {
  std::string id;  // the id we gave the button
  std::string title;
  bool operator==(const ButtonReply&) const = default;
};

// type "interactive", interactive.type "list_reply": a row of one of our list messages picked.
struct ListReply {
  std::string id;  // the id we gave the row
  std::string title;
  bool operator==(const ListReply&) const = default;
};

// type "button": a quick-reply button of a template message tapped. Its text is the button's
// label, which the customer reads as what they said.
struct QuickReply {
  std::string text;
  std::string payload;
  bool operator==(const QuickReply&) const = default;
};

// type "order": a cart sent from the WhatsApp catalog.
struct CatalogOrder {
  struct Item {
    std::string sku;  // product_retailer_id; empty when Meta sent none
    int64_t qty = 1;  // quantity; 1 when absent or not an integer
    bool operator==(const Item&) const = default;
  };
  // False when the order carried no product_items array at all.
  bool has_items = false;
  std::vector<Item> items;  // in the order Meta listed them
  bool operator==(const CatalogOrder&) const = default;
};

// types "image", "document", "audio", "video", "sticker": a file, fetched by its media id.
struct MediaMessage {
  enum class Kind { kImage, kDocument, kAudio, kVideo, kSticker };
  Kind kind = Kind::kImage;
  std::string media_id;  // empty when Meta sent none
  std::string mime_type;
  bool operator==(const MediaMessage&) const = default;
};

// type "location".
struct LocationMessage {
  double latitude = 0;
  double longitude = 0;
  std::string name;
  std::string address;
  bool operator==(const LocationMessage&) const = default;
};

// Anything else: reactions, contacts, system messages, "unsupported", an interactive reply
// that is neither a button nor a list row or carries no id, types Meta adds later.
struct UnsupportedMessage {
  std::string type;  // Meta's type ("reaction", "interactive", …)
  bool operator==(const UnsupportedMessage&) const = default;
};

using MessageContent = std::variant<TextMessage, ButtonReply, ListReply, QuickReply, CatalogOrder,
                                    MediaMessage, LocationMessage, UnsupportedMessage>;

// A customer's message.
struct InboundMessage {
  Sender from;
  std::string wamid;
  int64_t timestamp = 0;
  // context.id: the message of ours this one replies to (quotes); empty when none.
  std::string replied_to;
  MessageContent content;
};

// A status of a message we sent (sent, delivered, read, failed, or a payment's status).
struct StatusUpdate {
  std::string wamid;      // of the message the status is about
  std::string status;     // Meta's word for it
  std::string recipient;  // recipient_id
  int64_t timestamp = 0;
};

// An error Meta reported outside any message (the webhook's errors array).
struct WebhookError {
  std::string code;
};

using ClassifiedEvent = std::variant<InboundMessage, StatusUpdate, WebhookError>;

// What an event is. Reads the content from event.data and the reply context from event.raw,
// type-checked: a missing or oddly typed field gives an empty value, never an exception. Pure.
ClassifiedEvent Classify(const InboundEvent& event);

}  // namespace chatshop::whatsapp
