#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "common/metrics.h"
#include "common/templates.h"
#include "service/ports/graph_api.h"
#include "service/ports/media_vault.h"
#include "service/ports/proof_store.h"

namespace chatshop::service {

struct ProofFetcherSettings {
  int64_t max_bytes = 16 * 1024 * 1024;
  int max_attempts = 8;
  int reservation_minutes = 30;
};

// The media worker (DESIGN.md "chatshop-worker --role media"): fetches each payment proof
// from Meta (GET /{media-id}, then the URL with the token), checks its size and SHA-256 and
// what its first bytes say it is (JPEG, PNG, WebP or PDF; anything else is refused and the
// customer told), keeps it by content, uploads it for the owners and sends them the picture
// (or the PDF as a document) with the order and Approve · Reject. Transient failures are retried
// with backoff; a proof that cannot be fetched tells the owners to check the payment another way.
// Not thread-safe.
class ProofFetcher {
 public:
  ProofFetcher(ProofStore& store, MediaApi& media, MediaVault& vault,
               const common::TemplateSet& templates, ProofFetcherSettings settings,
               common::MetricsRegistry& metrics);

  // Fetches what is due; returns how many proofs it handled (stored, retried or failed).
  [[nodiscard]] Result<int> RunOnce();

 private:
  Status Fetch(const ProofJob& job);
  Status Retry(const ProofJob& job, const Error& error);

  ProofStore& store_;
  MediaApi& media_;
  MediaVault& vault_;
  const common::TemplateSet& templates_;
  ProofFetcherSettings settings_;
  common::Counter& stored_;
  common::Counter& retried_;
  common::Counter& failed_;
  common::Counter& duplicates_;
  common::Counter& refused_;
  std::shared_ptr<spdlog::logger> log_;
};

// True when Meta's `claimed` SHA-256 (hex or base64, docs/cloud-api.md §6) is the digest whose hex
// is `hex`.
bool Sha256Matches(const std::string& claimed, const std::string& hex);

}  // namespace chatshop::service
