#include "infra/migrations.h"

#include <map>
#include <pqxx/pqxx>

#include "infra/postgres.h"

namespace chatshop::infra {
namespace {

// Any constant shared by every chatshop process; serialises concurrent migrators.
constexpr int64_t kMigrationLockKey = 0x63686174736870;  // "chatshp"

void EnsureSchemaTable(pqxx::connection_base& c) {
  pqxx::work tx(c);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  version integer PRIMARY KEY,"
      "  name text NOT NULL,"
      "  applied_at timestamptz NOT NULL DEFAULT now())");
  tx.commit();
}

}  // namespace

Result<std::vector<int>> Migrator::Migrate() {
  PgSession session(url_);
  std::vector<int> applied;
  std::string failed;
  auto status = session.Run([&](pqxx::connection_base& c) {
    EnsureSchemaTable(c);
    for (const Migration& m : EmbeddedMigrations()) {
      failed = std::to_string(m.version) + "_" + m.name;
      pqxx::work tx(c);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
      auto done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
      if (!done.empty()) continue;  // the transaction rolls back: nothing to do
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     m.name);
      tx.commit();
      applied.push_back(m.version);
    }
    failed.clear();
  });
  if (!status) {
    if (!failed.empty() && status.error().code != ErrorCode::kUnavailable) {
      return MakeError(ErrorCode::kInternal,
                       "migration " + failed + " failed: " + status.error().message);
    }
    return tl::unexpected(status.error());
  }
  return applied;
}

Result<std::vector<MigrationState>> Migrator::Status() {
  PgSession session(url_);
  std::map<int, std::string> recorded_at;
  std::map<int, std::string> recorded_name;
  RETURN_IF_ERROR(session.Run([&](pqxx::connection_base& c) {
    EnsureSchemaTable(c);
    pqxx::read_transaction tx(c);
    auto rows = tx.exec(
        "SELECT version, name, to_char(applied_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS applied_at FROM schema_migrations ORDER BY version");
    for (const auto& row : rows) {
      recorded_at[row["version"].as<int>()] = row["applied_at"].as<std::string>();
      recorded_name[row["version"].as<int>()] = row["name"].as<std::string>();
    }
  }));

  std::vector<MigrationState> states;
  for (const Migration& m : EmbeddedMigrations()) {
    MigrationState state{m.version, m.name, std::nullopt};
    if (auto it = recorded_at.find(m.version); it != recorded_at.end()) {
      state.applied_at = it->second;
      recorded_at.erase(it);
    }
    states.push_back(std::move(state));
  }
  for (const auto& [version, at] : recorded_at) {
    states.push_back({version, recorded_name[version] + " (unknown to this binary)", at});
  }
  return states;
}

}  // namespace chatshop::infra
