#pragma once

// The constraints of ../shared/whatsapp/openapi-v23.yaml (Meta's OpenAPI file for the Cloud
// API, with docs/cloud-api.md §5.2) on the /messages bodies chatshop builds, as a checker: every
// violation, named by its path. Builders are tested against it with extreme inputs.

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace chatshop::testing {

inline size_t Utf8Chars(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars;
}

inline std::vector<std::string> SchemaViolations(const nlohmann::json& m) {
  std::vector<std::string> problems;
  auto text_at_most = [&](const nlohmann::json& parent, const char* key, size_t max,
                          const std::string& where, bool required) {
    if (!parent.is_object() || !parent.contains(key)) {
      if (required) problems.push_back(where + "." + key + ": required");
      return;
    }
    if (!parent[key].is_string()) {
      problems.push_back(where + "." + key + ": not a string");
      return;
    }
    const std::string value = parent[key];
    if (Utf8Chars(value) > max)
      problems.push_back(where + "." + key + ": longer than " + std::to_string(max));
    if (required && value.empty()) problems.push_back(where + "." + key + ": empty");
  };
  if (m.value("messaging_product", "") != "whatsapp") problems.push_back("messaging_product");
  const std::string type = m.value("type", "");
  if (!m.contains("to") || !m["to"].is_string()) problems.push_back("to: required");
  if (type == "text") {
    text_at_most(m["text"], "body", 4096, "text", true);  // BaseMessage text.body
  } else if (type == "image" || type == "document") {
    const auto& media = m[type];
    if (media.contains("id") == media.contains("link")) problems.push_back(type + ": id or link");
    text_at_most(media, "caption", 1024, type, false);
  } else if (type == "reaction") {
    text_at_most(m["reaction"], "message_id", 256, "reaction", true);
  } else if (type == "interactive") {
    const auto& i = m["interactive"];
    const std::string kind = i.value("type", "");
    if (i.contains("header"))
      text_at_most(i["header"], "text", 60, "header", false);  // HeaderObject
    if (i.contains("footer"))
      text_at_most(i["footer"], "text", 60, "footer", true);                     // FooterObject
    if (kind != "product") text_at_most(i["body"], "text", 1024, "body", true);  // BodyObject
    const auto& action = i["action"];
    if (kind == "button") {
      const auto& buttons = action["buttons"];
      if (!buttons.is_array() || buttons.empty() || buttons.size() > 3)
        problems.push_back("buttons: 1 to 3");
      std::set<std::string> ids, titles;
      for (const auto& b : buttons) {
        text_at_most(b["reply"], "id", 256, "button", true);
        text_at_most(b["reply"], "title", 20, "button", true);
        if (!ids.insert(b["reply"].value("id", "")).second)
          problems.push_back("button id repeated");
        if (!titles.insert(b["reply"].value("title", "")).second)
          problems.push_back("button title repeated");
      }
    } else if (kind == "list") {
      text_at_most(action, "button", 20, "action", true);
      const auto& sections = action["sections"];
      if (!sections.is_array() || sections.empty() || sections.size() > 10)
        problems.push_back("sections: 1 to 10");
      size_t rows = 0;
      std::set<std::string> ids;
      for (const auto& s : sections) {
        text_at_most(s, "title", 24, "section", sections.size() > 1);
        for (const auto& r : s["rows"]) {
          ++rows;
          text_at_most(r, "id", 200, "row", true);
          text_at_most(r, "title", 24, "row", true);
          text_at_most(r, "description", 72, "row", false);
          if (!ids.insert(r.value("id", "")).second) problems.push_back("row id repeated");
        }
      }
      if (rows == 0 || rows > 10) problems.push_back("rows: 1 to 10 over all sections");
    } else if (kind == "product") {
      if (i.contains("header")) problems.push_back("product: no header allowed");
      text_at_most(action, "catalog_id", 1000, "action", true);
      text_at_most(action, "product_retailer_id", 1000, "action", true);
    } else if (kind == "product_list") {
      if (!i.contains("header") || i["header"].value("type", "") != "text")
        problems.push_back("product_list: text header required");
      text_at_most(i["header"], "text", 60, "header", true);
      const auto& sections = action["sections"];
      if (!sections.is_array() || sections.empty() || sections.size() > 10)
        problems.push_back("sections: 1 to 10");
      size_t items = 0;
      for (const auto& s : sections) {
        text_at_most(s, "title", 24, "section", sections.size() > 1);
        items += s["product_items"].size();
      }
      if (items == 0 || items > 30) problems.push_back("product_items: 1 to 30 in all");
    } else {
      problems.push_back("interactive type " + kind);
    }
  } else if (type == "template") {
    text_at_most(m["template"], "name", 512, "template", true);
    if (!m["template"].contains("language")) problems.push_back("template.language: required");
  } else {
    problems.push_back("type " + type);
  }
  return problems;
}

}  // namespace chatshop::testing
