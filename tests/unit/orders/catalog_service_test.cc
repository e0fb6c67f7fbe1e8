#include "orders/catalog_service.h"

#include <gtest/gtest.h>

#include <map>

namespace chatshop::orders {
namespace {

// In-memory store and cache with switches to fail, counting the store's reads.
class FakeStore : public CatalogStore {
 public:
  Result<Catalog> LoadCatalog(int64_t shop_id) override {
    ++loads;
    return catalogs[shop_id];
  }
  Status ReplaceCatalog(int64_t shop_id, const Catalog& catalog) override {
    catalogs[shop_id] = catalog;
    return Ok();
  }
  Status SetStock(int64_t shop_id, const std::string& sku, int64_t stock) override {
    for (auto& p : catalogs[shop_id].products) {
      if (p.sku == sku) {
        p.stock = stock;
        return Ok();
      }
    }
    return MakeError(ErrorCode::kNotFound, "no such sku");
  }
  std::map<int64_t, Catalog> catalogs;
  int loads = 0;
};

class FakeCache : public CatalogCache {
 public:
  Result<std::optional<CachedCatalog>> Get(int64_t shop_id) override {
    if (down) return MakeError(ErrorCode::kUnavailable, "down");
    auto it = entries.find(shop_id);
    if (it == entries.end()) return std::optional<CachedCatalog>();
    return std::optional<CachedCatalog>(it->second);
  }
  Status Put(int64_t shop_id, const CachedCatalog& cached) override {
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
  std::map<int64_t, CachedCatalog> entries;
};

Catalog OneProduct(int64_t stock) {
  return Catalog{
      {Product{"MAGGI-70", "Maggi 70g", Money{1400}, stock, "packet", "snacks", {"maggi"}}}};
}

TEST(CatalogServiceTest, SecondReadComesFromTheCache) {
  FakeStore store;
  FakeCache cache;
  CatalogService service(store, cache);
  store.catalogs[1] = OneProduct(5);
  ASSERT_TRUE(service.Get(1, 4));
  ASSERT_TRUE(service.Get(1, 4));
  ASSERT_TRUE(service.Get(1, 3)) << "a copy newer than asked for is good";
  EXPECT_EQ(store.loads, 1);
  EXPECT_EQ(cache.entries[1].version, 4);
}

TEST(CatalogServiceTest, ACopyOlderThanTheShopsVersionIsNeverServed) {
  FakeStore store;
  FakeCache cache;
  CatalogService service(store, cache);
  store.catalogs[1] = OneProduct(5);
  ASSERT_EQ(service.Get(1, 4)->products[0].stock, 5);
  // Changed in the store by a path that dropped nothing (a failed drop, another process).
  store.catalogs[1] = OneProduct(0);
  EXPECT_EQ(service.Get(1, 4)->products[0].stock, 5) << "same version: the cached copy";
  EXPECT_EQ(service.Get(1, 5)->products[0].stock, 0) << "newer version: the store's";
  EXPECT_EQ(store.loads, 2);
  EXPECT_EQ(cache.entries[1].version, 5);
  EXPECT_EQ(service.Load(1)->products[0].stock, 0);
  EXPECT_EQ(store.loads, 3) << "Load reads the store";
}

TEST(CatalogServiceTest, StockChangeIsSeenByTheNextRead) {
  FakeStore store;
  FakeCache cache;
  CatalogService service(store, cache);
  store.catalogs[1] = OneProduct(5);
  ASSERT_EQ(service.Get(1, 1)->products[0].stock, 5);
  ASSERT_TRUE(service.SetStock(1, "MAGGI-70", 0));
  // The real store bumps the shop's catalog_version with the change; readers then ask for it.
  EXPECT_EQ(service.Get(1, 2)->products[0].stock, 0) << "a newer version reads past the copy";
  EXPECT_EQ(service.SetStock(1, "NOPE", 1).error().code, ErrorCode::kNotFound);
}

TEST(CatalogServiceTest, CacheDownSlowsReadsButNeverFailsThem) {
  FakeStore store;
  FakeCache cache;
  cache.down = true;
  CatalogService service(store, cache);
  store.catalogs[1] = OneProduct(5);
  EXPECT_TRUE(service.Get(1, 1));
  EXPECT_TRUE(service.Get(1, 1));
  EXPECT_EQ(store.loads, 2);
  ASSERT_TRUE(service.Replace(1, OneProduct(9))) << "no cached copy needs dropping";
  EXPECT_EQ(store.catalogs[1].products[0].stock, 9);
}

TEST(CatalogServiceTest, JsonRoundTrip) {
  auto back = CatalogFromJson(CatalogToJson(OneProduct(3)));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->products[0].aliases, std::vector<std::string>{"maggi"});
  EXPECT_EQ(back->products[0].price.minor, 1400);
  EXPECT_FALSE(CatalogFromJson("{\"products\":[{\"sku\":1}]}"));
  EXPECT_FALSE(CatalogFromJson("not json"));

  auto cached = CachedCatalogFromJson(CachedCatalogToJson({OneProduct(3), 12}));
  ASSERT_TRUE(cached);
  EXPECT_EQ(*cached, (CachedCatalog{OneProduct(3), 12}));
  auto unversioned = CachedCatalogFromJson(CatalogToJson(OneProduct(3)));
  ASSERT_TRUE(unversioned) << "a copy cached before versions were kept";
  EXPECT_EQ(unversioned->version, -1) << "older than any shop's version: never served";
}

}  // namespace
}  // namespace chatshop::orders
