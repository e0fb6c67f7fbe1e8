#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "infra/postgres.h"
#include "service/ports/proof_store.h"

namespace chatshop::infra {

// service::ProofStore on PostgreSQL (payment_proofs, with orders and shops). One per thread.
class PgProofStore : public service::ProofStore {
 public:
  explicit PgProofStore(std::string url) : session_(std::move(url)) {}
  Result<std::vector<service::ProofJob>> ClaimDue(int limit, std::chrono::seconds lease) override;
  Status Complete(const service::ProofJob& job, const service::StoredMedia& media,
                  const Notices& notices) override;
  Status Retry(int64_t proof_id, std::chrono::seconds delay, const std::string& error) override;
  Status Fail(const service::ProofJob& job, const std::string& error,
              const Notices& notices) override;
  Status Refuse(const service::ProofJob& job, const std::string& reason, int hold_minutes,
                const CustomerNotices& notices) override;

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
