#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace chatshop::whatsapp {

// Longest text body Meta accepts, in characters (cloud-api.md §5.2).
inline constexpr size_t kMaxTextBodyChars = 4096;

// The /messages request body for a plain text message to `to` (digits, country code first).
// A body longer than Meta's limit is cut at a character boundary and ends with "…".
nlohmann::json BuildTextMessage(std::string_view to, std::string_view body);

// An approved template message (§5 "Template"): the template's name and language code, and the
// values of its body's {{1}}, {{2}} … in order. The only kind of message Meta delivers outside
// the 24-hour window.
nlohmann::json BuildTemplateMessage(std::string_view to, std::string_view name,
                                    std::string_view language,
                                    const std::vector<std::string>& body_parameters);

// Where a reply carries the template to send instead when the 24-hour window is closed; the
// outbox keeps it apart and never sends this key to Meta.
inline constexpr const char* kFallbackKey = "chatshop_fallback";
// Where an order notice to a customer names its order and kind ({"order": 1042, "kind":
// "confirmed"}): kept apart in the outbox, so that a failed delivery can be reported to the
// shop's owners; never sent to Meta.
inline constexpr const char* kNoticeKey = "chatshop_notice";

// `text` cut to at most `max_chars` UTF-8 characters, never inside a multi-byte sequence.
std::string TruncateUtf8(std::string_view text, size_t max_chars);

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

// Cloud API limits of interactive messages (cloud-api.md §5.2).
inline constexpr size_t kMaxButtons = 3;
inline constexpr size_t kMaxButtonTitleChars = 20;
inline constexpr size_t kMaxInteractiveBodyChars = 1024;
inline constexpr size_t kMaxListRows = 10;
inline constexpr size_t kMaxRowTitleChars = 24;
inline constexpr size_t kMaxRowDescriptionChars = 72;
inline constexpr size_t kMaxListButtonChars = 20;

struct ReplyButton {
  std::string id;     // comes back as interactive.button_reply.id
  std::string title;  // cut to 20 characters
};

struct ListRow {
  std::string id;  // comes back as interactive.list_reply.id
  std::string title;
  std::string description;
};

struct ListSection {
  std::string title;
  std::vector<ListRow> rows;
};

// A message with up to three reply buttons; extra buttons are dropped, texts cut to the limits.
// With `header_image_id`, an uploaded image (media id) heads the message (§5.2 interactive
// header).
nlohmann::json BuildButtonsMessage(std::string_view to, std::string_view body,
                                   const std::vector<ReplyButton>& buttons,
                                   std::string_view header_image_id = {});

// A list message; rows beyond ten (over all sections) are dropped, texts cut to the limits.
nlohmann::json BuildListMessage(std::string_view to, std::string_view body,
                                std::string_view button, const std::vector<ListSection>& sections);

}  // namespace chatshop::whatsapp
