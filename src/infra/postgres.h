#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace pqxx {
class connection_base;  // libpqxx 6: pqxx::connection is a typedef of a connection_base
}

namespace chatshop::infra {

// One lazily opened PostgreSQL connection that reopens after the server went away. Every call
// into libpqxx goes through Run(), which turns its exceptions into Errors:
// broken_connection → kUnavailable, serialization_failure/deadlock → kAborted,
// unique_violation → kAlreadyExists, anything else → kInternal.
// Not thread-safe: one per thread.
// Ok when PostgreSQL at `url` runs a query (for `chatshopctl config check`).
[[nodiscard]] Status PingPostgres(const std::string& url);

class PgSession {
 public:
  explicit PgSession(std::string url);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  [[nodiscard]] Status Run(const std::function<void(pqxx::connection_base&)>& work);

 private:
  std::string url_;
  struct Connection;  // holds a pqxx::connection (whose base has no virtual destructor)
  std::unique_ptr<Connection> connection_;
};

}  // namespace chatshop::infra
