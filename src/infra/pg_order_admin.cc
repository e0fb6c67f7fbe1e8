#include "infra/pg_order_admin.h"

#include <pqxx/pqxx>

#include "infra/pg_orders.h"
#include "infra/pg_rows.h"

namespace chatshop::infra {

Result<std::vector<OrderSummary>> PgOrderAdmin::List(int64_t shop_id, const std::string& status,
                                                     const std::string& since, int limit) {
  std::vector<OrderSummary> orders;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    orders.clear();
    pqxx::read_transaction tx(c);
    for (const auto& row :
         tx.exec_params("SELECT number, status, customer, total_minor, "
                        "  coalesce(payment_method, '') AS payment_method, " +
                            IsoUtc("created_at") + " AS created_at, " + IsoUtc("updated_at") +
                            " AS updated_at "
                            "FROM orders WHERE shop_id = $1 AND ($2 = '' OR status = $2) "
                            "  AND ($3 = '' OR created_at >= $3::timestamptz) "
                            "ORDER BY created_at DESC, number DESC LIMIT $4",
                        shop_id, status, since, limit)) {
      orders.push_back({row["number"].as<int64_t>(), row["status"].as<std::string>(),
                        row["customer"].as<std::string>(), row["total_minor"].as<int64_t>(),
                        row["payment_method"].as<std::string>(),
                        row["created_at"].as<std::string>(), row["updated_at"].as<std::string>()});
    }
  }));
  return orders;
}

Result<nlohmann::json> PgOrderAdmin::Show(int64_t shop_id, int64_t number) {
  std::optional<nlohmann::json> order;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    order.reset();
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        "SELECT json_build_object('number', number, 'status', status, 'customer', customer, "
        "  'lines', lines, 'subtotal_minor', subtotal_minor, 'delivery_minor', delivery_minor, "
        "  'total_minor', total_minor, 'payment_method', payment_method, 'reason', reason, "
        "  'created_at', created_at, 'expires_at', expires_at, "
        "  'events', (SELECT coalesce(json_agg(json_build_object('from', from_status, "
        "     'to', to_status, 'actor', actor, 'reason', reason, 'at', at) ORDER BY id), '[]') "
        "     FROM order_events WHERE order_id = o.id), "
        "  'payment_proofs', (SELECT coalesce(json_agg(json_build_object('status', status, "
        "     'path', path, 'sha256', sha256, 'mime_type', mime_type) ORDER BY id), '[]') "
        "     FROM payment_proofs WHERE order_id = o.id))::text AS detail "
        "FROM orders o WHERE shop_id = $1 AND number = $2",
        shop_id, number);
    if (!rows.empty()) order = nlohmann::json::parse(rows[0]["detail"].as<std::string>());
  }));
  if (!order)
    return MakeError(ErrorCode::kNotFound, "the shop has no order #" + std::to_string(number));
  return *order;
}

Result<bot::Outcome> PgOrderAdmin::Change(int64_t shop_id, const bot::ChangeOrder& change,
                                          int hold_minutes, const Notices& notices) {
  std::optional<bot::Outcome> outcome;
  RETURN_IF_ERROR(session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    outcome.reset();
    pqxx::work tx(c);
    PgOrderLedger ledger(tx);
    // An error returns before the commit: the change rolls back.
    ASSIGN_OR_RETURN(outcome, ledger.Apply(shop_id, change, "admin", hold_minutes));
    QueueReplies(tx, shop_id, notices(*outcome), "");
    tx.commit();
    return Ok();
  }));
  return *outcome;
}

}  // namespace chatshop::infra
