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

nlohmann::json BuildTextMessage(std::string_view to, std::string_view body) {
  std::string text = TruncateUtf8(body, kMaxTextBodyChars);
  if (text.size() < body.size()) text = TruncateUtf8(text, kMaxTextBodyChars - 1) + "…";
  // "+" keeps Meta from prefixing the business number's country code (cloud-api.md §5.1).
  std::string recipient = (!to.empty() && to[0] == '+') ? std::string(to) : "+" + std::string(to);
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", recipient},
          {"type", "text"},
          {"text", {{"body", text}, {"preview_url", false}}}};
}

}  // namespace chatshop::whatsapp
