#pragma once

#include <functional>
#include <string>
#include <vector>

#include "infra/postgres.h"
#include "orders/ports.h"

namespace chatshop::infra {

// orders::CatalogStore on PostgreSQL (table products; every change bumps
// shops.catalog_version, infra/pg_stock.h), and orders::CatalogSnapshots when `url` is a
// replica's ([postgres] read_url). One per thread.
class PgCatalogStore : public orders::CatalogStore, public orders::CatalogSnapshots {
 public:
  explicit PgCatalogStore(std::string url) : session_(std::move(url)) {}

  // Called during ReplaceCatalog with (products written, products in all), every few hundred.
  void set_progress(std::function<void(size_t, size_t)> progress) {
    progress_ = std::move(progress);
  }

  Result<orders::Catalog> LoadCatalog(int64_t shop_id) override;
  // The products and shops.catalog_version in one REPEATABLE READ snapshot (allowed on a hot
  // standby). kNotFound without the shop.
  Result<orders::CachedCatalog> LoadWithVersion(int64_t shop_id) override;
  Status ReplaceCatalog(int64_t shop_id, const orders::Catalog& catalog) override;
  Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock) override;
  // Adds `delta` (negative: takes away) to one product's stock in one statement, so it cannot
  // race a checkout; the new stock. kNotFound without the product, kFailedPrecondition when
  // the stock would go below zero (nothing changes then).
  Result<int64_t> AdjustStock(int64_t shop_id, const std::string& sku, int64_t delta);
  // Adds (or with `add` false removes) another name customers use for product `sku`; the
  // product's aliases afterwards. kNotFound without the product.
  Result<std::vector<std::string>> ChangeAlias(int64_t shop_id, const std::string& sku,
                                               const std::string& alias, bool add);

 private:
  std::function<void(size_t, size_t)> progress_;
  PgSession session_;
};

}  // namespace chatshop::infra
