// The catalog sources the integration tests give the inbound processor: the worker's own
// (PostgreSQL behind Redis, read at the shop row's catalog_version) and one without a cache.
#pragma once

#include <string>

#include "infra/pg_catalog_store.h"
#include "infra/redis_cache.h"
#include "orders/catalog_service.h"
#include "service/ports/catalog_source.h"

namespace chatshop::testing {

// As chatshop-worker has it: whatever a read sees fresh, it sees because of the version.
class CachedCatalogs : public service::CatalogSource {
 public:
  CachedCatalogs(const std::string& pg_url, infra::RedisSettings redis)
      : store_(pg_url), cache_(std::move(redis)) {}
  Result<orders::Catalog> CatalogFor(int64_t shop_id, int64_t catalog_version) override {
    return service_.Get(shop_id, catalog_version);
  }
  infra::RedisCatalogCache& cache() { return cache_; }

 private:
  infra::PgCatalogStore store_;
  infra::RedisCatalogCache cache_;
  orders::CatalogService service_{store_, cache_};
};

// The catalog straight from PostgreSQL: no cache to keep honest.
class DirectCatalog : public service::CatalogSource {
 public:
  explicit DirectCatalog(const std::string& url) : store_(url) {}
  Result<orders::Catalog> CatalogFor(int64_t shop_id, int64_t) override {
    return store_.LoadCatalog(shop_id);
  }

 private:
  infra::PgCatalogStore store_;
};

}  // namespace chatshop::testing
