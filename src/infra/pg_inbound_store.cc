#include "infra/pg_inbound_store.h"

#include <cstdlib>
#include <map>
#include <pqxx/pqxx>

#include "infra/pg_orders.h"
#include "infra/pg_rows.h"

namespace chatshop::infra {

Result<service::ShopRecord> PgInboundStore::FindShopByPhoneNumberId(
    const std::string& phone_number_id) {
  std::optional<service::ShopRecord> shop;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    shop = LoadShopByNumber(tx, phone_number_id);
  }));
  if (!shop) return MakeError(ErrorCode::kNotFound, "no shop has this phone_number_id");
  return *shop;
}

Result<bool> PgInboundStore::Handle(const whatsapp::InboundEvent& event,
                                    const service::ShopRecord& shop,
                                    const service::InboundStore::Decide& decide) {
  bool recorded = false;
  RETURN_IF_ERROR(session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    recorded = false;
    pqxx::work tx(c);
    auto inserted = tx.exec_params(
        "INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, event) "
        "VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint > 0 THEN to_timestamp($5::bigint) "
        "ELSE now() END, $6::jsonb) ON CONFLICT (wamid) DO NOTHING",
        event.id, shop.id, event.customer, event.type, event.timestamp, event.ToJson().dump());
    if (inserted.affected_rows() == 0) return Ok();  // seen before: roll back, change nothing
    // The sender's conversation, locked: an owner's command and this customer's message may
    // touch the same order, and the order's row lock settles that; this one keeps two copies
    // of a worker from interleaving one customer's messages.
    auto stored = tx.exec_params(
        "SELECT state::text AS state FROM conversations "
        "WHERE shop_id = $1 AND customer = $2 FOR UPDATE",
        shop.id, event.customer);
    // An opaque document: the inbound service reads it ("" when nothing is stored yet).
    const std::string state = stored.empty() ? std::string() : stored[0]["state"].as<std::string>();
    PgOrderLedger ledger(tx);
    // An error from `decide` returns before the commit: everything rolls back.
    ASSIGN_OR_RETURN(const service::Decision decision, decide(ledger, state));
    tx.exec_params(
        "INSERT INTO conversations (shop_id, customer, state, last_inbound_at) "
        "VALUES ($1, $2, coalesce($3::jsonb, '{}'::jsonb), now()) "
        "ON CONFLICT (shop_id, customer) DO UPDATE SET "
        "  state = coalesce($3::jsonb, conversations.state), version = conversations.version + 1, "
        "  updated_at = now(), last_inbound_at = now()",
        shop.id, event.customer, decision.state);
    if (decision.rate_limited) {
      tx.exec_params("UPDATE inbox SET rate_limited = true WHERE wamid = $1", event.id);
    }
    QueueReplies(tx, shop.id, decision.replies, event.id);
    tx.commit();
    recorded = true;
    return Ok();
  }));
  return recorded;
}

Result<bool> PgInboundStore::RecordStatus(const whatsapp::InboundEvent& status,
                                          const service::ShopRecord& shop,
                                          const FailureReport& report) {
  // Statuses move forward only (docs/cloud-api.md §4: webhooks arrive out of order and more than
  // once).
  static const std::map<std::string, int> kRank = {
      {"sent", 1}, {"delivered", 2}, {"read", 3}, {"played", 4}, {"failed", 5}};
  auto rank = kRank.find(status.type);
  if (rank == kRank.end()) return false;  // a status this code does not know: nothing to keep
  std::optional<int64_t> error_code;
  std::string error_title;
  if (status.data.is_object() && status.data.contains("errors") &&
      status.data["errors"].is_array() && !status.data["errors"].empty() &&
      status.data["errors"][0].is_object()) {
    const auto& error = status.data["errors"][0];
    if (error.contains("code") && error["code"].is_number_integer())
      error_code = error["code"].get<int64_t>();
    if (error.contains("title") && error["title"].is_string())
      error_title = error["title"].get<std::string>();
  }
  // A send whose answer was lost (a timeout after the request went out): Meta's status, which
  // echoes our biz_opaque_callback_data, says it was accepted — it must not be sent again.
  const std::string callback = status.data.is_object() &&
                                       status.data.contains("biz_opaque_callback_data") &&
                                       status.data["biz_opaque_callback_data"].is_string()
                                   ? status.data["biz_opaque_callback_data"].get<std::string>()
                                   : "";
  const int64_t outbox_id =
      callback.rfind("outbox-", 0) == 0 ? std::atoll(callback.c_str() + 7) : 0;
  bool changed = false;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    changed = false;
    pqxx::work tx(c);
    auto updated = tx.exec_params(
        "INSERT INTO message_status (wamid, shop_id, recipient, status, rank, status_at, "
        "  error_code, error_title) "
        "VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) "
        "  ELSE now() END, $7, nullif($8, '')) "
        "ON CONFLICT (wamid) DO UPDATE SET status = EXCLUDED.status, rank = EXCLUDED.rank, "
        "  status_at = EXCLUDED.status_at, error_code = EXCLUDED.error_code, "
        "  error_title = EXCLUDED.error_title, updated_at = now() "
        "WHERE message_status.rank < EXCLUDED.rank",
        status.id, shop.id, status.customer, status.type, rank->second, status.timestamp,
        error_code, error_title);
    if (updated.affected_rows() == 0) return;
    changed = true;
    if (outbox_id != 0 && status.type != "failed") {
      tx.exec_params(
          "UPDATE outbox SET status = 'sent', wamid = $3, sent_at = now() "
          "WHERE id = $1 AND shop_id = $2 AND status IN ('pending', 'queued')",
          outbox_id, shop.id, status.id);
    }
    if (status.type == "failed") {
      // An order notice the customer never got: the owners should know.
      // By wamid, or — for a reply Meta never accepted, which the sender reports itself — by
      // the outbox id its callback data names.
      auto notice = tx.exec_params(
          "SELECT notice_order FROM outbox WHERE (wamid = $1 OR id = $3) AND shop_id = $2 "
          "AND notice_order IS NOT NULL LIMIT 1",
          status.id, shop.id, outbox_id);
      if (!notice.empty()) {
        std::string reason = error_title.empty() ? "no reason given" : error_title;
        if (error_code) reason += " (" + std::to_string(*error_code) + ")";
        QueueReplies(tx, shop.id,
                     report(notice[0]["notice_order"].as<int64_t>(), status.customer, reason), "");
      }
    }
    tx.commit();
  }));
  return changed;
}

}  // namespace chatshop::infra
