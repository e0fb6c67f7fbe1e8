#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace pqxx {
class connection_base;  // libpqxx 6: pqxx::connection is a typedef of a connection_base
}

namespace chatshop::infra {

// Ok when PostgreSQL at `url` runs a query (for `chatshopctl config check`).
[[nodiscard]] Status PingPostgres(const std::string& url);

// The Error an exception thrown by libpqxx (or by code run inside a transaction) stands for:
// broken_connection → kUnavailable, serialization_failure/deadlock → kAborted,
// unique_violation → kAlreadyExists, transient SQL states (failover, timeouts, resource limits)
// → kUnavailable, anything else → kInternal. Never quotes the connection string.
[[nodiscard]] Error PgErrorOf(const std::exception_ptr& exception);

// Runs `work` (which returns a Result) and turns anything it throws into PgErrorOf's Error: for
// adapters that run inside a transaction someone else opened (PgOrderLedger), so that no
// exception crosses the port they implement. The transaction is unusable after such an error;
// its owner rolls it back.
template <typename Work>
auto PgGuarded(Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (...) {
    return tl::unexpected(PgErrorOf(std::current_exception()));
  }
}

// One lazily opened PostgreSQL connection that reopens after the server went away. Every call
// into libpqxx goes through Run(), which turns its exceptions into Errors (PgErrorOf).
// Not thread-safe: one per thread.
class PgSession {
 public:
  explicit PgSession(std::string url);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  [[nodiscard]] Status Run(const std::function<void(pqxx::connection_base&)>& work);
  // As Run, for work that can fail by itself: its Error is returned as it is (a transaction it
  // opened and did not commit rolls back).
  [[nodiscard]] Status RunFallible(const std::function<Status(pqxx::connection_base&)>& work);

 private:
  std::string url_;
  bool prefers_standby_;  // target_session_attrs=prefer-standby: re-checked (see RunFallible)
  struct Connection;      // holds a pqxx::connection (whose base has no virtual destructor)
  std::unique_ptr<Connection> connection_;
};

}  // namespace chatshop::infra
