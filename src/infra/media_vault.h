#pragma once

#include <string>

#include "service/ports/media_vault.h"

namespace chatshop::infra {

// service::MediaVault on the local disk: <dir>/<first two hex digits>/<sha256>, written to a
// temporary name and renamed, so a file under its final name is always complete. The same
// content is stored once. Files are 0600 in 0700 folders (the media dir and its shards),
// whatever the process's umask. Thread-safe.
class FileMediaVault : public service::MediaVault {
 public:
  explicit FileMediaVault(std::string dir) : dir_(std::move(dir)) {}
  std::string DigestOf(const std::string& bytes) const override;
  Result<service::StoredMedia> Keep(const std::string& bytes) override;

 private:
  std::string dir_;
};

}  // namespace chatshop::infra
