#include "infra/pg_readiness.h"

#include <pqxx/pqxx>

namespace chatshop::infra {

Status PgReadinessCheck::Check() {
  std::lock_guard lock(mutex_);
  return session_.Run([](pqxx::connection_base& c) { pqxx::nontransaction(c).exec("SELECT 1"); });
}

}  // namespace chatshop::infra
