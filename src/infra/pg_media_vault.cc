#include "infra/pg_media_vault.h"

#include <optional>
#include <pqxx/pqxx>

#include "common/crypto.h"

namespace chatshop::infra {

std::string PgMediaVault::DigestOf(const std::string& bytes) const {
  return common::Sha256Hex(bytes);
}

Result<service::StoredMedia> PgMediaVault::Keep(const std::string& bytes) {
  const std::string sha = common::Sha256Hex(bytes);
  std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    // Looked up first so that a screenshot sent again is not shipped to the server again.
    if (tx.exec_params("SELECT 1 FROM media_blobs WHERE sha256 = $1", sha).empty()) {
      tx.exec_params(
          "INSERT INTO media_blobs (sha256, bytes, size_bytes) VALUES ($1, $2, $3) "
          "ON CONFLICT (sha256) DO NOTHING",
          sha, pqxx::binarystring(bytes.data(), bytes.size()), static_cast<int64_t>(bytes.size()));
    }
    tx.commit();
  }));
  return service::StoredMedia{sha, static_cast<int64_t>(bytes.size()), kPathPrefix + sha};
}

Result<std::string> PgMediaVault::Read(const std::string& sha256) {
  std::optional<std::string> bytes;
  std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    bytes.reset();
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_params("SELECT bytes FROM media_blobs WHERE sha256 = $1", sha256);
    if (rows.empty()) return;
    const pqxx::binarystring blob(rows[0]["bytes"]);
    bytes = blob.str();
  }));
  if (!bytes) return MakeError(ErrorCode::kNotFound, "no media " + sha256);
  return std::move(*bytes);
}

}  // namespace chatshop::infra
