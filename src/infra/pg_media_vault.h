#pragma once

#include <mutex>
#include <string>

#include "infra/postgres.h"
#include "service/ports/media_vault.h"

namespace chatshop::infra {

// service::MediaVault in PostgreSQL (table media_blobs, [orders] media_store = "postgres"): one
// row per content, keyed by its SHA-256, so the same screenshot is stored once and every worker
// on every node can read it. The path it reports is "pg:<sha256>" (kPathPrefix). Thread-safe
// (one connection, used under a lock: a proof is kept now and then, not on a hot path).
class PgMediaVault : public service::MediaVault {
 public:
  static constexpr const char* kPathPrefix = "pg:";

  explicit PgMediaVault(std::string url) : session_(std::move(url)) {}

  std::string DigestOf(const std::string& bytes) const override;
  // Inserts the bytes unless a row with their digest exists (ON CONFLICT DO NOTHING: two
  // workers keeping the same proof at once both succeed). kUnavailable when PostgreSQL cannot
  // be reached.
  Result<service::StoredMedia> Keep(const std::string& bytes) override;
  // The bytes kept under `sha256`; kNotFound when none are. For tools and tests.
  [[nodiscard]] Result<std::string> Read(const std::string& sha256);

 private:
  std::mutex mutex_;
  PgSession session_;
};

}  // namespace chatshop::infra
