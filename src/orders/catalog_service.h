#pragma once

#include <string>

#include "orders/ports.h"

namespace chatshop::orders {

// Catalog reads and writes with the cache kept honest (cache-aside): reads try the cache, fall
// back to the store and fill the cache; every write goes to the store, then drops the cached
// copy, so the next read (the next reply) sees the change. The cache being down slows reads,
// never fails them. Not thread-safe: one per thread, like its ports.
class CatalogService {
 public:
  CatalogService(CatalogStore& store, CatalogCache& cache) : store_(store), cache_(cache) {}

  [[nodiscard]] Result<Catalog> Get(int64_t shop_id);
  // Replaces the catalog. When the store succeeded but the cached copy could not be dropped,
  // returns kUnavailable saying so (the change is stored; the cache expires on its own).
  [[nodiscard]] Status Replace(int64_t shop_id, const Catalog& catalog);
  [[nodiscard]] Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock);
  // Drops the cached copy after the catalog changed in the store by other means (stock taken
  // by a reservation); kUnavailable when the cache could not be reached.
  [[nodiscard]] Status DropCached(int64_t shop_id);

 private:
  CatalogStore& store_;
  CatalogCache& cache_;
};

// JSON for the cache, and back; kInvalidArgument when the text is not a catalog.
std::string CatalogToJson(const Catalog& catalog);
[[nodiscard]] Result<Catalog> CatalogFromJson(const std::string& text);

}  // namespace chatshop::orders
