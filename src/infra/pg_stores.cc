#include "infra/pg_stores.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <pqxx/pqxx>

#include "common/logging.h"
#include "infra/credentials.h"
#include "infra/pg_orders.h"
#include "whatsapp/outbound.h"

namespace chatshop::infra {

namespace {

// A shop with its settings, template overrides and owners, by "phone_number_id" or "id".
std::optional<bot::ShopRecord> LoadShop(pqxx::transaction_base& tx, const char* key,
                                        const std::string& value) {
  auto rows = tx.exec_params(
      std::string(
          "SELECT id, name, locale, delivery_fee_minor, free_delivery_from_minor, "
          "  (SELECT coalesce(json_object_agg(t.locale || '/' || t.name, t.body), '{}')::text "
          "   FROM shop_templates t WHERE t.shop_id = shops.id), "
          "  coalesce(upi_vpa, ''), cod_allowed, "
          "  (SELECT coalesce(json_agg(json_build_array(o.phone, o.name, o.locale) "
          "     ORDER BY o.created_at), '[]')::text FROM owners o WHERE o.shop_id = shops.id), "
          "  phone_number_id, "
          "  (SELECT coalesce(json_object_agg(n.kind, json_build_array(n.template_name, "
          "     n.language)), '{}')::text FROM notice_templates n WHERE n.shop_id = shops.id), "
          "  disabled_at IS NOT NULL, coalesce(reservation_minutes, 0), coalesce(upi_payee_name, "
          "'') "
          "FROM shops WHERE ") +
          (std::string(key) == "id" ? "id = $1::bigint" : "phone_number_id = $1"),
      value);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  bot::ShopRecord shop;
  shop.id = row[0].as<int64_t>();
  shop.name = row[1].as<std::string>();
  shop.phone_number_id = row[9].as<std::string>();
  shop.locale = row[2].as<std::string>();
  shop.delivery.fee = orders::Money{row[3].as<int64_t>()};
  if (!row[4].is_null()) shop.delivery.free_from = orders::Money{row[4].as<int64_t>()};
  const auto overrides = nlohmann::json::parse(row[5].as<std::string>(), nullptr, false);
  if (overrides.is_object()) {
    for (const auto& [name, body] : overrides.items()) {
      if (body.is_string()) shop.templates[name] = body.get<std::string>();
    }
  }
  shop.payment = {row[6].as<std::string>(), row[7].as<bool>(), ""};
  const auto owners = nlohmann::json::parse(row[8].as<std::string>(), nullptr, false);
  if (owners.is_array()) {
    for (const auto& o : owners) {
      if (o.is_array() && o.size() == 3) {
        shop.owners.push_back(
            {o[0].get<std::string>(), o[1].get<std::string>(), o[2].get<std::string>()});
      }
    }
  }
  shop.disabled = row[11].as<bool>();
  shop.reservation_minutes = row[12].as<int>();
  shop.payment.payee_name = row[13].as<std::string>();
  const auto notices = nlohmann::json::parse(row[10].as<std::string>(), nullptr, false);
  if (notices.is_object()) {
    for (const auto& [kind, t] : notices.items()) {
      if (t.is_array() && t.size() == 2) {
        shop.notice_templates[kind] = {t[0].get<std::string>(), t[1].get<std::string>()};
      }
    }
  }
  return shop;
}

// Queues Graph API bodies in the outbox, each to its "to".
void QueueReplies(pqxx::transaction_base& tx, int64_t shop_id,
                  const std::vector<nlohmann::json>& replies, const std::string& caused_by) {
  for (nlohmann::json reply : replies) {
    std::string to = reply.value("to", "");
    if (!to.empty() && to[0] == '+') to.erase(0, 1);
    std::optional<std::string> fallback;
    if (auto it = reply.find(whatsapp::kFallbackKey); it != reply.end()) {
      fallback = it->dump();
      reply.erase(it);  // never sent to Meta
    }
    std::optional<int64_t> notice_order;
    std::optional<std::string> notice_kind;
    if (auto it = reply.find(whatsapp::kNoticeKey); it != reply.end()) {
      if (it->is_object() && (*it)["order"].is_number_integer() && (*it)["kind"].is_string()) {
        notice_order = (*it)["order"].get<int64_t>();
        notice_kind = (*it)["kind"].get<std::string>();
      }
      reply.erase(it);
    }
    tx.exec_params(
        "INSERT INTO outbox (shop_id, recipient, payload, caused_by, fallback, notice_order, "
        "  notice_kind) VALUES ($1, $2, $3::jsonb, nullif($4, ''), $5::jsonb, $6, $7)",
        shop_id, to, reply.dump(), caused_by, fallback, notice_order, notice_kind);
  }
}

}  // namespace

Result<bot::ShopRecord> PgInboundStore::FindShopByPhoneNumberId(
    const std::string& phone_number_id) {
  std::optional<bot::ShopRecord> shop;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    shop = LoadShop(tx, "phone_number_id", phone_number_id);
  });
  if (!status) return tl::unexpected(status.error());
  if (!shop) return MakeError(ErrorCode::kNotFound, "no shop has this phone_number_id");
  return *shop;
}

Result<bool> PgInboundStore::Handle(const whatsapp::InboundEvent& event,
                                    const bot::ShopRecord& shop,
                                    const bot::InboundStore::Decide& decide) {
  bool recorded = false;
  std::optional<Error> refused;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    recorded = false;
    refused.reset();
    pqxx::work tx(c);
    auto inserted = tx.exec_params(
        "INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, event) "
        "VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint > 0 THEN to_timestamp($5::bigint) "
        "ELSE now() END, $6::jsonb) ON CONFLICT (wamid) DO NOTHING",
        event.id, shop.id, event.customer, event.type, event.timestamp, event.ToJson().dump());
    if (inserted.affected_rows() == 0) return;  // seen before: roll back, change nothing
    // The sender's conversation, locked: an owner's command and this customer's message may
    // touch the same order, and the order's row lock settles that; this one keeps two copies
    // of a worker from interleaving one customer's messages.
    auto stored = tx.exec_params(
        "SELECT state::text FROM conversations WHERE shop_id = $1 AND customer = $2 FOR UPDATE",
        shop.id, event.customer);
    const nlohmann::json state =
        stored.empty() ? nlohmann::json()
                       : nlohmann::json::parse(stored[0][0].as<std::string>(), nullptr, false);
    PgOrderLedger ledger(tx);
    auto decision = decide(ledger, state);
    if (!decision) {
      refused = decision.error();
      return;  // rolls back
    }
    tx.exec_params(
        "INSERT INTO conversations (shop_id, customer, state, last_inbound_at) "
        "VALUES ($1, $2, coalesce($3::jsonb, '{}'::jsonb), now()) "
        "ON CONFLICT (shop_id, customer) DO UPDATE SET "
        "  state = coalesce($3::jsonb, conversations.state), version = conversations.version + 1, "
        "  updated_at = now(), last_inbound_at = now()",
        shop.id, event.customer,
        decision->state.is_null() ? std::optional<std::string>() : decision->state.dump());
    if (decision->rate_limited) {
      tx.exec_params("UPDATE inbox SET rate_limited = true WHERE wamid = $1", event.id);
    }
    QueueReplies(tx, shop.id, decision->replies, event.id);
    tx.commit();
    recorded = true;
  });
  if (!status) return tl::unexpected(status.error());
  if (refused) return tl::unexpected(*refused);
  return recorded;
}

Result<bool> PgInboundStore::RecordStatus(const whatsapp::InboundEvent& status,
                                          const bot::ShopRecord& shop,
                                          const FailureReport& report) {
  // Statuses move forward only (docs/cloud-api.md §4: webhooks arrive out of order and more than
  // once).
  static const std::map<std::string, int> kRank = {
      {"sent", 1}, {"delivered", 2}, {"read", 3}, {"played", 4}, {"failed", 5}};
  auto rank = kRank.find(status.type);
  if (rank == kRank.end()) return false;  // a status this code does not know: nothing to keep
  std::optional<int64_t> error_code;
  std::string error_title;
  if (status.data.is_object() && status.data.contains("errors") &&
      status.data["errors"].is_array() && !status.data["errors"].empty() &&
      status.data["errors"][0].is_object()) {
    const auto& error = status.data["errors"][0];
    if (error.contains("code") && error["code"].is_number_integer())
      error_code = error["code"].get<int64_t>();
    if (error.contains("title") && error["title"].is_string())
      error_title = error["title"].get<std::string>();
  }
  bool changed = false;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    changed = false;
    pqxx::work tx(c);
    auto updated = tx.exec_params(
        "INSERT INTO message_status (wamid, shop_id, recipient, status, rank, status_at, "
        "  error_code, error_title) "
        "VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) "
        "  ELSE now() END, $7, nullif($8, '')) "
        "ON CONFLICT (wamid) DO UPDATE SET status = EXCLUDED.status, rank = EXCLUDED.rank, "
        "  status_at = EXCLUDED.status_at, error_code = EXCLUDED.error_code, "
        "  error_title = EXCLUDED.error_title, updated_at = now() "
        "WHERE message_status.rank < EXCLUDED.rank",
        status.id, shop.id, status.customer, status.type, rank->second, status.timestamp,
        error_code, error_title);
    if (updated.affected_rows() == 0) return;
    changed = true;
    // A send whose answer was lost (a timeout after the request went out): Meta's status, which
    // echoes our biz_opaque_callback_data, says it was accepted — it must not be sent again.
    const std::string callback = status.data.is_object() &&
                                         status.data.contains("biz_opaque_callback_data") &&
                                         status.data["biz_opaque_callback_data"].is_string()
                                     ? status.data["biz_opaque_callback_data"].get<std::string>()
                                     : "";
    if (callback.rfind("outbox-", 0) == 0 && status.type != "failed") {
      const int64_t outbox_id = std::atoll(callback.c_str() + 7);
      tx.exec_params(
          "UPDATE outbox SET status = 'sent', wamid = $3, sent_at = now() "
          "WHERE id = $1 AND shop_id = $2 AND status IN ('pending', 'queued')",
          outbox_id, shop.id, status.id);
    }
    if (status.type == "failed") {
      // An order notice the customer never got: the owners should know.
      // By wamid, or — for a reply Meta never accepted, which the sender reports itself — by
      // the outbox id its callback data names.
      const int64_t outbox_id =
          callback.rfind("outbox-", 0) == 0 ? std::atoll(callback.c_str() + 7) : 0;
      auto notice = tx.exec_params(
          "SELECT notice_order FROM outbox WHERE (wamid = $1 OR id = $3) AND shop_id = $2 "
          "AND notice_order IS NOT NULL LIMIT 1",
          status.id, shop.id, outbox_id);
      if (!notice.empty()) {
        std::string reason = error_title.empty() ? "no reason given" : error_title;
        if (error_code) reason += " (" + std::to_string(*error_code) + ")";
        QueueReplies(tx, shop.id, report(notice[0][0].as<int64_t>(), status.customer, reason), "");
      }
    }
    tx.commit();
  });
  if (!ran) return tl::unexpected(ran.error());
  return changed;
}

Result<std::vector<whatsapp::OutboundJob>> PgOutboxStore::ClaimUnqueued(int limit) {
  std::vector<whatsapp::OutboundJob> claimed;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    claimed.clear();
    pqxx::work tx(c);
    // Pending replies, and replies queued so long ago that their job may be lost (it is
    // queued again; a reply is sent once however many jobs it has).
    auto rows = tx.exec_params(
        "UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => $2), "
        "  queued_at = CASE WHEN o.status = 'queued' THEN now() ELSE o.queued_at END "
        "FROM shops s "
        "WHERE s.id = o.shop_id AND o.id IN ("
        "  SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= now()) "
        "     OR (status = 'queued' AND queued_at < now() - make_interval(secs => $3)) "
        "  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING o.id, s.phone_number_id, o.recipient",
        limit, static_cast<int64_t>(lease_.count()), static_cast<int64_t>(requeue_after_.count()));
    tx.commit();
    for (const auto& row : rows) {
      claimed.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
  });
  if (!status) return tl::unexpected(status.error());
  std::sort(claimed.begin(), claimed.end(),
            [](const auto& a, const auto& b) { return a.outbox_id < b.outbox_id; });
  return claimed;
}

Status PgOutboxStore::MarkQueued(const std::vector<int64_t>& ids) {
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) array += (i ? "," : "") + std::to_string(ids[i]);
  array += "}";
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'queued', queued_at = now() "
        "WHERE id = ANY($1::bigint[]) AND status IN ('pending', 'queued')",
        array);
    tx.commit();
  });
}

Result<std::optional<whatsapp::OutboxMessage>> PgOutboxStore::Load(int64_t id) {
  std::optional<whatsapp::OutboxMessage> loaded;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    loaded.reset();
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        "SELECT o.id, o.shop_id, s.phone_number_id, s.access_token, o.recipient, o.payload::text, "
        "  o.attempts, coalesce(o.fallback::text, 'null'), "
        // The 24-hour window: open while the recipient's last message is that recent
        // (docs/cloud-api.md §5).
        "  coalesce((SELECT c.last_inbound_at > now() - interval '24 hours' FROM conversations c "
        "            WHERE c.shop_id = o.shop_id AND c.customer = o.recipient), false), "
        "  o.status, "
        "  EXISTS (SELECT 1 FROM outbox e WHERE e.shop_id = o.shop_id AND e.recipient = "
        "o.recipient "
        "          AND e.id < o.id AND e.status IN ('pending', 'queued')), "
        "  s.credentials_ok, coalesce(s.messages_per_second, 0), "
        "  (extract(epoch FROM now() - o.created_at) * 1000)::bigint, o.notice_order IS NOT NULL, "
        "  coalesce(o.caused_by, ''), "
        "  o.caused_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.caused_by = "
        "o.caused_by "
        "                                          AND e.id < o.id) "
        "FROM outbox o JOIN shops s ON s.id = o.shop_id WHERE o.id = $1",
        id);
    if (rows.empty()) return;
    const auto& row = rows[0];
    whatsapp::OutboxMessage m;
    m.id = row[0].as<int64_t>();
    m.shop_id = row[1].as<int64_t>();
    m.phone_number_id = row[2].as<std::string>();
    m.token_at_rest = row[3].as<std::string>();
    if (auto token = RevealToken(m.token_at_rest, m.phone_number_id)) {
      m.access_token = *token;
    } else {
      // Not sendable until the master key is right: held like a refused token, and said why.
      m.credentials_ok = false;
      common::GetLogger("sender")->critical("shop {}: {}", m.phone_number_id,
                                            token.error().message);
    }
    m.recipient = row[4].as<std::string>();
    m.payload = nlohmann::json::parse(row[5].as<std::string>(), nullptr, false);
    m.attempts = row[6].as<int>();
    m.fallback = nlohmann::json::parse(row[7].as<std::string>(), nullptr, false);
    m.window_open = row[8].as<bool>();
    m.status = row[9].as<std::string>();
    m.earlier_unsent = row[10].as<bool>();
    m.credentials_ok = m.credentials_ok && row[11].as<bool>();
    m.messages_per_second = row[12].as<int>();
    m.age_ms = row[13].as<int64_t>();
    m.is_notice = row[14].as<bool>();
    m.caused_by = row[15].as<std::string>();
    m.first_answer = row[16].as<bool>();
    loaded = std::move(m);
  });
  if (!status) return tl::unexpected(status.error());
  return loaded;
}

Status PgOutboxStore::MarkSent(int64_t id, const std::string& wamid) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'sent', wamid = $2, sent_at = now(), last_error = NULL "
        "WHERE id = $1",
        id, wamid);
    tx.commit();
  });
}

Status PgOutboxStore::MarkAttempt(int64_t id, int attempts, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET attempts = $2, last_error = $3 WHERE id = $1 AND status = 'queued'", id,
        attempts, error);
    tx.commit();
  });
}

Status PgOutboxStore::MarkDead(int64_t id, int64_t code, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, error_code = nullif($2, 0), "
        "  last_error = $3 WHERE id = $1 AND status IN ('pending', 'queued')",
        id, code, error);
    tx.commit();
  });
}

Result<bool> PgOutboxStore::Revive(int64_t id) {
  bool revived = false;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    // Pending again: the relay puts it on the queues like a new reply.
    auto rows = tx.exec_params(
        "UPDATE outbox SET status = 'pending', next_attempt_at = now(), attempts = 0, "
        "  error_code = NULL, last_error = NULL WHERE id = $1 AND status = 'dead'",
        id);
    tx.commit();
    revived = rows.affected_rows() > 0;
  });
  if (!status) return tl::unexpected(status.error());
  return revived;
}

Status PgOutboxStore::HoldShop(int64_t shop_id, const std::string& refused_token,
                               const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE shops SET credentials_ok = false, credentials_error = $2 "
        "WHERE id = $1 AND access_token = $3",
        shop_id, error, refused_token);
    tx.commit();
  });
}

Result<orders::Catalog> PgCatalogStore::LoadCatalog(int64_t shop_id) {
  orders::Catalog catalog;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT sku, name, price_minor, stock, unit, category, array_to_json(aliases)::text "
             "FROM products WHERE shop_id = $1 ORDER BY position",
             shop_id)) {
      orders::Product p;
      p.sku = row[0].as<std::string>();
      p.name = row[1].as<std::string>();
      p.price.minor = row[2].as<int64_t>();
      p.stock = row[3].as<int64_t>();
      p.unit = row[4].as<std::string>();
      p.category = row[5].as<std::string>();
      p.aliases = nlohmann::json::parse(row[6].as<std::string>()).get<std::vector<std::string>>();
      catalog.products.push_back(std::move(p));
    }
  });
  if (!status) return tl::unexpected(status.error());
  return catalog;
}

Status PgCatalogStore::ReplaceCatalog(int64_t shop_id, const orders::Catalog& catalog) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM products WHERE shop_id = $1", shop_id);
    int position = 0;
    for (const auto& p : catalog.products) {
      tx.exec_params(
          "INSERT INTO products (shop_id, sku, name, price_minor, stock, unit, category, "
          "  aliases, position) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, ARRAY(SELECT json_array_elements_text($8::json)), "
          "  $9)",
          shop_id, p.sku, p.name, p.price.minor, p.stock, p.unit, p.category,
          nlohmann::json(p.aliases).dump(), position++);
      if (progress_ &&
          (position % 500 == 0 || static_cast<size_t>(position) == catalog.products.size())) {
        progress_(static_cast<size_t>(position), catalog.products.size());
      }
    }
    tx.exec_params("UPDATE shops SET catalog_version = catalog_version + 1 WHERE id = $1", shop_id);
    tx.commit();
  });
}

Result<int64_t> PgCatalogStore::AdjustStock(int64_t shop_id, const std::string& sku,
                                            int64_t delta) {
  std::optional<int64_t> now;
  bool exists = false;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    now.reset();
    pqxx::work tx(c);
    auto updated = tx.exec_params(
        "UPDATE products SET stock = stock + $3, updated_at = now() "
        "WHERE shop_id = $1 AND sku = $2 AND stock + $3 >= 0 RETURNING stock",
        shop_id, sku, delta);
    if (updated.empty()) {
      exists =
          !tx.exec_params("SELECT 1 FROM products WHERE shop_id = $1 AND sku = $2", shop_id, sku)
               .empty();
      return;
    }
    now = updated[0][0].as<int64_t>();
    tx.exec_params("UPDATE shops SET catalog_version = catalog_version + 1 WHERE id = $1", shop_id);
    tx.commit();
  });
  if (!status) return tl::unexpected(status.error());
  if (now) return *now;
  if (!exists) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return MakeError(ErrorCode::kFailedPrecondition, sku + ": the stock would go below zero");
}

Result<std::vector<std::string>> PgCatalogStore::ChangeAlias(int64_t shop_id,
                                                             const std::string& sku,
                                                             const std::string& alias, bool add) {
  std::optional<std::vector<std::string>> aliases;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    aliases.reset();
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        std::string("UPDATE products SET aliases = ") +
            (add ? "CASE WHEN $3 = ANY(aliases) THEN aliases ELSE array_append(aliases, $3) END"
                 : "array_remove(aliases, $3)") +
            ", updated_at = now() WHERE shop_id = $1 AND sku = $2 RETURNING "
            "array_to_json(aliases)::text",
        shop_id, sku, alias);
    if (rows.empty()) return;
    aliases = nlohmann::json::parse(rows[0][0].as<std::string>()).get<std::vector<std::string>>();
    tx.exec_params("UPDATE shops SET catalog_version = catalog_version + 1 WHERE id = $1", shop_id);
    tx.commit();
  });
  if (!ran) return tl::unexpected(ran.error());
  if (!aliases) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return *aliases;
}

Status PgCatalogStore::SetStock(int64_t shop_id, const std::string& sku, int64_t stock) {
  bool found = false;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto updated = tx.exec_params(
        "UPDATE products SET stock = $3, updated_at = now() WHERE shop_id = $1 AND sku = $2",
        shop_id, sku, stock);
    found = updated.affected_rows() > 0;
    if (!found) return;
    tx.exec_params("UPDATE shops SET catalog_version = catalog_version + 1 WHERE id = $1", shop_id);
    tx.commit();
  });
  if (!status) return status;
  if (!found) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return Ok();
}

Status PgReadinessCheck::Check() {
  std::lock_guard lock(mutex_);
  return session_.Run([](pqxx::connection_base& c) { pqxx::nontransaction(c).exec("SELECT 1"); });
}

PgTenantDirectory::PgTenantDirectory(std::string url,
                                     std::chrono::milliseconds miss_reload_interval)
    : miss_reload_interval_(miss_reload_interval), session_(std::move(url)) {}

Status PgTenantDirectory::Reload() {
  std::lock_guard reload(reload_mutex_);
  return ReloadLocked();
}

Status PgTenantDirectory::ReloadLocked() {
  auto numbers = std::make_shared<std::set<std::string>>();
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT phone_number_id FROM shops WHERE disabled_at IS NULL")) {
      numbers->insert(row[0].as<std::string>());
    }
  });
  std::lock_guard lock(snapshot_mutex_);
  loaded_at_ = std::chrono::steady_clock::now();  // also after a failure: limits retries
  if (status) numbers_ = std::move(numbers);
  return status;
}

bool PgTenantDirectory::IsKnown(const std::string& phone_number_id) {
  std::shared_ptr<const std::set<std::string>> numbers;
  std::chrono::steady_clock::time_point loaded_at;
  {
    std::lock_guard lock(snapshot_mutex_);
    numbers = numbers_;
    loaded_at = loaded_at_;
  }
  if (numbers && numbers->count(phone_number_id)) return true;
  // One request thread reloads; the others answer from what is loaded instead of queueing up
  // behind the database.
  std::unique_lock reload(reload_mutex_, std::try_to_lock);
  if (reload.owns_lock()) {
    bool stale;
    {
      std::lock_guard lock(snapshot_mutex_);
      stale = std::chrono::steady_clock::now() - loaded_at_ >= miss_reload_interval_;
    }
    if (stale) (void)ReloadLocked();
    std::lock_guard lock(snapshot_mutex_);
    numbers = numbers_;
  }
  // Never loaded (database down since start): let the worker decide.
  return !numbers || numbers->count(phone_number_id) > 0;
}

namespace {

constexpr const char* kShopColumns =
    "id, phone_number_id, name, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), locale, "
    "delivery_fee_minor, free_delivery_from_minor, coalesce(upi_vpa, ''), cod_allowed";

ShopSummary ShopFromRow(const pqxx::row& row) {
  ShopSummary shop{row[0].as<int64_t>(),
                   row[1].as<std::string>(),
                   row[2].as<std::string>(),
                   row[3].as<std::string>(),
                   row[4].as<std::string>(),
                   {},
                   {}};
  shop.delivery.fee = orders::Money{row[5].as<int64_t>()};
  if (!row[6].is_null()) shop.delivery.free_from = orders::Money{row[6].as<int64_t>()};
  shop.payment = {row[7].as<std::string>(), row[8].as<bool>(), ""};
  return shop;
}

}  // namespace

namespace {

// Runs one UPDATE of the shop with `phone_number_id` ($1; `params` are $2…); kNotFound when no
// shop has that number.
template <typename... Params>
Status UpdateShopByNumber(PgSession& session, const std::string& phone_number_id, const char* sql,
                          const Params&... params) {
  bool found = false;
  auto ran = session.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    found = tx.exec_params(sql, phone_number_id, params...).affected_rows() > 0;
    tx.commit();
  });
  if (!ran) return ran;
  if (!found)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return Ok();
}

}  // namespace

Status PgShopDirectory::SetToken(const std::string& phone_number_id,
                                 const std::string& stored_token) {
  return UpdateShopByNumber(
      session_, phone_number_id,
      "UPDATE shops SET access_token = $2, credentials_ok = true, credentials_error = NULL "
      "WHERE phone_number_id = $1",
      stored_token);
}

Result<nlohmann::json> PgShopDirectory::ShowShop(const std::string& phone_number_id) {
  std::optional<nlohmann::json> shop;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        "SELECT json_build_object('id', id, 'phone_number_id', phone_number_id, 'name', name, "
        "  'locale', locale, 'delivery_fee_minor', delivery_fee_minor, "
        "  'free_delivery_from_minor', free_delivery_from_minor, 'upi_vpa', upi_vpa, "
        "  'cod_allowed', cod_allowed, 'messages_per_second', messages_per_second, "
        "  'token_encrypted', access_token LIKE 'enc:v1:%', 'credentials_ok', credentials_ok, "
        "  'credentials_error', credentials_error, 'created_at', created_at, "
        "  'disabled_at', disabled_at, 'display_phone_number', display_phone_number, "
        "  'waba_id', waba_id, 'currency', currency, 'reservation_minutes', reservation_minutes, "
        "  'upi_payee_name', upi_payee_name, "
        "  'products', (SELECT count(*) FROM products p WHERE p.shop_id = s.id), "
        "  'owners', (SELECT coalesce(json_agg(json_build_object('phone', phone, 'name', name, "
        "     'locale', locale) ORDER BY phone), '[]') FROM owners o WHERE o.shop_id = s.id), "
        "  'notice_templates', (SELECT coalesce(json_object_agg(kind, template_name || ' (' || "
        "     language || ')'), '{}') FROM notice_templates n WHERE n.shop_id = s.id))::text "
        "FROM shops s WHERE phone_number_id = $1",
        phone_number_id);
    if (!rows.empty()) shop = nlohmann::json::parse(rows[0][0].as<std::string>());
  });
  if (!ran) return tl::unexpected(ran.error());
  if (!shop)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *shop;
}

Result<int64_t> PgShopDirectory::QueueMessage(int64_t shop_id, const std::string& to,
                                              const nlohmann::json& payload) {
  int64_t id = 0;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "INSERT INTO outbox (shop_id, recipient, payload) VALUES ($1, $2, $3::jsonb) RETURNING id",
        shop_id, to, payload.dump());
    id = rows[0][0].as<int64_t>();
    tx.commit();
  });
  if (!ran) return tl::unexpected(ran.error());
  return id;
}

Status PgShopDirectory::SetDisabled(const std::string& phone_number_id, bool disabled) {
  return UpdateShopByNumber(
      session_, phone_number_id,
      "UPDATE shops SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END "
      "WHERE phone_number_id = $1",
      disabled);
}

Result<std::string> PgShopDirectory::StoredToken(const std::string& phone_number_id) {
  std::optional<std::string> token;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params("SELECT access_token FROM shops WHERE phone_number_id = $1",
                               phone_number_id);
    if (!rows.empty()) token = rows[0][0].as<std::string>();
  });
  if (!ran) return tl::unexpected(ran.error());
  if (!token)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *token;
}

Result<ShopSummary> PgShopDirectory::UpsertShop(const std::string& phone_number_id,
                                                const std::string& name,
                                                const std::string& access_token) {
  ShopSummary shop;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "INSERT INTO shops (phone_number_id, name, access_token) VALUES ($1, $2, $3) "
        // A new token lifts a credential hold: the shop's waiting replies go out.
        "ON CONFLICT (phone_number_id) DO UPDATE SET name = EXCLUDED.name, "
        "  access_token = EXCLUDED.access_token, credentials_ok = true, credentials_error = NULL "
        "RETURNING " +
            std::string(kShopColumns),
        phone_number_id, name, access_token);
    tx.commit();
    shop = ShopFromRow(rows[0]);
  });
  if (!status) return tl::unexpected(status.error());
  return shop;
}

Result<std::vector<ShopSummary>> PgShopDirectory::ListShops() {
  std::vector<ShopSummary> shops;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row :
         tx.exec("SELECT " + std::string(kShopColumns) + " FROM shops ORDER BY id")) {
      shops.push_back(ShopFromRow(row));
    }
  });
  if (!status) return tl::unexpected(status.error());
  return shops;
}

Result<ShopSummary> PgShopDirectory::ChangeSettings(const std::string& phone_number_id,
                                                    const ShopSettingsChange& change) {
  std::optional<ShopSummary> shop;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const bool set_free = change.free_delivery_from.has_value();
    std::optional<int64_t> free_from;
    if (set_free && *change.free_delivery_from) free_from = (*change.free_delivery_from)->minor;
    auto rows = tx.exec_params(
        "UPDATE shops SET name = coalesce($2, name), locale = coalesce($3, locale), "
        "  delivery_fee_minor = coalesce($4, delivery_fee_minor), "
        "  free_delivery_from_minor = CASE WHEN $5 THEN $6 ELSE free_delivery_from_minor END, "
        "  upi_vpa = CASE WHEN $7 THEN $8 ELSE upi_vpa END, "
        "  cod_allowed = coalesce($9, cod_allowed), "
        "  messages_per_second = CASE WHEN $10 THEN $11 ELSE messages_per_second END, "
        "  reservation_minutes = CASE WHEN $12 THEN $13 ELSE reservation_minutes END, "
        "  display_phone_number = coalesce($14, display_phone_number), waba_id = coalesce($15, "
        "waba_id), "
        "  upi_payee_name = coalesce(nullif($16, ''), upi_payee_name) "
        "WHERE phone_number_id = $1 RETURNING " +
            std::string(kShopColumns),
        phone_number_id, change.name, change.locale,
        change.delivery_fee ? std::optional<int64_t>(change.delivery_fee->minor) : std::nullopt,
        set_free, free_from, change.upi_vpa.has_value(),
        change.upi_vpa ? *change.upi_vpa : std::optional<std::string>(), change.cod_allowed,
        change.messages_per_second.has_value(),
        change.messages_per_second ? *change.messages_per_second : std::optional<int>(),
        change.reservation_minutes.has_value(),
        change.reservation_minutes ? *change.reservation_minutes : std::optional<int>(),
        change.display_phone_number, change.waba_id, change.upi_payee_name.value_or(""));
    tx.commit();
    if (!rows.empty()) shop = ShopFromRow(rows[0]);
  });
  if (!status) return tl::unexpected(status.error());
  if (!shop)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *shop;
}

Status PgShopDirectory::SetTemplate(int64_t shop_id, const std::string& locale,
                                    const std::string& name, const std::string& body) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO shop_templates (shop_id, locale, name, body) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (shop_id, locale, name) DO UPDATE SET body = EXCLUDED.body, "
        "  updated_at = now()",
        shop_id, locale, name, body);
    tx.commit();
  });
}

Result<bool> PgShopDirectory::ResetTemplate(int64_t shop_id, const std::string& locale,
                                            const std::string& name) {
  bool existed = false;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "DELETE FROM shop_templates WHERE shop_id = $1 AND locale = $2 AND name = $3 "
        "RETURNING 1",
        shop_id, locale, name);
    tx.commit();
    existed = !rows.empty();
  });
  if (!status) return tl::unexpected(status.error());
  return existed;
}

Result<std::vector<ShopTemplate>> PgShopDirectory::ListTemplates(int64_t shop_id) {
  std::vector<ShopTemplate> templates;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT locale, name, "
             "  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
             "FROM shop_templates WHERE shop_id = $1 ORDER BY locale, name",
             shop_id)) {
      templates.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
  });
  if (!status) return tl::unexpected(status.error());
  return templates;
}

Result<std::optional<orders::OrderView>> PgOrderClockStore::Take(const char* due_condition,
                                                                 int minutes, bool expire,
                                                                 const Notices& notices) {
  std::optional<orders::OrderView> taken;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    taken.reset();
    pqxx::work tx(c);
    // One order at a time, skipping those another worker holds: several workers share the
    // table without waiting for each other.
    auto due = tx.exec_params(std::string("SELECT id, shop_id FROM orders WHERE ") + due_condition +
                                  " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                              minutes);
    if (due.empty()) return;
    const int64_t order_id = due[0][0].as<int64_t>();
    const auto shop = LoadShop(tx, "id", due[0][1].as<std::string>());
    if (!shop) return;
    PgOrderLedger ledger(tx);
    std::optional<orders::OrderView> order;
    if (expire) {
      bot::ChangeOrder change{
          order_id, 0, "", orders::OrderAction::kExpire, orders::Actor::kSystem, "payment timeout"};
      auto outcome = ledger.Apply(shop->id, change, "", minutes);
      if (outcome && std::holds_alternative<bot::OrderChanged>(*outcome)) {
        order = std::get<bot::OrderChanged>(*outcome).order;
      }
    } else {
      tx.exec_params("UPDATE orders SET reminded_at = now() WHERE id = $1", order_id);
      order = *ledger.FindOrder(shop->id, order_id);
    }
    if (!order) return;
    QueueReplies(tx, shop->id, notices(*shop, *order), "");
    tx.commit();
    taken = order;
  });
  if (!status) return tl::unexpected(status.error());
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

Result<std::vector<bot::ProofJob>> PgProofStore::ClaimDue(int limit, std::chrono::seconds lease) {
  std::vector<bot::ProofJob> jobs;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    jobs.clear();
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "UPDATE payment_proofs p SET attempts = p.attempts + 1, "
        "  next_attempt_at = now() + make_interval(secs => $2) "
        "FROM orders o, shops s "
        "WHERE o.id = p.order_id AND s.id = o.shop_id AND p.id IN ("
        "  SELECT id FROM payment_proofs WHERE status = 'pending' AND next_attempt_at <= now() "
        "  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING p.id, p.order_id, s.id, s.access_token, p.media_id, p.mime_type, p.attempts",
        limit, static_cast<int64_t>(lease.count()));
    for (const auto& row : rows) {
      auto shop = LoadShop(tx, "id", row[2].as<std::string>());
      if (!shop) continue;
      // A token that cannot be opened (no or wrong master key) fails the fetch with the
      // Graph API's 401, retried and then reported to the owners like any refused token.
      auto token = RevealToken(row[3].as<std::string>(), shop->phone_number_id);
      if (!token)
        common::GetLogger("media")->critical("shop {}: {}", shop->phone_number_id,
                                             token.error().message);
      jobs.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), *shop, token.value_or(""),
                      row[4].as<std::string>(), row[5].as<std::string>(), row[6].as<int>()});
    }
    tx.commit();
  });
  if (!status) return tl::unexpected(status.error());
  return jobs;
}

Status PgProofStore::Complete(const bot::ProofJob& job, const bot::StoredMedia& media,
                              const Notices& notices) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    // Only a proof still pending: if a fetch outlived its lease and another worker finished
    // it first, the owners have their notice already.
    auto stored = tx.exec_params(
        "UPDATE payment_proofs SET status = 'stored', sha256 = $2, size_bytes = $3, path = $4, "
        "  last_error = NULL WHERE id = $1 AND status = 'pending'",
        job.proof_id, media.sha256, media.size, media.path);
    if (stored.affected_rows() == 0) return;
    // The same picture sent for another order of this shop: the owner should know.
    auto duplicate = tx.exec_params(
        "SELECT o.number FROM payment_proofs p JOIN orders o ON o.id = p.order_id "
        "WHERE p.sha256 = $1 AND p.order_id <> $2 AND o.shop_id = $3 ORDER BY p.id LIMIT 1",
        media.sha256, job.order_id, job.shop.id);
    PgOrderLedger ledger(tx);
    auto order = ledger.FindOrder(job.shop.id, job.order_id);
    if (order && *order) {
      QueueReplies(tx, job.shop.id,
                   notices(**order, duplicate.empty() ? 0 : duplicate[0][0].as<int64_t>()), "");
    }
    tx.commit();
  });
}

Status PgProofStore::Retry(int64_t proof_id, std::chrono::seconds delay, const std::string& error) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE payment_proofs SET next_attempt_at = now() + make_interval(secs => $2), "
        "  last_error = $3 WHERE id = $1",
        proof_id, static_cast<int64_t>(delay.count()), error);
    tx.commit();
  });
}

Status PgProofStore::Fail(const bot::ProofJob& job, const std::string& error,
                          const Notices& notices) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto failed = tx.exec_params(
        "UPDATE payment_proofs SET status = 'failed', last_error = $2 "
        "WHERE id = $1 AND status = 'pending'",
        job.proof_id, error);
    if (failed.affected_rows() == 0) return;
    PgOrderLedger ledger(tx);
    auto order = ledger.FindOrder(job.shop.id, job.order_id);
    if (order && *order && (*order)->status == orders::OrderStatus::kPaymentReview) {
      QueueReplies(tx, job.shop.id, notices(**order, -1), "");
    }
    tx.commit();
  });
}

Status PgProofStore::Refuse(const bot::ProofJob& job, const std::string& reason, int hold_minutes,
                            const CustomerNotices& notices) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto refused = tx.exec_params(
        "UPDATE payment_proofs SET status = 'refused', last_error = $2 "
        "WHERE id = $1 AND status = 'pending'",
        job.proof_id, reason);
    if (refused.affected_rows() == 0) return;
    PgOrderLedger ledger(tx);
    // Locked first, so that a proof arriving meanwhile is seen (or waits for this one).
    tx.exec_params("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", job.order_id);
    // Another proof the owner may still look at: one pending, or stored since the order last
    // went into review (a second screenshot keeps it there).
    auto others = tx.exec_params(
        "SELECT count(*) AS n FROM payment_proofs p WHERE p.order_id = $1 AND p.id <> $2 "
        "  AND (p.status = 'pending' OR (p.status = 'stored' AND p.created_at >= coalesce(("
        "    SELECT max(e.at) FROM order_events e WHERE e.order_id = $1 "
        "      AND e.to_status = 'payment_review' "
        "      AND e.from_status IS DISTINCT FROM 'payment_review'), '-infinity')))",
        job.order_id, job.proof_id);
    std::optional<orders::OrderView> order;
    if (others[0]["n"].as<int64_t>() == 0) {
      bot::ChangeOrder back{job.order_id,           0, "", orders::OrderAction::kRefuseProof,
                            orders::Actor::kSystem, ""};
      auto outcome = ledger.Apply(job.shop.id, back, "", hold_minutes);
      if (outcome && std::holds_alternative<bot::OrderChanged>(*outcome)) {
        order = std::get<bot::OrderChanged>(*outcome).order;
      }
    }
    if (!order) {
      auto found = ledger.FindOrder(job.shop.id, job.order_id);
      if (found && *found) order = **found;
    }
    if (order && !orders::IsFinal(order->status)) {
      QueueReplies(tx, job.shop.id, notices(*order), "");
    }
    tx.commit();
  });
}

Status PgShopDirectory::SetNoticeTemplate(int64_t shop_id, const std::string& kind,
                                          const bot::NoticeTemplate& t) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO notice_templates (shop_id, kind, template_name, language) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (shop_id, kind) DO UPDATE SET "
        "  template_name = EXCLUDED.template_name, language = EXCLUDED.language",
        shop_id, kind, t.name, t.language);
    tx.commit();
  });
}

Status PgShopDirectory::AddOwner(int64_t shop_id, const bot::ShopOwner& owner) {
  return session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO owners (shop_id, phone, name, locale) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (shop_id, phone) DO UPDATE SET name = EXCLUDED.name, locale = EXCLUDED.locale",
        shop_id, owner.phone, owner.name, owner.locale);
    tx.commit();
  });
}

Result<bool> PgShopDirectory::RemoveOwner(int64_t shop_id, const std::string& phone) {
  bool removed = false;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    removed = tx.exec_params("DELETE FROM owners WHERE shop_id = $1 AND phone = $2", shop_id, phone)
                  .affected_rows() > 0;
    tx.commit();
  });
  if (!status) return tl::unexpected(status.error());
  return removed;
}

Result<std::vector<bot::ShopOwner>> PgShopDirectory::ListOwners(int64_t shop_id) {
  std::vector<bot::ShopOwner> owners;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT phone, name, locale FROM owners WHERE shop_id = $1 ORDER BY created_at",
             shop_id)) {
      owners.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
  });
  if (!status) return tl::unexpected(status.error());
  return owners;
}

}  // namespace chatshop::infra

namespace chatshop::infra {

Result<std::vector<OrderSummary>> PgOrderAdmin::List(int64_t shop_id, const std::string& status,
                                                     const std::string& since, int limit) {
  std::vector<OrderSummary> orders;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    orders.clear();
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT number, status, customer, total_minor, coalesce(payment_method, ''), "
             "  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
             "  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
             "FROM orders WHERE shop_id = $1 AND ($2 = '' OR status = $2) "
             "  AND ($3 = '' OR created_at >= $3::timestamptz) "
             "ORDER BY created_at DESC, number DESC LIMIT $4",
             shop_id, status, since, limit)) {
      orders.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                        row[3].as<int64_t>(), row[4].as<std::string>(), row[5].as<std::string>(),
                        row[6].as<std::string>()});
    }
  });
  if (!ran) return tl::unexpected(ran.error());
  return orders;
}

Result<nlohmann::json> PgOrderAdmin::Show(int64_t shop_id, int64_t number) {
  std::optional<nlohmann::json> order;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    order.reset();
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        "SELECT json_build_object('number', number, 'status', status, 'customer', customer, "
        "  'lines', lines, 'subtotal_minor', subtotal_minor, 'delivery_minor', delivery_minor, "
        "  'total_minor', total_minor, 'payment_method', payment_method, 'reason', reason, "
        "  'created_at', created_at, 'expires_at', expires_at, "
        "  'events', (SELECT coalesce(json_agg(json_build_object('from', from_status, 'to', "
        "to_status, "
        "     'actor', actor, 'reason', reason, 'at', at) ORDER BY id), '[]') "
        "     FROM order_events WHERE order_id = o.id), "
        "  'payment_proofs', (SELECT coalesce(json_agg(json_build_object('status', status, "
        "     'path', path, 'sha256', sha256, 'mime_type', mime_type) ORDER BY id), '[]') "
        "     FROM payment_proofs WHERE order_id = o.id))::text "
        "FROM orders o WHERE shop_id = $1 AND number = $2",
        shop_id, number);
    if (!rows.empty()) order = nlohmann::json::parse(rows[0][0].as<std::string>());
  });
  if (!ran) return tl::unexpected(ran.error());
  if (!order)
    return MakeError(ErrorCode::kNotFound, "the shop has no order #" + std::to_string(number));
  return *order;
}

Result<bot::Outcome> PgOrderAdmin::Change(int64_t shop_id, const bot::ChangeOrder& change,
                                          int hold_minutes, const Notices& notices) {
  std::optional<Result<bot::Outcome>> outcome;
  auto ran = session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    PgOrderLedger ledger(tx);
    outcome = ledger.Apply(shop_id, change, "admin", hold_minutes);
    if (!*outcome) return;  // rolls back
    QueueReplies(tx, shop_id, notices(**outcome), "");
    tx.commit();
  });
  if (!ran) return tl::unexpected(ran.error());
  return *outcome;
}

}  // namespace chatshop::infra
