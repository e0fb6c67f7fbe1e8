#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "infra/postgres.h"

namespace chatshop::infra {

// Deletes what is kept no longer: inbox rows by received_at, message_status rows by updated_at.
// Each batch is one short DELETE of at most `batch_rows` rows (picked by ctid with LIMIT) in its
// own transaction, so no lock is held for long and the worker's transactions go on in between.
// Not thread-safe (one PgSession).
class PgRetention {
 public:
  enum class Table { kInbox, kMessageStatus };
  struct Pruned {
    int64_t rows = 0;     // deleted (with dry_run: that would be)
    int64_t batches = 0;  // DELETE statements run (0 with dry_run)
  };

  explicit PgRetention(std::string url) : session_(std::move(url)) {}

  // Deletes the rows of `table` older than `days` days, all of them, `batch_rows` at a time;
  // with `dry_run` only counts them. The cut-off is fixed at the start, so rows that age during
  // the run wait for the next one.
  [[nodiscard]] Result<Pruned> Prune(Table table, int days, int batch_rows, bool dry_run);

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
