#include "whatsapp/outbound.h"

namespace chatshop::whatsapp {

std::string TruncateUtf8(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // A character starts at every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return std::string(text.substr(0, i));
      ++chars;
    }
  }
  return std::string(text);
}

namespace {

// The /messages envelope of every outbound message, with `type` and its object.
nlohmann::json Envelope(std::string_view to, const char* type, nlohmann::json object) {
  // "+" keeps Meta from prefixing the business number's country code (cloud-api.md §5.1).
  std::string recipient = (!to.empty() && to[0] == '+') ? std::string(to) : "+" + std::string(to);
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", recipient},
          {"type", type},
          {type, std::move(object)}};
}

}  // namespace

nlohmann::json BuildTextMessage(std::string_view to, std::string_view body) {
  std::string text = TruncateUtf8(body, kMaxTextBodyChars);
  if (text.size() < body.size()) text = TruncateUtf8(text, kMaxTextBodyChars - 1) + "…";
  return Envelope(to, "text", {{"body", text}, {"preview_url", false}});
}

}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {

nlohmann::json BuildButtonsMessage(std::string_view to, std::string_view body,
                                   const std::vector<ReplyButton>& buttons,
                                   std::string_view header_image_id) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < buttons.size() && i < kMaxButtons; ++i) {
    list.push_back({{"type", "reply"},
                    {"reply",
                     {{"id", buttons[i].id},
                      {"title", TruncateUtf8(buttons[i].title, kMaxButtonTitleChars)}}}});
  }
  nlohmann::json interactive = {{"type", "button"},
                                {"body", {{"text", TruncateUtf8(body, kMaxInteractiveBodyChars)}}},
                                {"action", {{"buttons", list}}}};
  if (!header_image_id.empty()) {
    interactive["header"] = {{"type", "image"}, {"image", {{"id", header_image_id}}}};
  }
  return Envelope(to, "interactive", interactive);
}

nlohmann::json BuildListMessage(std::string_view to, std::string_view body,
                                std::string_view button,
                                const std::vector<ListSection>& sections) {
  nlohmann::json out_sections = nlohmann::json::array();
  size_t rows_left = kMaxListRows;
  for (const auto& section : sections) {
    if (rows_left == 0) break;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : section.rows) {
      if (rows_left == 0) break;
      nlohmann::json r = {{"id", row.id}, {"title", TruncateUtf8(row.title, kMaxRowTitleChars)}};
      if (!row.description.empty()) {
        r["description"] = TruncateUtf8(row.description, kMaxRowDescriptionChars);
      }
      rows.push_back(std::move(r));
      --rows_left;
    }
    if (rows.empty()) continue;
    out_sections.push_back({{"title", TruncateUtf8(section.title, kMaxRowTitleChars)},
                            {"rows", rows}});
  }
  return Envelope(to, "interactive",
                  {{"type", "list"},
                   {"body", {{"text", TruncateUtf8(body, kMaxInteractiveBodyChars)}}},
                   {"action",
                    {{"button", TruncateUtf8(button, kMaxListButtonChars)},
                     {"sections", out_sections}}}});
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
  nlohmann::json tmpl = {{"name", name}, {"language", {{"code", language}, {"policy", "deterministic"}}}};
  if (!parameters.empty()) {
    tmpl["components"] = nlohmann::json::array({{{"type", "body"}, {"parameters", parameters}}});
  }
  return Envelope(to, "template", tmpl);
}

}  // namespace chatshop::whatsapp
