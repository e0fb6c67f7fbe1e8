#include "infra/credentials.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "common/crypto.h"

namespace chatshop::infra {
namespace {

// v1: no additional data; v2: the shop's phone_number_id as additional data.
constexpr std::string_view kPrefixV1 = "enc:v1:";
constexpr std::string_view kPrefixV2 = "enc:v2:";
constexpr size_t kNonceBytes = 12, kTagBytes = 16, kKeyBytes = 32;

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

Error KeyHelp() {
  return {ErrorCode::kFailedPrecondition,
          "no usable master key: set CHATSHOP_MASTER_KEY to 32 random bytes in base64 "
          "(openssl rand -base64 32), or CHATSHOP_MASTER_KEY_FILE to a file holding them"};
}

}  // namespace

bool IsSealed(const std::string& stored) {
  return stored.rfind(kPrefixV1, 0) == 0 || stored.rfind(kPrefixV2, 0) == 0;
}

Result<TokenVault> TokenVault::FromKey(const std::string& key) {
  if (key.size() != kKeyBytes) return tl::unexpected(KeyHelp());
  return TokenVault(key);
}

Result<TokenVault> TokenVault::FromEnvironment() {
  std::string encoded;
  if (const char* value = std::getenv("CHATSHOP_MASTER_KEY"); value != nullptr && *value != '\0') {
    encoded = value;
  } else if (const char* path = std::getenv("CHATSHOP_MASTER_KEY_FILE");
             path != nullptr && *path != '\0') {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return MakeError(ErrorCode::kFailedPrecondition,
                       std::string("cannot read the master key file ") + path);
    std::ostringstream text;
    text << in.rdbuf();
    encoded = text.str();
  } else {
    return tl::unexpected(KeyHelp());
  }
  const auto key = common::Base64Decode(encoded);
  if (!key) return tl::unexpected(KeyHelp());
  return FromKey(*key);
}

Result<std::string> TokenVault::Seal(const std::string& token,
                                     const std::string& phone_number_id) const {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    return MakeError(ErrorCode::kInternal, "no random bytes for the nonce");
  }
  std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string sealed(token.size(), '\0');
  std::string tag(kTagBytes, '\0');
  int n = 0, final_n = 0, aad_n = 0;
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &aad_n,
                        reinterpret_cast<const unsigned char*>(phone_number_id.data()),
                        static_cast<int>(phone_number_id.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &n, reinterpret_cast<const unsigned char*>(token.data()),
                        static_cast<int>(token.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + n, &final_n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    return MakeError(ErrorCode::kInternal, "encrypting the token failed");
  }
  sealed.resize(static_cast<size_t>(n + final_n));
  return std::string(kPrefixV2) + common::Base64Encode(nonce + sealed + tag);
}

Result<std::string> TokenVault::Open(const std::string& stored,
                                     const std::string& phone_number_id) const {
  if (!IsSealed(stored)) return stored;
  // v1 values were sealed before tokens were bound to their shop: they open without it.
  const bool bound = stored.rfind(kPrefixV2, 0) == 0;
  const auto decoded = common::Base64Decode(std::string_view(stored).substr(kPrefixV2.size()));
  const std::string raw = decoded.value_or("");
  const Error wrong{ErrorCode::kFailedPrecondition,
                    "cannot decrypt the shop's token: wrong master key, a value sealed for another "
                    "shop, or the stored value is damaged"};
  if (!decoded || raw.size() < kNonceBytes + kTagBytes) return tl::unexpected(wrong);
  const std::string nonce = raw.substr(0, kNonceBytes);
  const std::string sealed = raw.substr(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);
  std::string tag = raw.substr(raw.size() - kTagBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string token(sealed.size(), '\0');
  int n = 0, final_n = 0, aad_n = 0;
  auto* out = reinterpret_cast<unsigned char*>(token.data());
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      (bound && EVP_DecryptUpdate(ctx.get(), nullptr, &aad_n,
                                  reinterpret_cast<const unsigned char*>(phone_number_id.data()),
                                  static_cast<int>(phone_number_id.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), out, &n, reinterpret_cast<const unsigned char*>(sealed.data()),
                        static_cast<int>(sealed.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + n, &final_n) != 1) {
    return tl::unexpected(wrong);  // the tag did not match: wrong key or damaged
  }
  token.resize(static_cast<size_t>(n + final_n));
  return token;
}

Result<std::string> RevealToken(const std::string& stored, const std::string& phone_number_id) {
  if (!IsSealed(stored)) return stored;
  static const Result<TokenVault> vault = TokenVault::FromEnvironment();
  if (!vault) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the shop's token is encrypted but this program has " + vault.error().message);
  }
  return vault->Open(stored, phone_number_id);
}

}  // namespace chatshop::infra
