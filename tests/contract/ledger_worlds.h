#pragma once

// The two implementations of service::OrderLedger the contract suite runs against: the in-memory
// fake of the unit tests and PgOrderLedger on a schema of its own. A world owns one shop's
// data; Run gives the ledger to `work` inside one transaction, committed when `work` succeeds.

#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "fakes/fakes.h"
#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_orders.h"
#include "infra/pg_shop_directory.h"
#include "infra/postgres.h"
#include "service/ports/order_ledger.h"
#include "support/stack.h"

namespace chatshop::contract {

class LedgerWorld {
 public:
  virtual ~LedgerWorld() = default;
  // Creates a shop selling `catalog`; its id.
  virtual int64_t AddShop(const std::string& phone_number_id, const orders::Catalog& catalog) = 0;
  virtual Status Run(const std::function<Status(service::OrderLedger&)>& work) = 0;
  // What the store holds of the product now.
  virtual int64_t Stock(int64_t shop_id, const std::string& sku) = 0;
  // An inbound message `wamid` as InboundStore::Handle records it before the ledger runs (a
  // proof names the message that brought it).
  virtual void Received(int64_t shop_id, const std::string& wamid) = 0;
};

class FakeLedgerWorld : public LedgerWorld {
 public:
  FakeLedgerWorld() { ledger_.catalogs = &catalogs_; }
  int64_t AddShop(const std::string&, const orders::Catalog& catalog) override {
    const int64_t id = static_cast<int64_t>(catalogs_.size()) + 1;
    catalogs_[id] = catalog;
    return id;
  }
  Status Run(const std::function<Status(service::OrderLedger&)>& work) override {
    return work(ledger_);
  }
  int64_t Stock(int64_t shop_id, const std::string& sku) override {
    return ledger_.Product(shop_id, sku)->stock;
  }
  void Received(int64_t, const std::string&) override {}

 private:
  std::map<int64_t, orders::Catalog> catalogs_;
  fakes::FakeOrderLedger ledger_;
};

class PgLedgerWorld : public LedgerWorld {
 public:
  PgLedgerWorld() : session_(schema_.url()) {
    if (!infra::Migrator(schema_.url()).Migrate()) ADD_FAILURE() << "migrations failed";
  }
  int64_t AddShop(const std::string& phone_number_id, const orders::Catalog& catalog) override {
    auto shop = infra::PgShopDirectory(schema_.url()).UpsertShop(phone_number_id, "Shop", "tok");
    EXPECT_TRUE(shop);
    EXPECT_TRUE(infra::PgCatalogStore(schema_.url()).ReplaceCatalog(shop->id, catalog));
    return shop->id;
  }
  Status Run(const std::function<Status(service::OrderLedger&)>& work) override {
    return session_.RunFallible([&](pqxx::connection_base& c) -> Status {
      pqxx::work tx(c);
      infra::PgOrderLedger ledger(tx);
      RETURN_IF_ERROR(work(ledger));
      tx.commit();
      return Ok();
    });
  }
  int64_t Stock(int64_t shop_id, const std::string& sku) override {
    return std::stoll(schema_.QueryValue("SELECT stock FROM products WHERE shop_id = " +
                                         std::to_string(shop_id) + " AND sku = '" + sku + "'"));
  }
  void Received(int64_t shop_id, const std::string& wamid) override {
    schema_.QueryValue(
        "INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, event) VALUES ('" + wamid +
        "', " + std::to_string(shop_id) +
        ", '919811111111', 'image', now(), '{}') RETURNING wamid");
  }

 private:
  testing::TestSchema schema_;
  infra::PgSession session_;
};

}  // namespace chatshop::contract
