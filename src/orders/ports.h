#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "orders/catalog.h"

namespace chatshop::orders {

// The durable catalog (PostgreSQL). One instance per thread.
class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  // The shop's products in file order; an empty catalog when none was imported.
  [[nodiscard]] virtual Result<Catalog> LoadCatalog(int64_t shop_id) = 0;
  // Replaces the shop's whole catalog in one transaction.
  [[nodiscard]] virtual Status ReplaceCatalog(int64_t shop_id, const Catalog& catalog) = 0;
  // Sets one product's stock; kNotFound when the shop has no such SKU. Like every change, it
  // bumps the shop's catalog_version (service::ShopRecord::catalog_version).
  [[nodiscard]] virtual Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock) = 0;
};

// A cached copy of a shop's catalog, read from the store after the shop's catalog_version was
// `version`: it shows every change up to that version (maybe later ones too).
struct CachedCatalog {
  Catalog catalog;
  int64_t version = 0;

  bool operator==(const CachedCatalog&) const = default;
};

// Catalog reads that may be stale (a streaming replica, [postgres] read_url): each catalog comes
// with the shop's catalog_version it shows, read in one snapshot, so the reader can tell a copy
// that lags. Not thread-safe: one per thread.
class CatalogSnapshots {
 public:
  virtual ~CatalogSnapshots() = default;
  // The shop's products and its catalog_version as of one moment of this copy; an error when it
  // cannot be read (kNotFound without the shop).
  [[nodiscard]] virtual Result<CachedCatalog> LoadWithVersion(int64_t shop_id) = 0;
};

// A cache of catalogs in front of the store (Redis): may lose anything at any time. One copy
// per shop (the newest put), whatever its version.
// One instance per thread.
class CatalogCache {
 public:
  virtual ~CatalogCache() = default;
  // nullopt on a miss; an error when the cache cannot be reached.
  [[nodiscard]] virtual Result<std::optional<CachedCatalog>> Get(int64_t shop_id) = 0;
  [[nodiscard]] virtual Status Put(int64_t shop_id, const CachedCatalog& cached) = 0;
  [[nodiscard]] virtual Status Invalidate(int64_t shop_id) = 0;
};

}  // namespace chatshop::orders
