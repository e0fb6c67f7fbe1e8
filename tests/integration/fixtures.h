// What the integration tests set up alike: the demo shop in a fresh schema, the worker's
// templates, and the catalog sources they give the inbound processor — the worker's own
// (PostgreSQL behind Redis, read at the shop row's catalog_version) and one without a cache.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "common/templates.h"
#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_cache.h"
#include "orders/catalog_service.h"
#include "service/inbound_processor.h"
#include "service/ports/catalog_source.h"

namespace chatshop::testing {

inline constexpr const char* kFixtureShop = "106540352242922";
inline constexpr const char* kFixtureOwner = "919800000001";

// Migrates `url` and adds Sharma Kirana (kFixtureShop) with its owner (kFixtureOwner) and, when
// `upi`, the UPI id sharmakirana@okaxis; `shop_id` gets its id. Call it inside
// ASSERT_NO_FATAL_FAILURE.
inline void AddFixtureShop(const std::string& url, int64_t& shop_id, bool upi = true,
                           bool cod = false) {
  ASSERT_TRUE(infra::Migrator(url).Migrate());
  infra::PgShopDirectory shops(url);
  auto shop = shops.UpsertShop(kFixtureShop, "Sharma Kirana", "tok");
  ASSERT_TRUE(shop);
  shop_id = shop->id;
  ASSERT_TRUE(shops.AddOwner(shop_id, {kFixtureOwner, "Mr Sharma", "en"}));
  if (!upi && !cod) return;
  infra::ShopSettingsChange payment;
  if (upi) payment.upi_vpa = std::optional<std::string>("sharmakirana@okaxis");
  if (cod) payment.cod_allowed = true;
  ASSERT_TRUE(shops.ChangeSettings(kFixtureShop, payment));
}

// The shop's catalog from tests/fixtures/catalogs/kirana_catalog.csv.
inline void ImportKiranaCatalog(const std::string& url, int64_t shop_id) {
  auto catalog = orders::ReadCatalogCsvFile(std::string(CHATSHOP_FIXTURES_DIR) +
                                            "/catalogs/kirana_catalog.csv");
  ASSERT_TRUE(catalog.errors.empty());
  ASSERT_TRUE(infra::PgCatalogStore(url).ReplaceCatalog(shop_id, catalog.catalog));
}

// The templates chatshop-worker loads.
inline void LoadWorkerTemplates(std::unique_ptr<common::TemplateSet>& templates) {
  auto loaded =
      common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, service::WorkerTemplateNames());
  ASSERT_TRUE(loaded);
  templates = std::make_unique<common::TemplateSet>(std::move(*loaded));
}

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
