#include "infra/pg_shop_directory.h"

#include <pqxx/pqxx>

#include "infra/pg_rows.h"

namespace chatshop::infra {
namespace {

// The columns ShopFromRow reads.
std::string ShopColumns() {
  return "id, phone_number_id, name, " + IsoUtc("created_at") +
         " AS created_at, locale, delivery_fee_minor, free_delivery_from_minor, "
         "coalesce(upi_vpa, '') AS upi_vpa, cod_allowed";
}

ShopSummary ShopFromRow(const pqxx::row& row) {
  ShopSummary shop;
  shop.id = row["id"].as<int64_t>();
  shop.phone_number_id = row["phone_number_id"].as<std::string>();
  shop.name = row["name"].as<std::string>();
  shop.created_at = row["created_at"].as<std::string>();
  shop.locale = row["locale"].as<std::string>();
  shop.delivery.fee = orders::Money{row["delivery_fee_minor"].as<int64_t>()};
  if (!row["free_delivery_from_minor"].is_null()) {
    shop.delivery.free_from = orders::Money{row["free_delivery_from_minor"].as<int64_t>()};
  }
  shop.payment = {row["upi_vpa"].as<std::string>(), row["cod_allowed"].as<bool>(), ""};
  return shop;
}

// Runs one UPDATE of the shop with `phone_number_id` ($1; `params` are $2…); kNotFound when no
// shop has that number.
template <typename... Params>
Status UpdateShopByNumber(PgSession& session, const std::string& phone_number_id, const char* sql,
                          const Params&... params) {
  bool found = false;
  RETURN_IF_ERROR(session.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    found = tx.exec_params(sql, phone_number_id, params...).affected_rows() > 0;
    tx.commit();
  }));
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
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
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
        "  AS shop "
        "FROM shops s WHERE phone_number_id = $1",
        phone_number_id);
    if (!rows.empty()) shop = nlohmann::json::parse(rows[0]["shop"].as<std::string>());
  }));
  if (!shop)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *shop;
}

Result<int64_t> PgShopDirectory::QueueMessage(int64_t shop_id, const std::string& to,
                                              const nlohmann::json& payload) {
  int64_t id = 0;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "INSERT INTO outbox (shop_id, recipient, payload) VALUES ($1, $2, $3::jsonb) RETURNING id",
        shop_id, to, payload.dump());
    id = rows[0]["id"].as<int64_t>();
    tx.commit();
  }));
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
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params("SELECT access_token FROM shops WHERE phone_number_id = $1",
                               phone_number_id);
    if (!rows.empty()) token = rows[0]["access_token"].as<std::string>();
  }));
  if (!token)
    return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *token;
}

Result<ShopSummary> PgShopDirectory::UpsertShop(const std::string& phone_number_id,
                                                const std::string& name,
                                                const std::string& access_token) {
  ShopSummary shop;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "INSERT INTO shops (phone_number_id, name, access_token) VALUES ($1, $2, $3) "
        // A new token lifts a credential hold: the shop's waiting replies go out.
        "ON CONFLICT (phone_number_id) DO UPDATE SET name = EXCLUDED.name, "
        "  access_token = EXCLUDED.access_token, credentials_ok = true, credentials_error = NULL "
        "RETURNING " +
            ShopColumns(),
        phone_number_id, name, access_token);
    tx.commit();
    shop = ShopFromRow(rows[0]);
  }));
  return shop;
}

Result<std::vector<ShopSummary>> PgShopDirectory::ListShops() {
  std::vector<ShopSummary> shops;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    shops.clear();
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT " + ShopColumns() + " FROM shops ORDER BY id")) {
      shops.push_back(ShopFromRow(row));
    }
  }));
  return shops;
}

Result<ShopSummary> PgShopDirectory::ChangeSettings(const std::string& phone_number_id,
                                                    const ShopSettingsChange& change) {
  std::optional<ShopSummary> shop;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
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
        "  display_phone_number = coalesce($14, display_phone_number), "
        "  waba_id = coalesce($15, waba_id), "
        "  upi_payee_name = coalesce(nullif($16, ''), upi_payee_name) "
        "WHERE phone_number_id = $1 RETURNING " +
            ShopColumns(),
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
  }));
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
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "DELETE FROM shop_templates WHERE shop_id = $1 AND locale = $2 AND name = $3 "
        "RETURNING 1",
        shop_id, locale, name);
    tx.commit();
    existed = !rows.empty();
  }));
  return existed;
}

Result<std::vector<ShopTemplate>> PgShopDirectory::ListTemplates(int64_t shop_id) {
  std::vector<ShopTemplate> templates;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    templates.clear();
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params("SELECT locale, name, " + IsoUtc("updated_at") +
                                              " AS updated_at FROM shop_templates "
                                              "WHERE shop_id = $1 ORDER BY locale, name",
                                          shop_id)) {
      templates.push_back({row["locale"].as<std::string>(), row["name"].as<std::string>(),
                           row["updated_at"].as<std::string>()});
    }
  }));
  return templates;
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
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    removed = tx.exec_params("DELETE FROM owners WHERE shop_id = $1 AND phone = $2", shop_id, phone)
                  .affected_rows() > 0;
    tx.commit();
  }));
  return removed;
}

Result<std::vector<bot::ShopOwner>> PgShopDirectory::ListOwners(int64_t shop_id) {
  std::vector<bot::ShopOwner> owners;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    owners.clear();
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT phone, name, locale FROM owners WHERE shop_id = $1 ORDER BY created_at",
             shop_id)) {
      owners.push_back({row["phone"].as<std::string>(), row["name"].as<std::string>(),
                        row["locale"].as<std::string>()});
    }
  }));
  return owners;
}

}  // namespace chatshop::infra
