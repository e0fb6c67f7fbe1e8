#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bot/ports.h"
#include "infra/postgres.h"

namespace chatshop::infra {

// bot::ProofStore on PostgreSQL (payment_proofs, with orders and shops). One per thread.
class PgProofStore : public bot::ProofStore {
 public:
  explicit PgProofStore(std::string url) : session_(std::move(url)) {}
  Result<std::vector<bot::ProofJob>> ClaimDue(int limit, std::chrono::seconds lease) override;
  Status Complete(const bot::ProofJob& job, const bot::StoredMedia& media,
                  const Notices& notices) override;
  Status Retry(int64_t proof_id, std::chrono::seconds delay, const std::string& error) override;
  Status Fail(const bot::ProofJob& job, const std::string& error, const Notices& notices) override;
  Status Refuse(const bot::ProofJob& job, const std::string& reason, int hold_minutes,
                const CustomerNotices& notices) override;

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
