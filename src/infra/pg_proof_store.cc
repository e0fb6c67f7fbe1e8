#include "infra/pg_proof_store.h"

#include <pqxx/pqxx>

#include "common/logging.h"
#include "infra/credentials.h"
#include "infra/pg_orders.h"
#include "infra/pg_rows.h"

namespace chatshop::infra {

Result<std::vector<service::ProofJob>> PgProofStore::ClaimDue(int limit,
                                                              std::chrono::seconds lease) {
  std::vector<service::ProofJob> jobs;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    jobs.clear();
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "UPDATE payment_proofs p SET attempts = p.attempts + 1, "
        "  next_attempt_at = now() + make_interval(secs => $2) "
        "FROM orders o, shops s "
        "WHERE o.id = p.order_id AND s.id = o.shop_id AND p.id IN ("
        "  SELECT id FROM payment_proofs WHERE status = 'pending' AND next_attempt_at <= now() "
        "  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING p.id AS proof_id, p.order_id, s.id AS shop_id, s.access_token, p.media_id, "
        "  p.mime_type, p.attempts",
        limit, static_cast<int64_t>(lease.count()));
    for (const auto& row : rows) {
      auto shop = LoadShopById(tx, row["shop_id"].as<int64_t>());
      if (!shop) continue;
      // A token that cannot be opened (no or wrong master key) fails the fetch with the
      // Graph API's 401, retried and then reported to the owners like any refused token.
      auto token = RevealToken(row["access_token"].as<std::string>(), shop->phone_number_id);
      if (!token)
        common::GetLogger("media")->critical("shop {}: {}", shop->phone_number_id,
                                             token.error().message);
      jobs.push_back({row["proof_id"].as<int64_t>(), row["order_id"].as<int64_t>(), *shop,
                      token.value_or(""), row["media_id"].as<std::string>(),
                      row["mime_type"].as<std::string>(), row["attempts"].as<int>()});
    }
    tx.commit();
  }));
  return jobs;
}

Status PgProofStore::Complete(const service::ProofJob& job, const service::StoredMedia& media,
                              const Notices& notices) {
  return session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    // Only a proof still pending: if a fetch outlived its lease and another worker finished
    // it first, the owners have their notice already.
    auto stored = tx.exec_params(
        "UPDATE payment_proofs SET status = 'stored', sha256 = $2, size_bytes = $3, path = $4, "
        "  last_error = NULL WHERE id = $1 AND status = 'pending'",
        job.proof_id, media.sha256, media.size, media.path);
    if (stored.affected_rows() == 0) return Ok();
    // The same picture sent for another order of this shop: the owner should know.
    auto duplicate = tx.exec_params(
        "SELECT o.number FROM payment_proofs p JOIN orders o ON o.id = p.order_id "
        "WHERE p.sha256 = $1 AND p.order_id <> $2 AND o.shop_id = $3 ORDER BY p.id LIMIT 1",
        media.sha256, job.order_id, job.shop.id);
    PgOrderLedger ledger(tx);
    ASSIGN_OR_RETURN(const auto order, ledger.FindOrder(job.shop.id, job.order_id));
    if (order) {
      QueueReplies(tx, job.shop.id,
                   notices(*order, duplicate.empty() ? 0 : duplicate[0]["number"].as<int64_t>()),
                   "");
    }
    tx.commit();
    return Ok();
  });
}

Status PgProofStore::Retry(int64_t proof_id, std::chrono::seconds delay, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE payment_proofs SET next_attempt_at = now() + make_interval(secs => $2), "
        "  last_error = $3 WHERE id = $1",
        proof_id, static_cast<int64_t>(delay.count()), error);
    tx.commit();
  });
}

Status PgProofStore::Fail(const service::ProofJob& job, const std::string& error,
                          const Notices& notices) {
  return session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    auto failed = tx.exec_params(
        "UPDATE payment_proofs SET status = 'failed', last_error = $2 "
        "WHERE id = $1 AND status = 'pending'",
        job.proof_id, error);
    if (failed.affected_rows() == 0) return Ok();
    PgOrderLedger ledger(tx);
    ASSIGN_OR_RETURN(const auto order, ledger.FindOrder(job.shop.id, job.order_id));
    if (order && order->status == orders::OrderStatus::kPaymentReview) {
      QueueReplies(tx, job.shop.id, notices(*order, -1), "");
    }
    tx.commit();
    return Ok();
  });
}

Status PgProofStore::Refuse(const service::ProofJob& job, const std::string& reason,
                            int hold_minutes, const CustomerNotices& notices) {
  return session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    auto refused = tx.exec_params(
        "UPDATE payment_proofs SET status = 'refused', last_error = $2 "
        "WHERE id = $1 AND status = 'pending'",
        job.proof_id, reason);
    if (refused.affected_rows() == 0) return Ok();
    PgOrderLedger ledger(tx);
    // Locked first, so that a proof arriving meanwhile is seen (or waits for this one).
    tx.exec_params("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", job.order_id);
    // Another proof the owner may still look at: one pending, or stored since the order last
    // went into review (a second screenshot keeps it there).
    auto others = tx.exec_params(
        "SELECT count(*) AS n FROM payment_proofs p WHERE p.order_id = $1 AND p.id <> $2 "
        "  AND (p.status = 'pending' OR (p.status = 'stored' AND p.created_at >= coalesce(("
        "    SELECT max(e.at) FROM order_events e WHERE e.order_id = $1 "
        "      AND e.to_status = 'payment_review' "
        "      AND e.from_status IS DISTINCT FROM 'payment_review'), '-infinity')))",
        job.order_id, job.proof_id);
    std::optional<orders::OrderView> order;
    if (others[0]["n"].as<int64_t>() == 0) {
      bot::ChangeOrder back{job.order_id,           0, "", orders::OrderAction::kRefuseProof,
                            orders::Actor::kSystem, ""};
      ASSIGN_OR_RETURN(const bot::Outcome outcome,
                       ledger.Apply(job.shop.id, back, "", hold_minutes));
      if (const auto* changed = std::get_if<bot::OrderChanged>(&outcome)) order = changed->order;
    }
    if (!order) {
      ASSIGN_OR_RETURN(order, ledger.FindOrder(job.shop.id, job.order_id));
    }
    if (order && !orders::IsFinal(order->status)) {
      QueueReplies(tx, job.shop.id, notices(*order), "");
    }
    tx.commit();
    return Ok();
  });
}

}  // namespace chatshop::infra
