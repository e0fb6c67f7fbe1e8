#include "infra/postgres.h"

#include <pqxx/pqxx>

namespace chatshop::infra {

struct PgSession::Connection {
  explicit Connection(const std::string& url) : connection(url) {}
  pqxx::connection connection;
};

PgSession::PgSession(std::string url) : url_(std::move(url)) {}
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
    return MakeError(ErrorCode::kInternal, std::string("sql error: ") + e.what());
  } catch (const std::exception& e) {
    if (connection_ && !connection_->connection.is_open()) connection_.reset();
    return MakeError(ErrorCode::kInternal, e.what());
  }
}

}  // namespace chatshop::infra
