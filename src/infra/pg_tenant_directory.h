#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "infra/postgres.h"
#include "webhook/ports.h"

namespace chatshop::infra {

// webhook::TenantDirectory from the shops table, held in memory. A number not in memory makes
// one reload (at most every `miss_reload_interval`), so a shop added a moment ago is found
// without waiting for the periodic reload. Thread-safe.
class PgTenantDirectory : public webhook::TenantDirectory {
 public:
  explicit PgTenantDirectory(std::string url, std::chrono::milliseconds miss_reload_interval =
                                                  std::chrono::milliseconds(500));

  bool IsKnown(const std::string& phone_number_id) override;
  // Reads the shops table now. kUnavailable when the database cannot be reached (the last
  // good list stays in use).
  [[nodiscard]] Status Reload();

 private:
  Status ReloadLocked();  // reload_mutex_ held
  std::chrono::milliseconds miss_reload_interval_;
  std::mutex reload_mutex_;  // one reload at a time; guards session_
  PgSession session_;
  std::mutex snapshot_mutex_;
  std::shared_ptr<const std::set<std::string>> numbers_;  // null until the first good load
  std::chrono::steady_clock::time_point loaded_at_{};
};

}  // namespace chatshop::infra
