#pragma once

#include <string>
#include <string_view>

namespace chatshop::webhook {

// Lower-case hex HMAC-SHA256 of `data` keyed with `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// The X-Hub-Signature-256 header value Meta would send for `body`: "sha256=<hex>".
std::string SignatureHeader(std::string_view app_secret, std::string_view body);

// True when `header` is "sha256=<hex>" and the hex equals the HMAC of the raw `body` bytes
// under `app_secret` (docs/cloud-api.md §1.2). The comparison takes the same time wherever the
// first difference is, so an attacker learns nothing from timing.
bool VerifySignature(std::string_view app_secret, std::string_view body, std::string_view header);

}  // namespace chatshop::webhook
