#include "infra/pg_orders.h"

#include <map>
#include <pqxx/pqxx>

#include "infra/pg_stock.h"
#include "infra/postgres.h"

namespace chatshop::infra {
namespace {

using orders::OrderStatus;
using orders::OrderView;

// Columns of an order as OrderFromRow reads them; `o` is orders, `c` the customer's
// conversation (for their language).
constexpr const char* kOrderColumns =
    "o.id, o.number, o.customer, coalesce(c.state->>'locale', '') AS customer_locale, o.status, "
    "o.lines::text AS lines, o.subtotal_minor, o.delivery_minor, o.total_minor, "
    "coalesce(o.payment_method, '') AS payment_method, o.nonce, "
    "coalesce(extract(epoch FROM o.expires_at)::bigint, 0) AS expires_at, "
    "coalesce(o.reason, '') AS reason, o.shop_id";
constexpr const char* kOrderFrom =
    " FROM orders o LEFT JOIN conversations c ON c.shop_id = o.shop_id AND c.customer = "
    "o.customer ";

nlohmann::json LinesToJson(const std::vector<orders::OrderLine>& lines) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : lines) {
    out.push_back(
        {{"sku", l.sku}, {"name", l.name}, {"qty", l.qty}, {"unit_price", l.unit_price.minor}});
  }
  return out;
}

OrderView OrderFromRow(const pqxx::row& row) {
  OrderView o;
  o.id = row["id"].as<int64_t>();
  o.number = row["number"].as<int64_t>();
  o.customer = row["customer"].as<std::string>();
  o.customer_locale = row["customer_locale"].as<std::string>();
  o.status =
      orders::StatusFromName(row["status"].as<std::string>()).value_or(OrderStatus::kCancelled);
  const auto lines = nlohmann::json::parse(row["lines"].as<std::string>(), nullptr, false);
  if (lines.is_array()) {
    for (const auto& l : lines) {
      o.lines.push_back({l.value("sku", ""), l.value("name", ""), l.value("qty", int64_t{0}),
                         orders::Money{l.value("unit_price", int64_t{0})}});
    }
  }
  o.subtotal = orders::Money{row["subtotal_minor"].as<int64_t>()};
  o.delivery = orders::Money{row["delivery_minor"].as<int64_t>()};
  o.total = orders::Money{row["total_minor"].as<int64_t>()};
  o.payment_method = row["payment_method"].as<std::string>();
  o.nonce = row["nonce"].as<std::string>();
  o.expires_at = row["expires_at"].as<int64_t>();
  o.reason = row["reason"].as<std::string>();
  o.shop_id = row["shop_id"].as<int64_t>();
  return o;
}

std::string ActorName(orders::Actor actor, const std::string& id) {
  switch (actor) {
    case orders::Actor::kCustomer:
      return "customer:" + id;
    case orders::Actor::kOwner:
      return "owner:" + id;
    case orders::Actor::kSystem:
      return "system";
  }
  return "system";
}

}  // namespace

std::optional<OrderView> PgOrderLedger::LoadOrder(int64_t shop_id, int64_t id, int64_t number,
                                                  bool lock) {
  auto rows =
      tx_.exec_params(std::string("SELECT ") + kOrderColumns + kOrderFrom +
                          "WHERE o.shop_id = $1 AND (o.id = $2 OR ($2 = 0 AND o.number = $3))" +
                          (lock ? " FOR UPDATE OF o" : ""),
                      shop_id, id, number);
  if (rows.empty()) return std::nullopt;
  return OrderFromRow(rows[0]);
}

std::optional<bot::HoldLimitReached> PgOrderLedger::HoldLimitExceeded(
    const service::OrderRequest& request) {
  if (request.held_units_max <= 0 && request.held_value_max.minor <= 0) return std::nullopt;
  // The customer's messages are serialised by their conversation's row lock (held by the
  // transaction this runs in), so no other checkout of theirs can slip in between this sum and
  // the reservation below.
  auto held = tx_.exec_params(
      "SELECT coalesce(sum(o.subtotal_minor), 0) AS value, "
      "  coalesce(sum((SELECT sum(r.qty) FROM reservations r "
      "                WHERE r.order_id = o.id AND NOT r.released)), 0) AS units "
      "FROM orders o WHERE o.shop_id = $1 AND o.customer = $2 "
      "  AND o.status NOT IN ('delivered', 'cancelled')",
      request.shop_id, request.customer);
  const int64_t units_held = held[0]["units"].as<int64_t>();
  const int64_t value_held = held[0]["value"].as<int64_t>();
  int64_t units_wanted = 0;
  for (const auto& line : request.lines) units_wanted += line.qty;
  const bool too_many =
      request.held_units_max > 0 && units_held + units_wanted > request.held_units_max;
  const bool too_much = request.held_value_max.minor > 0 &&
                        value_held + request.subtotal.minor > request.held_value_max.minor;
  if (!too_many && !too_much) return std::nullopt;
  return bot::HoldLimitReached{units_held, orders::Money{value_held}, request.held_units_max,
                               request.held_value_max};
}

Result<bot::Outcome> PgOrderLedger::PlaceOrder(const service::OrderRequest& request) {
  return PgGuarded([&] { return Place(request); });
}

// Long for one function, but it is one transaction's script read top to bottom: cap check,
// lock and price, take the stock, number and write the order; splitting it would scatter
// the lock order that keeps checkouts from deadlocking.
Result<bot::Outcome> PgOrderLedger::Place(const service::OrderRequest& request) {
  if (auto over = HoldLimitExceeded(request)) return bot::Outcome{*over};
  // What each SKU needs, in SKU (byte) order, so that two checkouts lock the same products in
  // the same order and cannot deadlock.
  std::map<std::string, int64_t> wanted;
  for (const auto& line : request.lines) wanted[line.sku] += line.qty;

  // All or nothing: every product row is locked and checked before any stock is taken. A
  // concurrent checkout waits on the row lock and then sees what this one left, so two
  // customers can never both take the last unit. The price and name are read in the same
  // locked query: the bill the customer saw may have come from a stale cached catalog, and an
  // order is always made at the price the database holds when the stock is taken.
  struct Priced {
    std::string name;
    orders::Money unit_price;
  };
  std::map<std::string, Priced> priced;
  bot::StockShort shortage;
  for (const auto& [sku, qty] : wanted) {
    auto rows = tx_.exec_params(
        "SELECT stock, price_minor, name FROM products WHERE shop_id = $1 AND sku = $2 "
        "FOR UPDATE",
        request.shop_id, sku);
    const int64_t available = rows.empty() ? 0 : rows[0]["stock"].as<int64_t>();
    if (available < qty) {
      shortage.available[sku] = available;
      continue;
    }
    priced[sku] = {rows[0]["name"].as<std::string>(),
                   orders::Money{rows[0]["price_minor"].as<int64_t>()}};
  }
  if (!shortage.available.empty()) return bot::Outcome{shortage};
  std::vector<StockChange> taken;
  for (const auto& [sku, qty] : wanted) taken.push_back({sku, -qty, /*relative=*/true});
  if (ChangeStock(tx_, request.shop_id, taken).size() != taken.size()) {
    // Every row is locked and was checked above: this cannot happen short of a bug.
    return MakeError(ErrorCode::kInternal, "checkout: stock changed under its row lock");
  }
  // The lines in the customer's order, each SKU once, at the database's prices.
  std::vector<orders::OrderLine> lines;
  orders::Money subtotal{0};
  for (const auto& line : request.lines) {
    auto it = priced.find(line.sku);
    if (it == priced.end()) continue;  // a SKU given twice: its first line carries the total
    const int64_t qty = wanted[line.sku];
    lines.push_back({line.sku, it->second.name, qty, it->second.unit_price});
    subtotal.minor += it->second.unit_price.minor * qty;
    priced.erase(it);
  }
  const orders::Money delivery =
      lines.empty() ? orders::Money{0} : request.delivery_rule.FeeFor(subtotal);
  const orders::Money total{subtotal.minor + delivery.minor};

  auto number = tx_.exec_params(
      "UPDATE shops SET next_order_number = next_order_number + 1 WHERE id = $1 "
      "RETURNING next_order_number - 1 AS number",
      request.shop_id);
  auto inserted = tx_.exec_params(
      "INSERT INTO orders (shop_id, number, customer, status, lines, subtotal_minor, "
      "  delivery_minor, total_minor, nonce, expires_at) "
      "VALUES ($1, $2, $3, 'awaiting_payment', $4::jsonb, $5, $6, $7, "
      "  replace(gen_random_uuid()::text, '-', ''), now() + make_interval(mins => $8)) "
      "RETURNING id",
      request.shop_id, number[0]["number"].as<int64_t>(), request.customer,
      LinesToJson(lines).dump(), subtotal.minor, delivery.minor, total.minor, request.hold_minutes);
  const int64_t order_id = inserted[0]["id"].as<int64_t>();
  for (const auto& [sku, qty] : wanted) {
    tx_.exec_params("INSERT INTO reservations (order_id, sku, qty) VALUES ($1, $2, $3)", order_id,
                    sku, qty);
  }
  tx_.exec_params(
      "INSERT INTO order_events (order_id, from_status, to_status, actor) "
      "VALUES ($1, NULL, 'awaiting_payment', $2)",
      order_id, ActorName(orders::Actor::kCustomer, request.customer));
  return bot::Outcome{bot::OrderPlaced{*LoadOrder(request.shop_id, order_id, 0, false)}};
}

Result<std::optional<OrderView>> PgOrderLedger::FindOrder(int64_t shop_id, int64_t order_id) {
  return PgGuarded(
      [&]() -> Result<std::optional<OrderView>> { return LoadOrder(shop_id, order_id, 0, false); });
}

Result<std::vector<OrderView>> PgOrderLedger::OpenOrders(int64_t shop_id, int limit) {
  return PgGuarded([&]() -> Result<std::vector<OrderView>> {
    std::vector<OrderView> open;
    for (const auto& row :
         tx_.exec_params(std::string("SELECT ") + kOrderColumns + kOrderFrom +
                             "WHERE o.shop_id = $1 AND o.status NOT IN ('delivered', 'cancelled') "
                             "ORDER BY o.id DESC LIMIT $2",
                         shop_id, limit)) {
      open.push_back(OrderFromRow(row));
    }
    return open;
  });
}

Result<bot::Outcome> PgOrderLedger::Apply(int64_t shop_id, const bot::ChangeOrder& change,
                                          const std::string& actor_id, int hold_minutes) {
  return PgGuarded([&] { return Move(shop_id, change, actor_id, hold_minutes); });
}

Result<bot::Outcome> PgOrderLedger::Move(int64_t shop_id, const bot::ChangeOrder& change,
                                         const std::string& actor_id, int hold_minutes) {
  auto order = LoadOrder(shop_id, change.order_id, change.order_number, /*lock=*/true);
  if (!order) return bot::Outcome{bot::OrderUnchanged{std::nullopt, change}};
  if ((change.by_button || !change.nonce.empty()) && change.nonce != order->nonce) {
    return bot::Outcome{bot::OrderUnchanged{order, change, /*stale_button=*/true}};
  }
  const auto next = orders::NextStatus(order->status, change.action, change.actor);
  if (!next) return bot::Outcome{bot::OrderUnchanged{order, change}};

  const std::string to(orders::StatusName(*next));
  const char* method = change.action == orders::OrderAction::kChooseCod ? "cod"
                       : change.action == orders::OrderAction::kApprove ? "upi"
                                                                        : nullptr;
  tx_.exec_params(
      // A new nonce with every status change: buttons of the notices sent before it are
      // refused from now on, so none can be replayed (approve after a reject, a second tap).
      "UPDATE orders SET status = $2, updated_at = now(), "
      "  nonce = replace(gen_random_uuid()::text, '-', ''), "
      "  expires_at = CASE WHEN $2 = 'awaiting_payment' THEN now() + make_interval(mins => $3) "
      "END, "
      "  review_since = CASE WHEN $2 = 'payment_review' THEN now() END, "
      "  reminded_at = CASE WHEN $2 = 'payment_review' THEN NULL ELSE reminded_at END, "
      "  reason = coalesce(nullif($4, ''), reason), "
      "  payment_method = coalesce(payment_method, $5) "
      "WHERE id = $1",
      order->id, to, hold_minutes, change.reason,
      method != nullptr ? std::optional<std::string>(method) : std::nullopt);
  if (orders::ReleasesStock(*next)) {
    // Rows locked in SKU order, as checkout locks them: two releases, or a release and a
    // checkout, touching the same products cannot deadlock.
    std::vector<StockChange> returned;
    for (const auto& row : tx_.exec_params(
             "SELECT r.sku, r.qty FROM reservations r "
             "JOIN products p ON p.shop_id = $2 AND p.sku = r.sku "
             "WHERE r.order_id = $1 AND NOT r.released "
             "ORDER BY p.sku COLLATE \"C\" FOR UPDATE OF p",  // byte order, as checkout locks
             order->id, shop_id)) {
      returned.push_back({row["sku"].as<std::string>(), row["qty"].as<int64_t>(), true});
    }
    ChangeStock(tx_, shop_id, returned);
    tx_.exec_params("UPDATE reservations SET released = true WHERE order_id = $1", order->id);
  }
  tx_.exec_params(
      "INSERT INTO order_events (order_id, from_status, to_status, actor, reason) "
      "VALUES ($1, $2, $3, $4, nullif($5, ''))",
      order->id, std::string(orders::StatusName(order->status)), to,
      ActorName(change.actor, actor_id), change.reason);
  const OrderStatus from = order->status;
  return bot::Outcome{bot::OrderChanged{*LoadOrder(shop_id, order->id, 0, false), from, change}};
}

Result<bool> PgOrderLedger::RecordPaymentProof(int64_t order_id, const bot::RecordProof& proof,
                                               const std::string& caused_by) {
  return PgGuarded([&]() -> Result<bool> {
    // The order's row lock first: two proofs for one order are counted one after the other.
    tx_.exec_params("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order_id);
    auto inserted = tx_.exec_params(
        "INSERT INTO payment_proofs (order_id, media_id, mime_type, caused_by) "
        "SELECT $1, $2, $3, $4 WHERE $5 <= 0 OR "
        "  (SELECT count(*) FROM payment_proofs WHERE order_id = $1) < $5",
        order_id, proof.media_id, proof.mime_type, caused_by, proof.max_per_order);
    return inserted.affected_rows() > 0;
  });
}

Result<bot::Outcome> PgOrderLedger::UpdateStock(int64_t shop_id, const bot::SetStock& change) {
  return PgGuarded([&]() -> Result<bot::Outcome> {
    // The same path as `chatshopctl stock set` (PgCatalogStore::SetStock): catalog_version moves.
    const bool found =
        !ChangeStock(tx_, shop_id, {{change.sku, change.stock, /*relative=*/false}}).empty();
    return bot::Outcome{bot::StockWasSet{change, found}};
  });
}

}  // namespace chatshop::infra
