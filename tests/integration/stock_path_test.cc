// One stock-change path: the owner's "stock" command (the worker's processor, through the
// ledger), `chatshopctl stock set` (CatalogService::SetStock) and checkout with its release
// all move shops.catalog_version, and the worker's next catalog read — keyed by the version of
// the shop row it loads for every message — sees the new stock even when a stale copy is
// still cached.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_orders.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_cache.h"
#include "integration/fixtures.h"
#include "orders/catalog_service.h"
#include "service/inbound_processor.h"
#include "support/stack.h"

namespace chatshop {
namespace {

constexpr const char* kShop = "106540352242922";
constexpr const char* kOwner = "919800000001";

class StockPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::AddFixtureShop(schema_.url(), shop_id_, /*upi=*/false));
    orders::Catalog catalog;
    catalog.products.push_back(
        {"MAGGI-70", "Maggi 70g", orders::Money{1400}, 20, "packet", "snacks", {"maggi"}});
    catalog.products.push_back(
        {"ATTA-5", "Aashirvaad Atta 5kg", orders::Money{28900}, 9, "pack", "staples", {"atta"}});
    ASSERT_TRUE(infra::PgCatalogStore(schema_.url()).ReplaceCatalog(shop_id_, catalog));
    ASSERT_NO_FATAL_FAILURE(testing::LoadWorkerTemplates(templates_));
  }
  void TearDown() override { (void)catalogs_.cache().Invalidate(shop_id_); }

  int64_t Version() { return std::stoll(Q("SELECT catalog_version FROM shops")); }
  std::string Q(const std::string& sql) { return schema_.QueryValue(sql); }
  // What the worker reads for the shop's next message: the shop row, then the catalog at its
  // version.
  int64_t WorkerSees(const std::string& sku) {
    auto shop = store_.FindShopByPhoneNumberId(kShop);
    EXPECT_TRUE(shop);
    auto catalog = catalogs_.CatalogFor(shop_id_, shop->catalog_version);
    EXPECT_TRUE(catalog);
    return catalog->Find(sku)->stock;
  }
  // Warms the cache at the present version, and keeps that copy to put back later: a drop
  // that failed, or a worker that read just before a change and filled the cache after it.
  orders::CachedCatalog Warm() {
    EXPECT_EQ(WorkerSees("MAGGI-70"), std::stoll(Q("SELECT stock FROM products "
                                                   "WHERE sku = 'MAGGI-70'")));
    auto cached = catalogs_.cache().Get(shop_id_);
    EXPECT_TRUE(cached && cached->has_value());
    return cached && cached->has_value() ? **cached : orders::CachedCatalog{};
  }
  void PutBack(const orders::CachedCatalog& stale) {
    ASSERT_TRUE(catalogs_.cache().Put(shop_id_, stale));
  }
  void OwnerSays(const std::string& wamid, const std::string& body) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = kOwner;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = "text";
    e.data = {{"body", body}};
    e.raw = {{"from", kOwner}, {"id", wamid}, {"type", "text"}, {"text", e.data}};
    service::InboundProcessor processor(store_, &catalogs_, *templates_, metrics_);
    ASSERT_EQ(processor.Handle(e).disposition, service::Disposition::kAck);
  }

  testing::TestSchema schema_;
  int64_t shop_id_ = 0;
  infra::RedisSettings redis_{
      {testing::StackConfig().redis.url, {}, {}}, testing::UniqueName("stock"), 60};
  infra::PgInboundStore store_{schema_.url()};
  testing::CachedCatalogs catalogs_{schema_.url(), redis_};
  std::unique_ptr<common::TemplateSet> templates_;
  common::MetricsRegistry metrics_;
};

TEST_F(StockPathTest, TheOwnersCommandAndChatshopctlHaveTheSameEffect) {
  // The owner's "stock" command, through the worker's processor and the ledger.
  const auto stale = Warm();
  const int64_t before = Version();
  OwnerSays("wamid.owner.1", "stock MAGGI-70 5");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "5");
  EXPECT_EQ(Version(), before + 1) << "the owner's path bumps the version";
  PutBack(stale);
  EXPECT_EQ(WorkerSees("MAGGI-70"), 5) << "the stale copy is older than the shop row";

  // `chatshopctl stock set`: CatalogService::SetStock, which also drops the cached copy.
  const auto stale_again = Warm();
  infra::PgCatalogStore store(schema_.url());
  infra::RedisCatalogCache cache(redis_);
  ASSERT_TRUE(orders::CatalogService(store, cache).SetStock(shop_id_, "MAGGI-70", 7));
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "7");
  EXPECT_EQ(Version(), before + 2) << "ctl's path bumps the version the same way";
  PutBack(stale_again);
  EXPECT_EQ(WorkerSees("MAGGI-70"), 7);

  // A SKU the shop does not have changes nothing on either path.
  OwnerSays("wamid.owner.2", "stock NOPE-1 3");
  EXPECT_EQ(orders::CatalogService(store, cache).SetStock(shop_id_, "NOPE-1", 3).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(Version(), before + 2);
}

TEST_F(StockPathTest, CheckoutAndItsReleaseMoveTheVersionToo) {
  const auto stale = Warm();
  const int64_t before = Version();
  infra::PgSession session(schema_.url());
  int64_t order_id = 0;
  ASSERT_TRUE(session.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    infra::PgOrderLedger ledger(tx);
    service::OrderRequest request;
    request.shop_id = shop_id_;
    request.customer = "919811111111";
    request.lines = {{"MAGGI-70", "Maggi 70g", 4, orders::Money{1400}},
                     {"ATTA-5", "Aashirvaad Atta 5kg", 1, orders::Money{28900}}};
    ASSIGN_OR_RETURN(auto placed, ledger.PlaceOrder(request));
    order_id = std::get<bot::OrderPlaced>(placed).order.id;
    tx.commit();
    return Ok();
  }));
  EXPECT_EQ(Version(), before + 1) << "one checkout, one version, however many lines";
  PutBack(stale);
  EXPECT_EQ(WorkerSees("MAGGI-70"), 16);

  ASSERT_TRUE(session.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    infra::PgOrderLedger ledger(tx);
    bot::ChangeOrder cancel{order_id, 0, "", orders::OrderAction::kCancel, orders::Actor::kCustomer,
                            ""};
    ASSIGN_OR_RETURN(auto cancelled, ledger.Apply(shop_id_, cancel, "919811111111", 30));
    EXPECT_TRUE(std::holds_alternative<bot::OrderChanged>(cancelled));
    tx.commit();
    return Ok();
  }));
  EXPECT_EQ(Version(), before + 2) << "the stock went back on the shelf";
  PutBack(stale);
  EXPECT_EQ(WorkerSees("MAGGI-70"), 20);
  EXPECT_EQ(WorkerSees("ATTA-5"), 9);
}

}  // namespace
}  // namespace chatshop
