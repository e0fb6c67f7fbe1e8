#include "infra/pg_stock.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace chatshop::infra {

std::map<std::string, int64_t> ChangeStock(pqxx::transaction_base& tx, int64_t shop_id,
                                           const std::vector<StockChange>& changes) {
  std::map<std::string, int64_t> changed;
  if (changes.empty()) return changed;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : changes) {
    rows.push_back({{"sku", c.sku}, {"amount", c.amount}, {"relative", c.relative}});
  }
  // JSON rather than arrays: a SKU may hold any character, and json_to_recordset needs no
  // escaping of its own.
  for (const auto& row : tx.exec_params(
           "UPDATE products p SET stock = CASE WHEN c.relative THEN p.stock + c.amount "
           "  ELSE c.amount END, updated_at = now() "
           "FROM json_to_recordset($2::json) AS c(sku text, amount bigint, relative boolean) "
           "WHERE p.shop_id = $1 AND p.sku = c.sku "
           "  AND (NOT c.relative OR p.stock + c.amount >= 0) "
           "RETURNING p.sku, p.stock",
           shop_id, rows.dump())) {
    changed[row["sku"].as<std::string>()] = row["stock"].as<int64_t>();
  }
  if (!changed.empty()) BumpCatalogVersion(tx, shop_id);
  return changed;
}

void BumpCatalogVersion(pqxx::transaction_base& tx, int64_t shop_id) {
  tx.exec_params("UPDATE shops SET catalog_version = catalog_version + 1 WHERE id = $1", shop_id);
}

}  // namespace chatshop::infra
