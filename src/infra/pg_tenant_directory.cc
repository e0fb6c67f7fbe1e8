#include "infra/pg_tenant_directory.h"

#include <pqxx/pqxx>

namespace chatshop::infra {

PgTenantDirectory::PgTenantDirectory(std::string url,
                                     std::chrono::milliseconds miss_reload_interval)
    : miss_reload_interval_(miss_reload_interval), session_(std::move(url)) {}

Status PgTenantDirectory::Reload() {
  std::lock_guard reload(reload_mutex_);
  return ReloadLocked();
}

Status PgTenantDirectory::ReloadLocked() {
  auto numbers = std::make_shared<std::set<std::string>>();
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT phone_number_id FROM shops WHERE disabled_at IS NULL")) {
      numbers->insert(row["phone_number_id"].as<std::string>());
    }
  });
  std::lock_guard lock(snapshot_mutex_);
  loaded_at_ = std::chrono::steady_clock::now();  // also after a failure: limits retries
  if (status) numbers_ = std::move(numbers);
  return status;
}

bool PgTenantDirectory::IsKnown(const std::string& phone_number_id) {
  std::shared_ptr<const std::set<std::string>> numbers;
  {
    std::lock_guard lock(snapshot_mutex_);
    numbers = numbers_;
  }
  if (numbers && numbers->count(phone_number_id)) return true;
  // One request thread reloads; the others answer from what is loaded instead of queueing up
  // behind the database.
  std::unique_lock reload(reload_mutex_, std::try_to_lock);
  if (reload.owns_lock()) {
    bool stale;
    {
      std::lock_guard lock(snapshot_mutex_);
      stale = std::chrono::steady_clock::now() - loaded_at_ >= miss_reload_interval_;
    }
    if (stale) (void)ReloadLocked();
    std::lock_guard lock(snapshot_mutex_);
    numbers = numbers_;
  }
  // Never loaded (database down since start): let the worker decide.
  return !numbers || numbers->count(phone_number_id) > 0;
}

}  // namespace chatshop::infra
