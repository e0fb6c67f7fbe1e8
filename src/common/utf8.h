#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatshop::common {

// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 character (a character that
// would not fit is dropped whole); "…" (3 bytes, counted in the limit) marks a cut. For text
// that must stay short, such as a reason in an AMQP header. Thread-safe.
std::string CutUtf8(std::string_view text, size_t max_bytes);

}  // namespace chatshop::common
