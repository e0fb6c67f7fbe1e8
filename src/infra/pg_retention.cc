#include "infra/pg_retention.h"

#include <pqxx/pqxx>

namespace chatshop::infra {

Result<PgRetention::Pruned> PgRetention::Prune(Table table, int days, int batch_rows,
                                               bool dry_run) {
  // Names from this fixed list only, never from input.
  const std::string name = table == Table::kInbox ? "inbox" : "message_status";
  const std::string time = table == Table::kInbox ? "received_at" : "updated_at";
  std::string cutoff;
  Pruned pruned;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    cutoff = tx.exec_params1("SELECT (now() - make_interval(days => $1))::text AS cutoff",
                             days)["cutoff"]
                 .as<std::string>();
    if (dry_run) {
      pruned.rows = tx.exec_params1("SELECT count(*) AS n FROM " + name + " WHERE " + time +
                                        " < $1::timestamptz",
                                    cutoff)["n"]
                        .as<int64_t>();
    }
  }));
  if (dry_run) return pruned;
  while (true) {
    int64_t deleted = 0;
    // The time is checked again on the row deleted: a row updated since the ctid was read (a
    // late status) is a new version, and is kept.
    RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
      pqxx::work tx(c);
      deleted = tx.exec_params("DELETE FROM " + name + " WHERE ctid IN (SELECT ctid FROM " + name +
                                   " WHERE " + time + " < $1::timestamptz LIMIT $2) AND " + time +
                                   " < $1::timestamptz",
                               cutoff, batch_rows)
                    .affected_rows();
      tx.commit();
    }));
    ++pruned.batches;
    pruned.rows += deleted;
    if (deleted < batch_rows) return pruned;
  }
}

}  // namespace chatshop::infra
