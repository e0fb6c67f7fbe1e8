#include "infra/media_vault.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace chatshop::infra {

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string FileMediaVault::DigestOf(const std::string& bytes) const { return Sha256Hex(bytes); }

Result<bot::StoredMedia> FileMediaVault::Keep(const std::string& bytes) {
  namespace fs = std::filesystem;
  static std::atomic<uint64_t> counter{0};
  const std::string sha = Sha256Hex(bytes);
  const fs::path dir = fs::path(dir_) / sha.substr(0, 2);
  const fs::path path = dir / sha;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "media dir: " + ec.message());
  if (!fs::exists(path, ec)) {
    const fs::path temporary =
        dir / (sha + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    {
      std::ofstream out(temporary, std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) return MakeError(ErrorCode::kUnavailable, "cannot write " + temporary.string());
    }
    fs::rename(temporary, path, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot store media: " + ec.message());
  }
  return bot::StoredMedia{sha, static_cast<int64_t>(bytes.size()), path.string()};
}

}  // namespace chatshop::infra
