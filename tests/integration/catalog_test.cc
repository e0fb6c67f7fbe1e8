#include <gtest/gtest.h>

#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_cache.h"
#include "orders/catalog_service.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

class CatalogIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Migrator(schema_.url()).Migrate());
    auto shop = PgShopDirectory(schema_.url()).UpsertShop("106540352242922", "Sharma Kirana", "t");
    ASSERT_TRUE(shop);
    shop_id_ = shop->id;
  }

  orders::Catalog Sample() {
    orders::Catalog c;
    c.products.push_back({"ATTA-5",
                          "Aashirvaad Atta 5kg",
                          orders::Money{28900},
                          40,
                          "pack",
                          "staples",
                          {"atta", "aata"}});
    c.products.push_back(
        {"MAGGI-70", "Maggi 70g", orders::Money{1400}, 200, "packet", "snacks", {}});
    return c;
  }

  testing::TestSchema schema_;
  int64_t shop_id_ = 0;
  RedisSettings redis_{{testing::StackConfig().redis.url, {}, {}}, testing::UniqueName("test"), 60};
};

TEST_F(CatalogIntegrationTest, ReplaceThenLoadKeepsOrderAliasesAndMoney) {
  PgCatalogStore store(schema_.url());
  ASSERT_TRUE(store.ReplaceCatalog(shop_id_, Sample()));
  auto loaded = store.LoadCatalog(shop_id_);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_EQ(loaded->products.size(), 2u);
  EXPECT_EQ(loaded->products[0].sku, "ATTA-5");
  EXPECT_EQ(loaded->products[0].aliases, (std::vector<std::string>{"atta", "aata"}));
  EXPECT_EQ(loaded->products[0].price.minor, 28900);
  EXPECT_TRUE(loaded->products[1].aliases.empty());
  EXPECT_EQ(schema_.QueryValue("SELECT catalog_version FROM shops"), "1");

  orders::Catalog smaller;
  smaller.products.push_back(Sample().products[1]);
  ASSERT_TRUE(store.ReplaceCatalog(shop_id_, smaller));
  EXPECT_EQ(store.LoadCatalog(shop_id_)->products.size(), 1u) << "an import replaces everything";
  EXPECT_EQ(store.SetStock(shop_id_, "ATTA-5", 1).error().code, ErrorCode::kNotFound);
}

TEST_F(CatalogIntegrationTest, RedisCacheAsideNeverServesACopyOlderThanTheShopRow) {
  PgCatalogStore store(schema_.url());
  RedisCatalogCache cache(redis_);
  orders::CatalogService service(store, cache);
  auto version = [&] {
    return std::stoll(schema_.QueryValue("SELECT catalog_version FROM shops"));
  };
  ASSERT_TRUE(service.Replace(shop_id_, Sample()));
  ASSERT_EQ(service.Get(shop_id_, version())->products[1].stock, 200);
  auto cached = cache.Get(shop_id_);
  ASSERT_TRUE(cached);
  ASSERT_TRUE(cached->has_value()) << "the read filled the cache";
  EXPECT_EQ((*cached)->version, 1);

  // A change behind the cache's back (nothing dropped it) moves the version: a read at the
  // new version skips the stale copy, while a read at the old one may still take it.
  const int64_t before = version();
  ASSERT_TRUE(PgCatalogStore(schema_.url()).SetStock(shop_id_, "MAGGI-70", 7));
  EXPECT_EQ(version(), before + 1);
  EXPECT_EQ(service.Get(shop_id_, before)->products[1].stock, 200);
  EXPECT_EQ(service.Get(shop_id_, version())->products[1].stock, 7);
  // A change through the service is seen by the very next read, too.
  ASSERT_TRUE(service.SetStock(shop_id_, "MAGGI-70", 0));
  EXPECT_EQ(service.Get(shop_id_, version())->products[1].stock, 0);
  ASSERT_TRUE(cache.Invalidate(shop_id_));
}

// [postgres] read_url on the single stack (read_url = url): the plumbing of the replica path.
// LoadWithVersion reads the products with the version they show; the service takes that copy
// when it is as new as asked, and the primary's when asked for a version the copy lacks.
TEST_F(CatalogIntegrationTest, ReplicaReadsCarryTheirVersionAndLaggingOnesAreNotUsed) {
  PgCatalogStore primary(schema_.url()), replica(schema_.url());
  ASSERT_TRUE(primary.ReplaceCatalog(shop_id_, Sample()));
  auto snapshot = replica.LoadWithVersion(shop_id_);
  ASSERT_TRUE(snapshot) << snapshot.error().ToString();
  EXPECT_EQ(snapshot->version, 1);
  ASSERT_EQ(snapshot->catalog.products.size(), 2u);
  EXPECT_EQ(snapshot->catalog.products[0].aliases, (std::vector<std::string>{"atta", "aata"}));
  EXPECT_EQ(replica.LoadWithVersion(shop_id_ + 1000).error().code, ErrorCode::kNotFound);

  RedisCatalogCache cache(redis_);
  common::Counter from_replica, from_primary;
  orders::CatalogService service(primary, cache, &replica, {&from_replica, &from_primary});
  ASSERT_TRUE(cache.Invalidate(shop_id_));
  ASSERT_TRUE(service.Get(shop_id_, 1));
  EXPECT_EQ(from_replica.value(), 1u);
  // Asked for a version no copy has yet (a shop row ahead of this replica): the primary.
  ASSERT_TRUE(cache.Invalidate(shop_id_));
  ASSERT_TRUE(service.Get(shop_id_, 2));
  EXPECT_EQ(from_primary.value(), 1u);
  ASSERT_TRUE(primary.SetStock(shop_id_, "MAGGI-70", 3));
  ASSERT_TRUE(cache.Invalidate(shop_id_));
  EXPECT_EQ(service.Get(shop_id_, 2)->products[1].stock, 3);
  EXPECT_EQ(from_replica.value(), 2u);
  ASSERT_TRUE(cache.Invalidate(shop_id_));
}

TEST(RedisUnavailableTest, UnreachableRedisIsUnavailable) {
  RedisCatalogCache cache({{"redis://127.0.0.1:1/0", {}, {}}, "x", 60});
  auto got = cache.Get(1);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace chatshop::infra
