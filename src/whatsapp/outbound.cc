#include "whatsapp/outbound.h"

#include <set>

#include "common/utf8.h"

namespace chatshop::whatsapp {

std::string Shorten(std::string_view text, size_t max_chars) {
  if (common::CountUtf8Chars(text) <= max_chars) return std::string(text);
  if (max_chars == 0) return "";
  std::string cut = common::TruncateUtf8(text, max_chars - 1);
  // At a word boundary when that keeps more than half: "Maggi 2-Minute…", not "Maggi 2-Minu…".
  const bool at_word_end = cut.size() < text.size() && text[cut.size()] == ' ';
  if (auto space = cut.rfind(' ');
      !at_word_end && space != std::string::npos && space > cut.size() / 2) {
    cut.erase(space);
  }
  while (!cut.empty() && (cut.back() == ' ' || cut.back() == ',')) cut.pop_back();
  return cut + "…";
}

namespace {

// Byte offset of the character after the first `chars` characters.
size_t ByteOffset(std::string_view text, size_t chars) {
  return common::TruncateUtf8(text, chars).size();
}

// The /messages envelope of every outbound message, with `type` and its object.
nlohmann::json Envelope(std::string_view to, const char* type, nlohmann::json object) {
  // "+" keeps Meta from prefixing the business number's country code (docs/cloud-api.md §5.1).
  std::string recipient = (!to.empty() && to[0] == '+') ? std::string(to) : "+" + std::string(to);
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", recipient},
          {"type", type},
          {type, std::move(object)}};
}

}  // namespace

nlohmann::json BuildTextMessage(std::string_view to, std::string_view body) {
  std::string text = common::TruncateUtf8(body, kMaxTextBodyChars);
  if (text.size() < body.size()) text = common::TruncateUtf8(text, kMaxTextBodyChars - 1) + "…";
  return Envelope(to, "text", {{"body", text}, {"preview_url", false}});
}

std::vector<nlohmann::json> BuildTextMessages(std::string_view to, std::string_view body) {
  std::vector<nlohmann::json> parts;
  std::string_view rest = body;
  while (common::CountUtf8Chars(rest) > kMaxTextBodyChars) {
    const std::string_view window = rest.substr(0, ByteOffset(rest, kMaxTextBodyChars));
    size_t cut = std::string_view::npos;
    for (std::string_view boundary : {"\n\n", "\n", " "}) {
      const size_t at = window.rfind(boundary);
      // Only a boundary in the second half of the window: parts stay long.
      if (at != std::string_view::npos && at > window.size() / 2) {
        cut = at;
        break;
      }
    }
    size_t next = cut;
    if (cut == std::string_view::npos) {
      cut = next = window.size();  // one enormous word: cut it
    }
    parts.push_back(
        Envelope(to, "text", {{"body", std::string(rest.substr(0, cut))}, {"preview_url", false}}));
    rest.remove_prefix(next);
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == ' ')) rest.remove_prefix(1);
  }
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) rest.remove_suffix(1);
  if (!rest.empty() || parts.empty()) {
    parts.push_back(Envelope(to, "text", {{"body", std::string(rest)}, {"preview_url", false}}));
  }
  return parts;
}

nlohmann::json QuotingMessage(nlohmann::json message, std::string_view wamid) {
  if (!wamid.empty()) message["context"] = {{"message_id", wamid}};
  return message;
}

namespace {

nlohmann::json MediaObject(const MediaRef& media) {
  return media.id.empty() ? nlohmann::json{{"link", media.link}} : nlohmann::json{{"id", media.id}};
}

}  // namespace

nlohmann::json BuildImageMessage(std::string_view to, const MediaRef& media,
                                 std::string_view caption) {
  nlohmann::json image = MediaObject(media);
  if (!caption.empty()) image["caption"] = Shorten(caption, kMaxCaptionChars);
  return Envelope(to, "image", image);
}

nlohmann::json BuildDocumentMessage(std::string_view to, const MediaRef& media,
                                    std::string_view caption, std::string_view filename) {
  nlohmann::json document = MediaObject(media);
  if (!caption.empty()) document["caption"] = Shorten(caption, kMaxCaptionChars);
  if (!filename.empty()) document["filename"] = std::string(filename);
  return Envelope(to, "document", document);
}

nlohmann::json BuildReactionMessage(std::string_view to, std::string_view wamid,
                                    std::string_view emoji) {
  return Envelope(to, "reaction", {{"message_id", wamid}, {"emoji", emoji}});
}

nlohmann::json BuildMarkRead(std::string_view wamid, bool typing) {
  nlohmann::json body = {
      {"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", wamid}};
  if (typing) body["typing_indicator"] = {{"type", "text"}};
  return body;
}

bool IsMarkRead(const nlohmann::json& payload) {
  return payload.is_object() && payload.value("status", "") == "read" && !payload.contains("to");
}

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

nlohmann::json BuildButtonsMessage(std::string_view to, std::string_view body,
                                   const std::vector<ReplyButton>& buttons,
                                   const MessageHeader& header) {
  // Meta refuses empty, repeated or over-long ids and titles: such buttons are left out.
  nlohmann::json list = nlohmann::json::array();
  std::set<std::string> ids, titles;
  for (const auto& button : buttons) {
    if (list.size() == kMaxButtons) break;
    const std::string title = Shorten(button.title, kMaxButtonTitleChars);
    if (button.id.empty() || button.id.size() > kMaxButtonIdChars || title.empty() ||
        button.id.front() == ' ' || button.id.back() == ' ' || !ids.insert(button.id).second ||
        !titles.insert(title).second) {
      continue;
    }
    list.push_back({{"type", "reply"}, {"reply", {{"id", button.id}, {"title", title}}}});
  }
  nlohmann::json interactive = {{"type", "button"},
                                {"body", {{"text", Shorten(body, kMaxInteractiveBodyChars)}}},
                                {"action", {{"buttons", list}}}};
  if (!header.media_id.empty() && header.kind == MessageHeader::Kind::kImage) {
    interactive["header"] = {{"type", "image"}, {"image", {{"id", header.media_id}}}};
  } else if (!header.media_id.empty() && header.kind == MessageHeader::Kind::kDocument) {
    nlohmann::json document = {{"id", header.media_id}};
    if (!header.filename.empty()) document["filename"] = header.filename;
    interactive["header"] = {{"type", "document"}, {"document", document}};
  }
  return Envelope(to, "interactive", interactive);
}

nlohmann::json BuildListMessage(std::string_view to, std::string_view body, std::string_view button,
                                const std::vector<ListSection>& sections) {
  nlohmann::json out_sections = nlohmann::json::array();
  size_t rows_left = kMaxListRows;
  std::set<std::string> ids;
  for (const auto& section : sections) {
    if (rows_left == 0 || out_sections.size() == kMaxSections) break;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : section.rows) {
      if (rows_left == 0) break;
      // A row Meta would refuse (no, long or repeated id; no title) is left out.
      if (row.id.empty() || row.id.size() > kMaxRowIdChars || row.title.empty() ||
          !ids.insert(row.id).second) {
        continue;
      }
      nlohmann::json r = {{"id", row.id}, {"title", Shorten(row.title, kMaxRowTitleChars)}};
      if (!row.description.empty()) {
        r["description"] = Shorten(row.description, kMaxRowDescriptionChars);
      }
      rows.push_back(std::move(r));
      --rows_left;
    }
    if (rows.empty()) continue;
    out_sections.push_back(
        {{"title", Shorten(section.title.empty() ? "·" : section.title, kMaxRowTitleChars)},
         {"rows", rows}});
  }
  const std::string label = Shorten(button, kMaxListButtonChars);
  return Envelope(
      to, "interactive",
      {{"type", "list"},
       {"body", {{"text", Shorten(body, kMaxInteractiveBodyChars)}}},
       {"action", {{"button", label.empty() ? "Choose" : label}, {"sections", out_sections}}}});
}

nlohmann::json BuildProductMessage(std::string_view to, std::string_view catalog_id,
                                   std::string_view retailer_id, std::string_view body,
                                   std::string_view footer) {
  nlohmann::json interactive = {
      {"type", "product"},
      {"action", {{"catalog_id", catalog_id}, {"product_retailer_id", retailer_id}}}};
  if (!body.empty()) interactive["body"] = {{"text", Shorten(body, kMaxInteractiveBodyChars)}};
  if (!footer.empty()) interactive["footer"] = {{"text", Shorten(footer, kMaxFooterChars)}};
  return Envelope(to, "interactive", interactive);
}

nlohmann::json BuildProductListMessage(std::string_view to, std::string_view catalog_id,
                                       std::string_view header, std::string_view body,
                                       const std::vector<ProductSection>& sections) {
  nlohmann::json out_sections = nlohmann::json::array();
  size_t items_left = kMaxProductListItems;
  for (const auto& section : sections) {
    if (items_left == 0 || out_sections.size() == kMaxSections) break;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& id : section.retailer_ids) {
      if (items_left == 0) break;
      if (id.empty()) continue;
      items.push_back({{"product_retailer_id", id}});
      --items_left;
    }
    if (items.empty()) continue;
    out_sections.push_back(
        {{"title", Shorten(section.title.empty() ? "·" : section.title, kMaxRowTitleChars)},
         {"product_items", items}});
  }
  const std::string head = Shorten(header, kMaxHeaderChars);
  const std::string text = Shorten(body, kMaxInteractiveBodyChars);
  return Envelope(to, "interactive",
                  {{"type", "product_list"},
                   {"header", {{"type", "text"}, {"text", head.empty() ? "Products" : head}}},
                   {"body", {{"text", text.empty() ? "·" : text}}},
                   {"action", {{"catalog_id", catalog_id}, {"sections", out_sections}}}});
}

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

nlohmann::json BuildTemplateMessage(std::string_view to, std::string_view name,
                                    std::string_view language,
                                    const std::vector<std::string>& body_parameters) {
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& value : body_parameters) {
    // Meta refuses empty parameters (132012): a dash keeps the count right.
    parameters.push_back({{"type", "text"}, {"text", value.empty() ? "-" : value}});
  }
  nlohmann::json tmpl = {{"name", name},
                         {"language", {{"code", language}, {"policy", "deterministic"}}}};
  if (!parameters.empty()) {
    tmpl["components"] = nlohmann::json::array({{{"type", "body"}, {"parameters", parameters}}});
  }
  return Envelope(to, "template", tmpl);
}

}  // namespace chatshop::whatsapp
