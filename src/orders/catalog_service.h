#pragma once

#include <string>

#include "common/metrics.h"
#include "orders/ports.h"

namespace chatshop::orders {

// Catalog reads and writes with the cache kept honest (cache-aside). Every change of a catalog
// in the store bumps its shop's catalog_version (infra/pg_stock.h), and a read names the
// version it must see (the shop row's, read before): a cached copy older than that is never
// served, even when dropping it failed or a change came by a path that did not drop it. Writes
// also drop the cached copy, so that the cache does not hold what nobody will read. The cache
// being down slows reads, never fails them. Not thread-safe: one per thread, like its ports.
//
// With a replica (reads that may be stale, [postgres] read_url), a cache miss reads the replica
// first; its copy is used only when it shows at least the version asked for, otherwise (replica
// lag, or the replica unreachable) the store (the primary) is read. Each load is counted by
// where it came from.
class CatalogService {
 public:
  // Where loads on a cache miss came from (metrics); either may be null.
  struct LoadCounters {
    common::Counter* replica = nullptr;
    common::Counter* primary = nullptr;
  };

  CatalogService(CatalogStore& store, CatalogCache& cache) : store_(store), cache_(cache) {}
  CatalogService(CatalogStore& store, CatalogCache& cache, CatalogSnapshots* replica,
                 LoadCounters counters)
      : store_(store), cache_(cache), replica_(replica), counters_(counters) {}

  // The catalog as of `catalog_version` or later: the cached copy when it is at least that
  // new, otherwise the replica's when it is, otherwise the store's (then cached as that
  // version — it was read after the version was, so it shows at least every change up to it).
  [[nodiscard]] Result<Catalog> Get(int64_t shop_id, int64_t catalog_version);
  // The store's catalog, not the cache's (for admins, who have no shop row at hand).
  [[nodiscard]] Result<Catalog> Load(int64_t shop_id) { return store_.LoadCatalog(shop_id); }
  // Changes the store. No cached copy is dropped: the store bumps the shop's catalog_version
  // with the change, and Get never serves a copy older than the version it is asked for.
  [[nodiscard]] Status Replace(int64_t shop_id, const Catalog& catalog) {
    return store_.ReplaceCatalog(shop_id, catalog);
  }
  [[nodiscard]] Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock) {
    return store_.SetStock(shop_id, sku, stock);
  }

 private:
  CatalogStore& store_;
  CatalogCache& cache_;
  CatalogSnapshots* replica_ = nullptr;
  LoadCounters counters_;
};

// JSON (`{"products": [...]}`) for `chatshopctl catalog list --json`, and back;
// kInvalidArgument when the text is not a catalog.
std::string CatalogToJson(const Catalog& catalog);
[[nodiscard]] Result<Catalog> CatalogFromJson(const std::string& text);

// The same with the version, for the cache (`{"version": 7, "products": [...]}`); a copy
// written before versions were kept reads as version -1, older than any shop's.
std::string CachedCatalogToJson(const CachedCatalog& cached);
[[nodiscard]] Result<CachedCatalog> CachedCatalogFromJson(const std::string& text);

}  // namespace chatshop::orders
