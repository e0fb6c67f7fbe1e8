#include "webhook/signature.h"

#include <cctype>

#include "common/crypto.h"

namespace chatshop::webhook {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return common::HexEncode(common::HmacSha256(key, data));
}

std::string SignatureHeader(std::string_view app_secret, std::string_view body) {
  return "sha256=" + HmacSha256Hex(app_secret, body);
}

bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (app_secret.empty() || header.size() != kPrefix.size() + 64 ||
      header.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string given(header.substr(kPrefix.size()));
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string expected = HmacSha256Hex(app_secret, body);
  return common::ConstantTimeEquals(given, expected);
}

}  // namespace chatshop::webhook
