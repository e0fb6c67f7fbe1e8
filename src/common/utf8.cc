#include "common/utf8.h"

namespace chatshop::common {

std::string CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
  if (max_bytes < kEllipsis.size()) max_bytes = 0;
  size_t end = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that straddles
  // the cut, and drop that character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  std::string cut(text.substr(0, end));
  if (max_bytes >= kEllipsis.size()) cut += kEllipsis;
  return cut;
}

}  // namespace chatshop::common
