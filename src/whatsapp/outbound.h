#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace chatshop::whatsapp {

// Longest text body Meta accepts, in characters (docs/cloud-api.md §5.2).
inline constexpr size_t kMaxTextBodyChars = 4096;

// The /messages request body for a plain text message to `to` (digits, country code first).
// A body longer than Meta's limit is cut at a character boundary and ends with "…".
nlohmann::json BuildTextMessage(std::string_view to, std::string_view body);

// An approved template message (docs/cloud-api.md §5 "Template"): the template's name and language
// code, and the values of its body's {{1}}, {{2}} … in order. The only kind of message Meta
// delivers outside the 24-hour window.
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

// `text` as it fits in `max_chars` characters: unchanged when it fits, else cut (at the last
// space when that keeps most of it) and ended with "…", so a reader sees it was shortened.
std::string Shorten(std::string_view text, size_t max_chars);

// A text longer than Meta's limit as several messages, each at most 4096 characters, split at
// the last paragraph break, else line break, else space before the limit (a word longer than
// a whole message is cut). Each part is sent as its own outbox row, so a retry never resends a
// part Meta already accepted. One message when it fits.
std::vector<nlohmann::json> BuildTextMessages(std::string_view to, std::string_view body);

// `message` as a reply quoting the message `wamid` (docs/cloud-api.md §5.1 "context").
nlohmann::json QuotingMessage(nlohmann::json message, std::string_view wamid);

// A picture or document (docs/cloud-api.md §5.2): by uploaded media id, or by https link; `caption`
// cut to 1024 characters; `filename` for documents only.
struct MediaRef {
  std::string id;    // uploaded media id; or
  std::string link;  // a public https URL
};
nlohmann::json BuildImageMessage(std::string_view to, const MediaRef& media,
                                 std::string_view caption);
nlohmann::json BuildDocumentMessage(std::string_view to, const MediaRef& media,
                                    std::string_view caption, std::string_view filename);

// A reaction to message `wamid`; an empty emoji removes ours.
nlohmann::json BuildReactionMessage(std::string_view to, std::string_view wamid,
                                    std::string_view emoji);

// Marks the customer's message `wamid` (and every earlier one) read, and with `typing` shows
// "typing…" until our reply or 25 s (docs/cloud-api.md §5.2). Not a message: Meta answers
// {"success": true}.
nlohmann::json BuildMarkRead(std::string_view wamid, bool typing);

// True for a BuildMarkRead body.
bool IsMarkRead(const nlohmann::json& payload);

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

// Cloud API limits of interactive messages (docs/cloud-api.md §5.2).
inline constexpr size_t kMaxButtons = 3;
inline constexpr size_t kMaxButtonIdChars = 256;
inline constexpr size_t kMaxRowIdChars = 200;
inline constexpr size_t kMaxCaptionChars = 1024;
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

// What heads an interactive button message (docs/cloud-api.md §5.2: text, image, video or document;
// we use the two media kinds, by uploaded media id). Meta shows an image header only for image/jpeg
// and image/png media; a PDF goes as a document.
struct MessageHeader {
  enum class Kind { kNone, kImage, kDocument };
  Kind kind = Kind::kNone;
  std::string media_id;  // uploaded media id; empty: no header
  std::string filename;  // documents: the name the recipient's phone shows

  static MessageHeader Image(std::string media_id) {
    return {Kind::kImage, std::move(media_id), ""};
  }
  static MessageHeader Document(std::string media_id, std::string filename) {
    return {Kind::kDocument, std::move(media_id), std::move(filename)};
  }
};

// A message with up to three reply buttons; extra buttons are dropped, texts cut to the limits.
// With a `header` (and its media id), the image or document heads the message.
nlohmann::json BuildButtonsMessage(std::string_view to, std::string_view body,
                                   const std::vector<ReplyButton>& buttons,
                                   const MessageHeader& header = {});

// A list message; rows beyond ten (over all sections) are dropped, texts cut to the limits.
nlohmann::json BuildListMessage(std::string_view to, std::string_view body, std::string_view button,
                                const std::vector<ListSection>& sections);

// Products of the catalog linked to the WABA (docs/cloud-api.md §5.2 "Single product /
// multi-product").
inline constexpr size_t kMaxHeaderChars = 60;
inline constexpr size_t kMaxFooterChars = 60;
inline constexpr size_t kMaxProductListItems = 30;
inline constexpr size_t kMaxSections = 10;

// One product, with an optional body and footer (a header is not allowed).
nlohmann::json BuildProductMessage(std::string_view to, std::string_view catalog_id,
                                   std::string_view retailer_id, std::string_view body,
                                   std::string_view footer = {});

struct ProductSection {
  std::string title;
  std::vector<std::string> retailer_ids;
};
// Up to 30 products in up to ten sections; the header (required) and body are cut to their
// limits, further products and empty sections dropped.
nlohmann::json BuildProductListMessage(std::string_view to, std::string_view catalog_id,
                                       std::string_view header, std::string_view body,
                                       const std::vector<ProductSection>& sections);

}  // namespace chatshop::whatsapp
