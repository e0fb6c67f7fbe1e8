#include "infra/postgres.h"

#include <pqxx/pqxx>

namespace chatshop::infra {

struct PgSession::Connection {
  explicit Connection(const std::string& url) : connection(url) {}
  pqxx::connection connection;
};

PgSession::PgSession(std::string url) : url_(std::move(url)) {
  // libpq waits for an unreachable host for minutes by default; nothing here may wait that long.
  if (url_.find("connect_timeout") == std::string::npos) {
    url_ += (url_.find('?') == std::string::npos ? "?" : "&") + std::string("connect_timeout=5");
  }
}
PgSession::~PgSession() = default;

Status PgSession::Run(const std::function<void(pqxx::connection_base&)>& work) {
  try {
    if (!connection_ || !connection_->connection.is_open()) {
      connection_.reset();
      connection_ = std::make_unique<Connection>(url_);
      pqxx::nontransaction(connection_->connection).exec("SET TIME ZONE 'UTC'");
    }
    work(connection_->connection);
    return Ok();
  } catch (const pqxx::broken_connection&) {
    connection_.reset();  // reopened on the next call
    // libpq's message may quote the connection string; say only what happened.
    return MakeError(ErrorCode::kUnavailable, "postgres unreachable");
  } catch (const pqxx::serialization_failure& e) {
    return MakeError(ErrorCode::kAborted, e.what());
  } catch (const pqxx::deadlock_detected& e) {
    return MakeError(ErrorCode::kAborted, e.what());
  } catch (const pqxx::unique_violation& e) {
    return MakeError(ErrorCode::kAlreadyExists, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    connection_.reset();
    return MakeError(ErrorCode::kUnavailable, std::string("commit in doubt: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    // Failover, timeouts and resource limits pass: retry. Data errors never will.
    const std::string state = e.sqlstate();
    const std::string klass = state.substr(0, 2);
    const bool transient = klass == "08" || klass == "40" || klass == "53" || klass == "57" ||
                           state == "25006" || state == "55P03";
    if (transient && (klass == "08" || klass == "57")) connection_.reset();
    return MakeError(transient ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                     std::string("sql error ") + state + ": " + e.what());
  } catch (const std::exception& e) {
    if (connection_ && !connection_->connection.is_open()) connection_.reset();
    return MakeError(ErrorCode::kInternal, e.what());
  }
}

Status PingPostgres(const std::string& url) {
  return PgSession(url).Run(
      [](pqxx::connection_base& c) { pqxx::nontransaction(c).exec("SELECT 1"); });
}

}  // namespace chatshop::infra
