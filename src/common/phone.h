#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chatshop::common {

// A phone number as WhatsApp names it (a wa_id): the E.164 digits without '+'. `number` may
// start with '+' and be grouped with spaces, hyphens, dots or parentheses ("+91 98123-45678");
// the digits must be 8 to 15 (E.164 allows at most 15) and begin with a country code, which never
// starts with 0. nullopt for anything else. Pure, thread-safe.
std::optional<std::string> E164Digits(std::string_view number);

}  // namespace chatshop::common
