#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatshop::common {

// Meta counts a text's length in characters; so does chatshop, as UTF-8 code points: every byte
// that is not a continuation byte (10xxxxxx) starts one. Invalid bytes count as characters of
// their own. All functions are pure and thread-safe.

// The number of characters in `text`.
size_t CountUtf8Chars(std::string_view text);

// `text` cut to at most `max_chars` characters, never inside a multi-byte sequence.
std::string TruncateUtf8(std::string_view text, size_t max_chars);

// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 character (a character that
// would not fit is dropped whole); "…" (3 bytes, counted in the limit) marks a cut. For text
// that must stay short, such as a reason in an AMQP header. Thread-safe.
std::string CutUtf8(std::string_view text, size_t max_bytes);

}  // namespace chatshop::common
