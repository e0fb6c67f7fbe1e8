#include "infra/pg_outbox_store.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "common/logging.h"
#include "infra/credentials.h"

namespace chatshop::infra {

Result<std::vector<service::OutboundJob>> PgOutboxStore::ClaimUnqueued(int limit) {
  std::vector<service::OutboundJob> claimed;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    claimed.clear();
    pqxx::work tx(c);
    // Pending replies, and replies queued so long ago that their job may be lost (it is
    // queued again; a reply is sent once however many jobs it has).
    auto rows = tx.exec_params(
        "UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => $2), "
        "  queued_at = CASE WHEN o.status = 'queued' THEN now() ELSE o.queued_at END "
        "FROM shops s "
        "WHERE s.id = o.shop_id AND o.id IN ("
        "  SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= now()) "
        "     OR (status = 'queued' AND queued_at < now() - make_interval(secs => $3)) "
        "  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING o.id, s.phone_number_id, o.recipient",
        limit, static_cast<int64_t>(lease_.count()), static_cast<int64_t>(requeue_after_.count()));
    tx.commit();
    for (const auto& row : rows) {
      claimed.push_back({row["id"].as<int64_t>(), row["phone_number_id"].as<std::string>(),
                         row["recipient"].as<std::string>()});
    }
  }));
  std::sort(claimed.begin(), claimed.end(),
            [](const auto& a, const auto& b) { return a.outbox_id < b.outbox_id; });
  return claimed;
}

Status PgOutboxStore::MarkQueued(const std::vector<int64_t>& ids) {
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) array += (i ? "," : "") + std::to_string(ids[i]);
  array += "}";
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'queued', queued_at = now() "
        "WHERE id = ANY($1::bigint[]) AND status IN ('pending', 'queued')",
        array);
    tx.commit();
  });
}

Result<std::optional<service::OutboxMessage>> PgOutboxStore::Load(int64_t id) {
  std::optional<service::OutboxMessage> loaded;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    loaded.reset();
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        "SELECT o.id, o.shop_id, s.phone_number_id, s.access_token, o.recipient, "
        "  o.payload::text AS payload, o.attempts, "
        "  coalesce(o.fallback::text, 'null') AS fallback, o.status, "
        // The 24-hour window: open while the recipient's last message is that recent
        // (docs/cloud-api.md §5).
        "  coalesce((SELECT c.last_inbound_at > now() - interval '24 hours' FROM conversations c "
        "            WHERE c.shop_id = o.shop_id AND c.customer = o.recipient), false) "
        "    AS window_open, "
        "  EXISTS (SELECT 1 FROM outbox e WHERE e.shop_id = o.shop_id "
        "          AND e.recipient = o.recipient AND e.id < o.id "
        "          AND e.status IN ('pending', 'queued')) AS earlier_unsent, "
        "  s.credentials_ok, coalesce(s.messages_per_second, 0) AS messages_per_second, "
        "  (extract(epoch FROM now() - o.created_at) * 1000)::bigint AS age_ms, "
        "  o.notice_order IS NOT NULL AS is_notice, coalesce(o.caused_by, '') AS caused_by, "
        "  o.caused_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox e "
        "    WHERE e.caused_by = o.caused_by AND e.id < o.id) AS first_answer "
        "FROM outbox o JOIN shops s ON s.id = o.shop_id WHERE o.id = $1",
        id);
    if (rows.empty()) return;
    const auto& row = rows[0];
    service::OutboxMessage m;
    m.id = row["id"].as<int64_t>();
    m.shop_id = row["shop_id"].as<int64_t>();
    m.phone_number_id = row["phone_number_id"].as<std::string>();
    m.token_at_rest = row["access_token"].as<std::string>();
    if (auto token = RevealToken(m.token_at_rest, m.phone_number_id)) {
      m.access_token = *token;
    } else {
      // Not sendable until the master key is right: held like a refused token, and said why.
      m.credentials_ok = false;
      common::GetLogger("sender")->critical("shop {}: {}", m.phone_number_id,
                                            token.error().message);
    }
    m.recipient = row["recipient"].as<std::string>();
    m.payload = nlohmann::json::parse(row["payload"].as<std::string>(), nullptr, false);
    m.attempts = row["attempts"].as<int>();
    m.fallback = nlohmann::json::parse(row["fallback"].as<std::string>(), nullptr, false);
    m.window_open = row["window_open"].as<bool>();
    m.status = row["status"].as<std::string>();
    m.earlier_unsent = row["earlier_unsent"].as<bool>();
    m.credentials_ok = m.credentials_ok && row["credentials_ok"].as<bool>();
    m.messages_per_second = row["messages_per_second"].as<int>();
    m.age_ms = row["age_ms"].as<int64_t>();
    m.is_notice = row["is_notice"].as<bool>();
    m.caused_by = row["caused_by"].as<std::string>();
    m.first_answer = row["first_answer"].as<bool>();
    loaded = std::move(m);
  }));
  return loaded;
}

Status PgOutboxStore::MarkSent(int64_t id, const std::string& wamid) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'sent', wamid = $2, sent_at = now(), last_error = NULL "
        "WHERE id = $1",
        id, wamid);
    tx.commit();
  });
}

Status PgOutboxStore::MarkAttempt(int64_t id, int attempts, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET attempts = $2, last_error = $3 WHERE id = $1 AND status = 'queued'", id,
        attempts, error);
    tx.commit();
  });
}

Status PgOutboxStore::MarkDead(int64_t id, int64_t code, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, error_code = nullif($2, 0), "
        "  last_error = $3 WHERE id = $1 AND status IN ('pending', 'queued')",
        id, code, error);
    tx.commit();
  });
}

Result<bool> PgOutboxStore::Revive(int64_t id) {
  bool revived = false;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    // Pending again: the relay puts it on the queues like a new reply.
    auto rows = tx.exec_params(
        "UPDATE outbox SET status = 'pending', next_attempt_at = now(), attempts = 0, "
        "  error_code = NULL, last_error = NULL WHERE id = $1 AND status = 'dead'",
        id);
    tx.commit();
    revived = rows.affected_rows() > 0;
  }));
  return revived;
}

Status PgOutboxStore::HoldShop(int64_t shop_id, const std::string& refused_token,
                               const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE shops SET credentials_ok = false, credentials_error = $2 "
        "WHERE id = $1 AND access_token = $3",
        shop_id, error, refused_token);
    tx.commit();
  });
}

}  // namespace chatshop::infra
