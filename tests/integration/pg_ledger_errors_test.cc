// PgOrderLedger runs inside a transaction it does not own: a database error must come back
// as its Result, never as an exception through the bot's code that called it.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "infra/migrations.h"
#include "infra/pg_orders.h"
#include "infra/pg_shop_directory.h"
#include "infra/postgres.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

TEST(PgLedgerErrorsTest, DatabaseErrorsAreResultsAndTheTransactionRollsBack) {
  testing::TestSchema schema;
  ASSERT_TRUE(Migrator(schema.url()).Migrate());
  auto shop = PgShopDirectory(schema.url()).UpsertShop("106540352242922", "Shop", "tok");
  ASSERT_TRUE(shop);
  PgSession session(schema.url());
  bool threw = false;
  auto ran = session.RunFallible([&](pqxx::connection_base& c) -> Status {
    pqxx::work tx(c);
    PgOrderLedger ledger(tx);
    try {
      // A proof naming an inbound message that was never recorded: a foreign-key violation.
      auto recorded = ledger.RecordPaymentProof(1, {1, "media-1", "image/jpeg", 0}, "wamid.none");
      EXPECT_EQ(recorded ? ErrorCode::kAborted : recorded.error().code, ErrorCode::kInternal);
      // The transaction is aborted now: the next call fails the same way, and says so.
      auto stock = ledger.UpdateStock(shop->id, {"ATTA-5", 1});
      const std::string said = stock ? "succeeded" : stock.error().message;
      EXPECT_NE(said.find("25P02"), std::string::npos) << said;
      auto order = ledger.FindOrder(shop->id, 1);
      EXPECT_FALSE(order);
    } catch (...) {
      threw = true;
    }
    return MakeError(ErrorCode::kInternal, "rolled back");
  });
  EXPECT_FALSE(threw) << "an exception crossed the ledger's port";
  EXPECT_FALSE(ran);
  EXPECT_EQ(schema.QueryValue("SELECT count(*) FROM payment_proofs"), "0");
  // The session is still good for the next transaction.
  EXPECT_TRUE(session.Run([](pqxx::connection_base& c) { pqxx::work(c).exec("SELECT 1"); }));
}

}  // namespace
}  // namespace chatshop::infra
