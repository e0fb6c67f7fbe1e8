#pragma once

#include <string>

#include "common/result.h"

namespace chatshop::infra {

// Graph API tokens at rest. A stored token is "enc:v2:" followed by base64 of nonce (12 bytes)
// | ciphertext | tag (16 bytes): AES-256-GCM under the deployment's master key, with the shop's
// phone_number_id as additional authenticated data, so a value copied into another shop's row
// does not open there. The key comes from CHATSHOP_MASTER_KEY (32 random bytes, base64:
// `openssl rand -base64 32`) or from the file CHATSHOP_MASTER_KEY_FILE names (holding the
// same). Every program that sends needs it. "enc:v1:" values (sealed before tokens were bound
// to their shop, no additional data) still open; a stored value without a prefix is a token
// saved in plain text (before a key was set).
class TokenVault {
 public:
  // The master key of the environment; kFailedPrecondition when none is set or it is not 32
  // bytes of base64 (the message says how to make one, never what was found).
  static Result<TokenVault> FromEnvironment();
  // `key`: 32 raw bytes.
  static Result<TokenVault> FromKey(const std::string& key);

  // An "enc:v2:" value of `token`, bound to the shop whose number is `phone_number_id`.
  [[nodiscard]] Result<std::string> Seal(const std::string& token,
                                         const std::string& phone_number_id) const;
  // The token of the shop `phone_number_id`; plain stored values as they are, "enc:v1:" ones
  // without checking the shop. kFailedPrecondition when it cannot be decrypted with this key
  // for this shop (wrong key, another shop's value, or damaged).
  [[nodiscard]] Result<std::string> Open(const std::string& stored,
                                         const std::string& phone_number_id) const;

 private:
  explicit TokenVault(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// True for a value Seal made (either version).
bool IsSealed(const std::string& stored);

// A stored token of the shop `phone_number_id` opened with the environment's master key (looked
// up once per process): plain values pass through; a sealed one without a usable key, with the
// wrong one or of another shop is kFailedPrecondition, saying so without any part of the token.
[[nodiscard]] Result<std::string> RevealToken(const std::string& stored,
                                              const std::string& phone_number_id);

}  // namespace chatshop::infra
