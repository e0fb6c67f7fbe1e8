#include "infra/pg_order_clock_store.h"

#include <pqxx/pqxx>

#include "infra/pg_orders.h"
#include "infra/pg_rows.h"

namespace chatshop::infra {

Result<std::optional<orders::OrderView>> PgOrderClockStore::Take(const char* due_condition,
                                                                 int minutes, bool expire,
                                                                 const Notices& notices) {
  std::optional<orders::OrderView> taken;
  RETURN_IF_ERROR(session_.RunFallible([&](pqxx::connection_base& c) -> Status {
    taken.reset();
    pqxx::work tx(c);
    // One order at a time, skipping those another worker holds: several workers share the
    // table without waiting for each other.
    auto due = tx.exec_params(std::string("SELECT id, shop_id FROM orders WHERE ") + due_condition +
                                  " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                              minutes);
    if (due.empty()) return Ok();
    const int64_t order_id = due[0]["id"].as<int64_t>();
    const auto shop = LoadShopById(tx, due[0]["shop_id"].as<int64_t>());
    if (!shop) return Ok();
    PgOrderLedger ledger(tx);
    std::optional<orders::OrderView> order;
    if (expire) {
      bot::ChangeOrder change{
          order_id, 0, "", orders::OrderAction::kExpire, orders::Actor::kSystem, "payment timeout"};
      ASSIGN_OR_RETURN(const bot::Outcome outcome, ledger.Apply(shop->id, change, "", minutes));
      if (const auto* changed = std::get_if<bot::OrderChanged>(&outcome)) order = changed->order;
    } else {
      tx.exec_params("UPDATE orders SET reminded_at = now() WHERE id = $1", order_id);
      ASSIGN_OR_RETURN(order, ledger.FindOrder(shop->id, order_id));
    }
    if (!order) return Ok();
    QueueReplies(tx, shop->id, notices(*shop, *order), "");
    tx.commit();
    taken = order;
    return Ok();
  }));
  return taken;
}

Result<std::optional<orders::OrderView>> PgOrderClockStore::ExpireOne(int hold_minutes,
                                                                      const Notices& notices) {
  return Take("status = 'awaiting_payment' AND expires_at <= now() AND $1 > 0", hold_minutes,
              /*expire=*/true, notices);
}

Result<std::optional<orders::OrderView>> PgOrderClockStore::RemindOne(int minutes,
                                                                      const Notices& notices) {
  return Take(
      "status = 'payment_review' AND reminded_at IS NULL "
      "AND review_since <= now() - make_interval(mins => $1)",
      minutes, /*expire=*/false, notices);
}

}  // namespace chatshop::infra
