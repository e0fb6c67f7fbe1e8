#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chatshop::whatsapp {

// Longest text body Meta accepts, in characters (cloud-api.md §5.2).
inline constexpr size_t kMaxTextBodyChars = 4096;

// The /messages request body for a plain text message to `to` (digits, country code first).
// A body longer than Meta's limit is cut at a character boundary and ends with "…".
nlohmann::json BuildTextMessage(std::string_view to, std::string_view body);

// `text` cut to at most `max_chars` UTF-8 characters, never inside a multi-byte sequence.
std::string TruncateUtf8(std::string_view text, size_t max_chars);

}  // namespace chatshop::whatsapp
