#include "infra/postgres.h"

#include <chrono>
#include <pqxx/pqxx>

namespace chatshop::infra {
namespace {

// What an exception means, and whether the connection it came from is worth keeping.
struct PgFailure {
  Error error;
  bool connection_lost = false;
};

PgFailure Classify(const std::exception_ptr& exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const pqxx::broken_connection&) {
    // libpq's message may quote the connection string; say only what happened.
    return {{ErrorCode::kUnavailable, "postgres unreachable"}, true};
  } catch (const pqxx::serialization_failure& e) {
    return {{ErrorCode::kAborted, e.what()}};
  } catch (const pqxx::deadlock_detected& e) {
    return {{ErrorCode::kAborted, e.what()}};
  } catch (const pqxx::unique_violation& e) {
    return {{ErrorCode::kAlreadyExists, e.what()}};
  } catch (const pqxx::in_doubt_error& e) {
    return {{ErrorCode::kUnavailable, std::string("commit in doubt: ") + e.what()}, true};
  } catch (const pqxx::sql_error& e) {
    // Failover, timeouts and resource limits pass: retry. Data errors never will.
    const std::string state = e.sqlstate();
    const std::string klass = state.substr(0, 2);
    const bool transient = klass == "08" || klass == "40" || klass == "53" || klass == "57" ||
                           state == "25006" || state == "55P03";
    return {{transient ? ErrorCode::kUnavailable : ErrorCode::kInternal,
             std::string("sql error ") + state + ": " + e.what()},
            transient && (klass == "08" || klass == "57")};
  } catch (const std::exception& e) {
    return {{ErrorCode::kInternal, e.what()}};
  } catch (...) {
    return {{ErrorCode::kInternal, "unknown exception"}};
  }
}

}  // namespace

Error PgErrorOf(const std::exception_ptr& exception) { return Classify(exception).error; }

struct PgSession::Connection {
  explicit Connection(const std::string& url) : connection(url) {}
  pqxx::connection connection;
  std::chrono::steady_clock::time_point role_checked_at = std::chrono::steady_clock::now();
};

namespace {
// How often a session that prefers a standby asks whether its server still is one.
constexpr auto kStandbyRecheck = std::chrono::seconds(5);
}  // namespace

PgSession::PgSession(std::string url)
    : url_(std::move(url)),
      prefers_standby_(url_.find("target_session_attrs=prefer-standby") != std::string::npos) {
  // libpq waits for an unreachable host for minutes by default; nothing here may wait that long.
  if (url_.find("connect_timeout") == std::string::npos) {
    url_ += (url_.find('?') == std::string::npos ? "?" : "&") + std::string("connect_timeout=5");
  }
}
PgSession::~PgSession() = default;

Status PgSession::Run(const std::function<void(pqxx::connection_base&)>& work) {
  return RunFallible([&](pqxx::connection_base& c) {
    work(c);
    return Ok();
  });
}

Status PgSession::RunFallible(const std::function<Status(pqxx::connection_base&)>& work) {
  try {
    // libpq picks a standby only when it connects: a standby promoted by a failover, or the
    // primary taken while no standby was up, would carry the stale-tolerant reads for good.
    // Every few seconds such a session checks and, on a primary, connects again.
    if (prefers_standby_ && connection_ && connection_->connection.is_open() &&
        std::chrono::steady_clock::now() - connection_->role_checked_at > kStandbyRecheck) {
      connection_->role_checked_at = std::chrono::steady_clock::now();
      const bool standby = pqxx::nontransaction(connection_->connection)
                               .exec("SELECT pg_is_in_recovery()")[0][0]
                               .as<bool>();
      if (!standby) connection_.reset();
    }
    if (!connection_ || !connection_->connection.is_open()) {
      connection_.reset();
      connection_ = std::make_unique<Connection>(url_);
      pqxx::nontransaction(connection_->connection).exec("SET TIME ZONE 'UTC'");
    }
    Status done = work(connection_->connection);
    // Work that caught libpqxx's exception itself (PgGuarded) returns kUnavailable for a lost
    // connection or a commit in doubt: start the next call on a fresh connection, as a thrown
    // connection failure does below.
    if (!done &&
        (done.error().code == ErrorCode::kUnavailable || !connection_->connection.is_open())) {
      connection_.reset();
    }
    return done;
  } catch (...) {
    PgFailure failure = Classify(std::current_exception());
    // Reopened on the next call.
    if (failure.connection_lost || (connection_ && !connection_->connection.is_open())) {
      connection_.reset();
    }
    return tl::unexpected(std::move(failure.error));
  }
}

Status PingPostgres(const std::string& url) {
  return PgSession(url).Run(
      [](pqxx::connection_base& c) { pqxx::nontransaction(c).exec("SELECT 1"); });
}

}  // namespace chatshop::infra
