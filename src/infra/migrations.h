#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace chatshop::infra {

// One versioned schema change, from src/infra/migrations/NNNN_name.sql.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The migrations compiled into this binary, in version order.
const std::vector<Migration>& EmbeddedMigrations();

struct MigrationState {
  int version;
  std::string name;
  std::optional<std::string> applied_at;  // UTC, ISO 8601; nullopt when pending
};

// Applies and lists migrations on one PostgreSQL database. Each migration runs in its own
// transaction together with its row in schema_migrations, under an advisory lock so that two
// programs migrating at once apply each migration once.
class Migrator {
 public:
  explicit Migrator(std::string postgres_url) : url_(std::move(postgres_url)) {}

  // Applies every embedded migration not yet recorded; returns the versions it applied.
  // kUnavailable when the database cannot be reached; kInternal (naming the migration) when a
  // migration fails, in which case that migration changed nothing.
  [[nodiscard]] Result<std::vector<int>> Migrate();

  // Every embedded migration with when it was applied, plus any recorded version this binary
  // does not know (a newer schema), listed with an empty name.
  [[nodiscard]] Result<std::vector<MigrationState>> Status();

 private:
  std::string url_;
};

}  // namespace chatshop::infra
