// The conversation's catalogs through the catalog service: reads come from the cache once
// filled, a newer catalog version reads past it, and a cache that cannot be reached is no failure.
#include "service/catalog_reader.h"

#include <gtest/gtest.h>

#include <map>

namespace chatshop::service {
namespace {

class StoreInMemory : public orders::CatalogStore {
 public:
  Result<orders::Catalog> LoadCatalog(int64_t shop_id) override {
    ++loads;
    return catalogs[shop_id];
  }
  Status ReplaceCatalog(int64_t shop_id, const orders::Catalog& catalog) override {
    catalogs[shop_id] = catalog;
    return Ok();
  }
  Status SetStock(int64_t, const std::string&, int64_t) override { return Ok(); }
  std::map<int64_t, orders::Catalog> catalogs;
  int loads = 0;
};

class CacheInMemory : public orders::CatalogCache {
 public:
  Result<std::optional<orders::CachedCatalog>> Get(int64_t shop_id) override {
    if (down) return MakeError(ErrorCode::kUnavailable, "down");
    auto it = entries.find(shop_id);
    if (it == entries.end()) return std::optional<orders::CachedCatalog>();
    return std::optional<orders::CachedCatalog>(it->second);
  }
  Status Put(int64_t shop_id, const orders::CachedCatalog& cached) override {
    if (down) return MakeError(ErrorCode::kUnavailable, "down");
    entries[shop_id] = cached;
    return Ok();
  }
  Status Invalidate(int64_t shop_id) override {
    if (down) return MakeError(ErrorCode::kUnavailable, "down");
    entries.erase(shop_id);
    return Ok();
  }
  bool down = false;
  std::map<int64_t, orders::CachedCatalog> entries;
};

TEST(CatalogReaderTest, ANewerCatalogVersionMakesTheNextReadComeFromTheStore) {
  StoreInMemory store;
  CacheInMemory cache;
  orders::CatalogService catalogs(store, cache);
  CatalogReader reader(catalogs);
  store.catalogs[7] = orders::Catalog{
      {orders::Product{"ATTA-5", "Atta 5kg", orders::Money{24000}, 3, "bag", "staples", {"atta"}}}};
  ASSERT_TRUE(reader.CatalogFor(7, 0));
  ASSERT_TRUE(reader.CatalogFor(7, 0));
  EXPECT_EQ(store.loads, 1) << "the second read came from the cache";
  store.catalogs[7].products[0].stock = 2;  // the store's change bumped the shop's version to 1
  EXPECT_EQ(reader.CatalogFor(7, 0)->products.at(0).stock, 3) << "version 0: the cached copy";
  auto read = reader.CatalogFor(7, 1);
  ASSERT_TRUE(read);
  EXPECT_EQ(store.loads, 2);
  EXPECT_EQ(read->products.at(0).stock, 2);
  EXPECT_EQ(reader.CatalogFor(7, 1)->products.at(0).stock, 2);
  EXPECT_EQ(store.loads, 2) << "the copy read at version 1 is cached as version 1";
}

TEST(CatalogReaderTest, ACacheThatCannotBeReachedIsNoFailure) {
  StoreInMemory store;
  CacheInMemory cache;
  cache.down = true;
  orders::CatalogService catalogs(store, cache);
  CatalogReader reader(catalogs);
  EXPECT_TRUE(reader.CatalogFor(7, 0));
}

}  // namespace
}  // namespace chatshop::service
