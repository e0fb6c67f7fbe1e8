#pragma once

#include <optional>
#include <string>
#include <string_view>

// Encodings and digests used across chatshop: webhook signatures, sealed tokens, stored payment
// proofs, the sandbox's fake media. Every function is pure and thread-safe; digests come from
// OpenSSL (libcrypto), never hand-written.
namespace chatshop::common {

// `bytes` in Base64 with the standard alphabet and '=' padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);

// The bytes of Base64 `text`, in the standard or the URL-safe alphabet (RFC 4648 §4, §5), with
// or without padding; ASCII whitespace is skipped. nullopt when a character is outside both
// alphabets, '=' is followed by anything but padding, or the length cannot be Base64.
std::optional<std::string> Base64Decode(std::string_view text);

// `bytes` as lower-case hex, two digits per byte.
std::string HexEncode(std::string_view bytes);

// The bytes of hex `text` (either case); nullopt for an odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view text);

// The SHA-256 digest of `bytes` (FIPS 180-4): 32 raw bytes.
std::string Sha256(std::string_view bytes);

// Sha256 as lower-case hex (64 characters).
std::string Sha256Hex(std::string_view bytes);

// The HMAC-SHA256 of `data` keyed with `key` (RFC 2104): 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// True when `a` and `b` are equal, comparing in a time that depends only on their lengths (for
// secrets such as signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace chatshop::common
