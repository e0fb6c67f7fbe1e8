#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace chatshop::whatsapp {

// One unit of work taken from a webhook body: a customer's message, a status of a message we
// sent, or an out-of-band error. The webhook splits a batch into these; the queue carries them;
// the worker handles them one at a time.
struct InboundEvent {
  enum class Kind { kMessage, kStatus, kError };

  Kind kind = Kind::kMessage;
  std::string
      phone_number_id;  // tenant: the shop's WhatsApp number id (docs/cloud-api.md §2 metadata)
  std::string display_phone_number;  // the shop's number as digits
  std::string customer;              // wa_id when present, else the 2026 BSUID user_id
  std::string customer_name;         // contacts[].profile.name; may be empty
  std::string id;                    // wamid of the message, or of the message a status is about
  int64_t timestamp = 0;             // seconds since the epoch, UTC
  std::string type;     // message type ("text", "image", …), status ("read", …) or error code
  std::string subtype;  // interactive.type ("button_reply"…), system.type, unsupported.type,
                        // a status's type ("payment"); empty when there is none
  nlohmann::json data;  // the type's own object (message["text"], message["order"], …); for
                        // statuses and errors the whole object; null when the message has none
  nlohmann::json raw;   // the message, status or error object exactly as Meta sent it

  // For a text message, its body; empty otherwise.
  std::string TextBody() const;

  // Dedupe key (docs/cloud-api.md §1.3): the wamid for messages; (id, status) for statuses, plus
  // the transaction id and status for payment statuses.
  std::string DedupeKey() const;

  nlohmann::json ToJson() const;
  // kInvalidArgument when the JSON is not an event this code wrote.
  [[nodiscard]] static Result<InboundEvent> FromJson(const nlohmann::json& json);
};

std::string_view KindName(InboundEvent::Kind kind);

// An event's data from its raw object: message[type] for messages (null when absent), the whole
// object for statuses and errors.
nlohmann::json DataOf(InboundEvent::Kind kind, const std::string& type, const nlohmann::json& raw);

}  // namespace chatshop::whatsapp
