#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::whatsapp {

// Something from a webhook body that cannot become an event (it lacks what routing or dedupe
// needs). It is kept whole with the reason, to be parked on the dead-letter queue, never dropped.
struct ParkedItem {
  std::string reason;
  std::string phone_number_id;  // may be empty
  nlohmann::json raw;
};

// Everything one webhook body carried (docs/cloud-api.md §2): every entry × change × message,
// status and error, in order.
struct WebhookBatch {
  std::vector<InboundEvent> events;
  std::vector<ParkedItem> parked;
  std::vector<std::string> ignored_fields;  // `field`s other than "messages", acknowledged only
  int unknown_tenant_changes = 0;           // changes parked because no shop has the number
};

// Answers whether a phone_number_id belongs to a configured shop.
using TenantFilter = std::function<bool(const std::string& phone_number_id)>;

// Splits a parsed webhook body into events. A change whose phone_number_id `is_known_tenant`
// rejects is parked whole with the reason (no filter: every tenant is accepted).
// kInvalidArgument when the body is not a WhatsApp Business Account webhook at all (wrong
// `object`, no `entry` array). Never throws.
[[nodiscard]] Result<WebhookBatch> ParseWebhookBody(const nlohmann::json& body,
                                                    const TenantFilter& is_known_tenant = {});

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

// A customer's message as the webhook sees it (docs/cloud-api.md §2, §3), as Meta would POST it: a
// text, or a tap on a reply button or list row of one of our messages; either may quote an earlier
// message.
struct CustomerMessageSpec {
  std::string waba_id = "102290129340398";
  std::string phone_number_id;
  std::string display_phone_number;
  std::string from;  // customer wa_id
  std::string name;  // customer profile name
  std::string wamid;
  int64_t timestamp = 0;
  std::string text;        // a text message, when reply_id is empty
  std::string reply_kind;  // "button_reply" or "list_reply": an interactive reply
  std::string reply_id;    // the id of the button or row tapped
  std::string reply_title;
  std::string context_id;  // wamid of the message replied to (quoted), or empty
  // An image (or, with a non-image MIME type, a document) instead of a text: its media id.
  std::string media_id;
  std::string media_mime_type;
  std::string media_sha256;  // base64, as webhooks carry it
  std::string caption;
};

// The webhook body for `spec`, serialised like Meta's: compact, non-ASCII as \uXXXX escapes
// (the signature is computed over exactly these bytes).
std::string BuildCustomerWebhookBody(const CustomerMessageSpec& spec);

}  // namespace chatshop::whatsapp
