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

// A replica: its copy of each shop's catalog with the version it shows (maybe behind the
// primary's), and a switch to be unreachable.
class FakeReplica : public CatalogSnapshots {
 public:
  Result<CachedCatalog> LoadWithVersion(int64_t shop_id) override {
    ++loads;
    if (down) return MakeError(ErrorCode::kUnavailable, "replica down");
    auto it = copies.find(shop_id);
    if (it == copies.end()) return MakeError(ErrorCode::kNotFound, "no shop");
    return it->second;
  }
  bool down = false;
  std::map<int64_t, CachedCatalog> copies;
  int loads = 0;
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

// [postgres] read_url (issue 15): a replica's copy serves a cache miss only when it shows at
// least the version the shop row (read from the primary) names.
TEST(CatalogServiceReplicaTest, AReplicaCopyAsNewAsAskedIsUsedAndCounted) {
  FakeStore store;
  FakeCache cache;
  FakeReplica replica;
  common::Counter from_replica, from_primary;
  CatalogService service(store, cache, &replica, {&from_replica, &from_primary});
  store.catalogs[1] = OneProduct(5);
  replica.copies[1] = {OneProduct(5), 6};
  auto got = service.Get(1, 4);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->products[0].stock, 5);
  EXPECT_EQ(store.loads, 0);
  EXPECT_EQ(from_replica.value(), 1u);
  EXPECT_EQ(from_primary.value(), 0u);
  EXPECT_EQ(cache.entries[1].version, 6) << "cached as the version the copy shows";
}

TEST(CatalogServiceReplicaTest, AReplicaBehindTheShopsVersionIsNotUsed) {
  FakeStore store;
  FakeCache cache;
  FakeReplica replica;
  common::Counter from_replica, from_primary;
  CatalogService service(store, cache, &replica, {&from_replica, &from_primary});
  // The primary sold the last unit at version 7; the replica has not replayed it yet.
  store.catalogs[1] = OneProduct(0);
  replica.copies[1] = {OneProduct(1), 6};
  auto got = service.Get(1, 7);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->products[0].stock, 0) << "the lagging copy was served";
  EXPECT_EQ(replica.loads, 1);
  EXPECT_EQ(store.loads, 1);
  EXPECT_EQ(from_replica.value(), 0u);
  EXPECT_EQ(from_primary.value(), 1u);
  EXPECT_EQ(cache.entries[1].version, 7);
  EXPECT_EQ(cache.entries[1].catalog.products[0].stock, 0);

  // Once the replica caught up (and the cache lost its copy), the replica serves again.
  replica.copies[1] = {OneProduct(0), 7};
  cache.entries.clear();
  ASSERT_TRUE(service.Get(1, 7));
  EXPECT_EQ(store.loads, 1);
  EXPECT_EQ(from_replica.value(), 1u);
}

TEST(CatalogServiceReplicaTest, AnUnreachableReplicaFallsBackToThePrimary) {
  FakeStore store;
  FakeCache cache;
  FakeReplica replica;
  replica.down = true;
  common::Counter from_replica, from_primary;
  CatalogService service(store, cache, &replica, {&from_replica, &from_primary});
  store.catalogs[1] = OneProduct(3);
  auto got = service.Get(1, 2);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->products[0].stock, 3);
  EXPECT_EQ(from_primary.value(), 1u);
  EXPECT_EQ(from_replica.value(), 0u);
}

TEST(CatalogServiceReplicaTest, ACacheHitReadsNeitherAndNoReplicaMeansThePrimary) {
  FakeStore store;
  FakeCache cache;
  FakeReplica replica;
  common::Counter from_replica, from_primary;
  CatalogService with(store, cache, &replica, {&from_replica, &from_primary});
  cache.entries[1] = {OneProduct(2), 9};
  ASSERT_TRUE(with.Get(1, 9));
  EXPECT_EQ(replica.loads + store.loads, 0);

  CatalogService without(store, cache, nullptr, {&from_replica, &from_primary});
  store.catalogs[2] = OneProduct(4);
  ASSERT_TRUE(without.Get(2, 1));
  EXPECT_EQ(replica.loads, 0);
  EXPECT_EQ(from_primary.value(), 1u);
}

}  // namespace
}  // namespace chatshop::orders
