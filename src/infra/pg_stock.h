#pragma once

// The one way stock and the rest of a catalog change in PostgreSQL (internal to src/infra):
// every writer — the owner's "stock" command (PgOrderLedger::UpdateStock), `chatshopctl stock
// set|adjust` (PgCatalogStore), checkout and the release of a reservation (PgOrderLedger), an
// import and an alias change — goes through these, so each bumps shops.catalog_version in the
// transaction that changes what a catalog shows. A cached catalog older than the version is
// never served (orders::CatalogService::Get), whatever happened to the cache.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace chatshop::infra {

// One product's stock: set to `amount`, or with `relative` add `amount` (negative: take away).
struct StockChange {
  std::string sku;
  int64_t amount = 0;
  bool relative = false;
};

// Applies, in one statement, every change whose product exists and (for a relative change)
// would not go below zero, then bumps the shop's catalog_version when any applied. Each SKU
// at most once in `changes`. The new stock of every SKU changed (a SKU missing from the
// answer was not: no such product, or not enough stock). Throws libpqxx's exceptions.
std::map<std::string, int64_t> ChangeStock(pqxx::transaction_base& tx, int64_t shop_id,
                                           const std::vector<StockChange>& changes);

// Bumps the shop's catalog_version after a change of its catalog other than stock (an import,
// an alias). Throws libpqxx's exceptions.
void BumpCatalogVersion(pqxx::transaction_base& tx, int64_t shop_id);

}  // namespace chatshop::infra
