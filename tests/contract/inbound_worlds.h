#pragma once

// The two implementations of service::InboundStore the contract suite runs against: the unit
// tests' FakeInboundStore and PgInboundStore on a schema of its own.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fakes/fakes.h"
#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_shop_directory.h"
#include "service/ports/inbound_store.h"
#include "support/stack.h"

namespace chatshop::contract {

class InboundWorld {
 public:
  virtual ~InboundWorld() = default;
  virtual service::InboundStore& Store() = 0;
  // Registers a shop selling `catalog`.
  virtual void AddShop(const std::string& phone_number_id, const std::string& name,
                       const orders::Catalog& catalog) = 0;
  // Every queued reply's body, oldest first.
  virtual std::vector<nlohmann::json> Outbox() = 0;
  virtual int64_t Stock(int64_t shop_id, const std::string& sku) = 0;
  // A notice of order `order_number` that went out to `to` as message `wamid`.
  virtual void SentNotice(int64_t shop_id, const std::string& wamid, int64_t order_number,
                          const std::string& to) = 0;
};

class FakeInboundWorld : public InboundWorld {
 public:
  FakeInboundWorld() { store_.ledger.catalogs = &catalogs_; }
  service::InboundStore& Store() override { return store_; }
  void AddShop(const std::string& phone_number_id, const std::string& name,
               const orders::Catalog& catalog) override {
    service::ShopRecord shop;
    shop.id = static_cast<int64_t>(store_.shops.size()) + 1;
    shop.name = name;
    shop.phone_number_id = phone_number_id;
    store_.shops[phone_number_id] = shop;
    catalogs_[shop.id] = catalog;
  }
  std::vector<nlohmann::json> Outbox() override { return store_.outbox; }
  int64_t Stock(int64_t shop_id, const std::string& sku) override {
    return store_.ledger.Product(shop_id, sku)->stock;
  }
  void SentNotice(int64_t, const std::string& wamid, int64_t order_number,
                  const std::string&) override {
    store_.notices[wamid] = order_number;
  }

 private:
  std::map<int64_t, orders::Catalog> catalogs_;
  fakes::FakeInboundStore store_;
};

class PgInboundWorld : public InboundWorld {
 public:
  PgInboundWorld() : store_(schema_.url()) {
    if (!infra::Migrator(schema_.url()).Migrate()) ADD_FAILURE() << "migrations failed";
  }
  service::InboundStore& Store() override { return store_; }
  void AddShop(const std::string& phone_number_id, const std::string& name,
               const orders::Catalog& catalog) override {
    auto shop = infra::PgShopDirectory(schema_.url()).UpsertShop(phone_number_id, name, "tok");
    ASSERT_TRUE(shop);
    ASSERT_TRUE(infra::PgCatalogStore(schema_.url()).ReplaceCatalog(shop->id, catalog));
  }
  std::vector<nlohmann::json> Outbox() override {
    return nlohmann::json::parse(
        schema_.QueryValue("SELECT coalesce(json_agg(payload ORDER BY id), '[]')::text FROM outbox "
                           "WHERE status = 'pending'"));
  }
  int64_t Stock(int64_t shop_id, const std::string& sku) override {
    return std::stoll(schema_.QueryValue("SELECT stock FROM products WHERE shop_id = " +
                                         std::to_string(shop_id) + " AND sku = '" + sku + "'"));
  }
  void SentNotice(int64_t shop_id, const std::string& wamid, int64_t order_number,
                  const std::string& to) override {
    schema_.QueryValue(
        "INSERT INTO outbox (shop_id, recipient, payload, status, wamid, notice_order, "
        "  notice_kind) VALUES (" +
        std::to_string(shop_id) + ", '" + to + "', '{}', 'sent', '" + wamid + "', " +
        std::to_string(order_number) + ", 'confirmed') RETURNING id");
  }

 private:
  testing::TestSchema schema_;
  infra::PgInboundStore store_;
};

}  // namespace chatshop::contract
