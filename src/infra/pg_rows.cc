#include "infra/pg_rows.h"

#include <pqxx/pqxx>

#include "whatsapp/outbound.h"

namespace chatshop::infra {
namespace {

// The shop row as service::ShopRecord needs it; `where` names the shop by $1.
std::optional<service::ShopRecord> LoadShop(pqxx::transaction_base& tx, const std::string& where,
                                            const std::string& value) {
  auto rows = tx.exec_params(
      "SELECT id, name, phone_number_id, locale, delivery_fee_minor, free_delivery_from_minor, "
      "  coalesce(upi_vpa, '') AS upi_vpa, cod_allowed, "
      "  coalesce(upi_payee_name, '') AS upi_payee_name, disabled_at IS NOT NULL AS disabled, "
      "  coalesce(reservation_minutes, 0) AS reservation_minutes, catalog_version, "
      "  (SELECT coalesce(json_object_agg(t.locale || '/' || t.name, t.body), '{}')::text "
      "   FROM shop_templates t WHERE t.shop_id = shops.id) AS templates, "
      "  (SELECT coalesce(json_agg(json_build_array(o.phone, o.name, o.locale) "
      "     ORDER BY o.created_at), '[]')::text FROM owners o WHERE o.shop_id = shops.id) "
      "    AS owners, "
      "  (SELECT coalesce(json_object_agg(n.kind, json_build_array(n.template_name, "
      "     n.language)), '{}')::text FROM notice_templates n WHERE n.shop_id = shops.id) "
      "    AS notice_templates "
      "FROM shops WHERE " +
          where,
      value);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  service::ShopRecord shop;
  shop.id = row["id"].as<int64_t>();
  shop.name = row["name"].as<std::string>();
  shop.phone_number_id = row["phone_number_id"].as<std::string>();
  shop.locale = row["locale"].as<std::string>();
  shop.delivery.fee = orders::Money{row["delivery_fee_minor"].as<int64_t>()};
  if (!row["free_delivery_from_minor"].is_null()) {
    shop.delivery.free_from = orders::Money{row["free_delivery_from_minor"].as<int64_t>()};
  }
  shop.payment = {row["upi_vpa"].as<std::string>(), row["cod_allowed"].as<bool>(),
                  row["upi_payee_name"].as<std::string>()};
  shop.disabled = row["disabled"].as<bool>();
  shop.reservation_minutes = row["reservation_minutes"].as<int>();
  shop.catalog_version = row["catalog_version"].as<int64_t>();
  const auto overrides = nlohmann::json::parse(row["templates"].as<std::string>(), nullptr, false);
  if (overrides.is_object()) {
    for (const auto& [name, body] : overrides.items()) {
      if (body.is_string()) shop.templates[name] = body.get<std::string>();
    }
  }
  const auto owners = nlohmann::json::parse(row["owners"].as<std::string>(), nullptr, false);
  if (owners.is_array()) {
    for (const auto& o : owners) {
      if (o.is_array() && o.size() == 3) {
        shop.owners.push_back(
            {o[0].get<std::string>(), o[1].get<std::string>(), o[2].get<std::string>()});
      }
    }
  }
  const auto notices =
      nlohmann::json::parse(row["notice_templates"].as<std::string>(), nullptr, false);
  if (notices.is_object()) {
    for (const auto& [kind, t] : notices.items()) {
      if (t.is_array() && t.size() == 2) {
        shop.notice_templates[kind] = {t[0].get<std::string>(), t[1].get<std::string>()};
      }
    }
  }
  return shop;
}

}  // namespace

std::string IsoUtc(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

std::optional<service::ShopRecord> LoadShopById(pqxx::transaction_base& tx, int64_t shop_id) {
  return LoadShop(tx, "id = $1::bigint", std::to_string(shop_id));
}

std::optional<service::ShopRecord> LoadShopByNumber(pqxx::transaction_base& tx,
                                                    const std::string& phone_number_id) {
  return LoadShop(tx, "phone_number_id = $1", phone_number_id);
}

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

}  // namespace chatshop::infra
