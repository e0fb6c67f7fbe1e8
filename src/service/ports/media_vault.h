#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace chatshop::service {

// A file kept by its content.
struct StoredMedia {
  std::string sha256;  // lower-case hex
  int64_t size = 0;
  std::string path;
};

// Keeps files by their SHA-256. Thread-safe.
class MediaVault {
 public:
  virtual ~MediaVault() = default;
  // Lower-case hex SHA-256 of `bytes`: what they would be kept under.
  [[nodiscard]] virtual std::string DigestOf(const std::string& bytes) const = 0;
  [[nodiscard]] virtual Result<StoredMedia> Keep(const std::string& bytes) = 0;
};

}  // namespace chatshop::service
