#include "common/utf8.h"

namespace chatshop::common {
namespace {

bool StartsCharacter(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }

}  // namespace

size_t CountUtf8Chars(std::string_view text) {
  size_t chars = 0;
  for (char byte : text) chars += StartsCharacter(byte);
  return chars;
}

std::string TruncateUtf8(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (StartsCharacter(text[i])) {
      if (chars == max_chars) return std::string(text.substr(0, i));
      ++chars;
    }
  }
  return std::string(text);
}

std::string CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
  if (max_bytes < kEllipsis.size()) max_bytes = 0;
  size_t end = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that straddles
  // the cut, and drop that character.
  while (end > 0 && !StartsCharacter(text[end])) --end;
  std::string cut(text.substr(0, end));
  if (max_bytes >= kEllipsis.size()) cut += kEllipsis;
  return cut;
}

}  // namespace chatshop::common
