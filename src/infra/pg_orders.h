#pragma once

#include <optional>

#include "service/ports/order_ledger.h"

namespace pqxx {
class dbtransaction;
}

namespace chatshop::infra {

// service::OrderLedger inside one open PostgreSQL transaction (tables orders, reservations,
// order_events, payment_proofs, products; stock through infra/pg_stock.h, so every change of it
// bumps shops.catalog_version). Every method translates libpqxx's exceptions into its Result
// (PgErrorOf: kUnavailable, kAborted, kInternal…); after an error the transaction can only be
// rolled back, which its owner does by not committing.
class PgOrderLedger : public service::OrderLedger {
 public:
  explicit PgOrderLedger(pqxx::dbtransaction& tx) : tx_(tx) {}

  Result<bot::Outcome> PlaceOrder(const service::OrderRequest& request) override;
  Result<std::optional<orders::OrderView>> FindOrder(int64_t shop_id, int64_t order_id) override;
  Result<std::vector<orders::OrderView>> OpenOrders(int64_t shop_id, int limit) override;
  Result<bot::Outcome> Apply(int64_t shop_id, const bot::ChangeOrder& change,
                             const std::string& actor_id, int hold_minutes) override;
  Result<bool> RecordPaymentProof(int64_t order_id, const bot::RecordProof& proof,
                                  const std::string& caused_by) override;
  Result<bot::Outcome> UpdateStock(int64_t shop_id, const bot::SetStock& change) override;

 private:
  // The bodies of PlaceOrder and Apply, which may throw (the public methods translate).
  Result<bot::Outcome> Place(const service::OrderRequest& request);
  Result<bot::Outcome> Move(int64_t shop_id, const bot::ChangeOrder& change,
                            const std::string& actor_id, int hold_minutes);
  // By id, or by number when id is 0; `lock` takes the order's row lock until commit.
  std::optional<orders::OrderView> LoadOrder(int64_t shop_id, int64_t id, int64_t number,
                                             bool lock);
  // HoldLimitReached when the customer's open orders and this request together pass its caps.
  std::optional<bot::HoldLimitReached> HoldLimitExceeded(const service::OrderRequest& request);
  pqxx::dbtransaction& tx_;
};

}  // namespace chatshop::infra
