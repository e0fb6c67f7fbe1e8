#pragma once

#include <string>

#include "common/result.h"

namespace chatshop::infra {

// Graph API tokens at rest. A stored token is "enc:v1:" followed by base64 of nonce (12 bytes)
// | ciphertext | tag (16 bytes): AES-256-GCM under the deployment's master key, which comes
// from CHATSHOP_MASTER_KEY (32 random bytes, base64: `openssl rand -base64 32`) or from the
// file CHATSHOP_MASTER_KEY_FILE names (holding the same). Every program that sends needs it.
// A stored value without the prefix is a token saved in plain text (before a key was set).
class TokenVault {
 public:
  // The master key of the environment; kFailedPrecondition when none is set or it is not 32
  // bytes of base64 (the message says how to make one, never what was found).
  static Result<TokenVault> FromEnvironment();
  // `key`: 32 raw bytes.
  static Result<TokenVault> FromKey(const std::string& key);

  [[nodiscard]] Result<std::string> Seal(const std::string& token) const;
  // The token; plain stored values as they are. kFailedPrecondition when it cannot be
  // decrypted with this key (wrong key, or damaged).
  [[nodiscard]] Result<std::string> Open(const std::string& stored) const;

 private:
  explicit TokenVault(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// True for a value Seal made.
bool IsSealed(const std::string& stored);

// A stored token opened with the environment's master key (looked up once per process): plain
// values pass through; a sealed one without a usable key, or with the wrong one, is
// kFailedPrecondition, saying so without any part of the token.
[[nodiscard]] Result<std::string> RevealToken(const std::string& stored);

}  // namespace chatshop::infra
