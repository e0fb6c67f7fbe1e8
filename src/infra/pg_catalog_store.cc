#include "infra/pg_catalog_store.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "infra/pg_stock.h"

namespace chatshop::infra {

namespace {

orders::Catalog ReadProducts(pqxx::transaction_base& tx, int64_t shop_id) {
  orders::Catalog catalog;
  for (const auto& row : tx.exec_params("SELECT sku, name, price_minor, stock, unit, category, "
                                        "  array_to_json(aliases)::text AS aliases "
                                        "FROM products WHERE shop_id = $1 ORDER BY position",
                                        shop_id)) {
    orders::Product p;
    p.sku = row["sku"].as<std::string>();
    p.name = row["name"].as<std::string>();
    p.price.minor = row["price_minor"].as<int64_t>();
    p.stock = row["stock"].as<int64_t>();
    p.unit = row["unit"].as<std::string>();
    p.category = row["category"].as<std::string>();
    p.aliases =
        nlohmann::json::parse(row["aliases"].as<std::string>()).get<std::vector<std::string>>();
    catalog.products.push_back(std::move(p));
  }
  return catalog;
}

}  // namespace

Result<orders::Catalog> PgCatalogStore::LoadCatalog(int64_t shop_id) {
  orders::Catalog catalog;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    catalog = ReadProducts(tx, shop_id);
  }));
  return catalog;
}

Result<orders::CachedCatalog> PgCatalogStore::LoadWithVersion(int64_t shop_id) {
  std::optional<orders::CachedCatalog> loaded;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    loaded.reset();
    // One snapshot for both reads: the products shown are exactly those of that version.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    const auto shop = tx.exec_params("SELECT catalog_version FROM shops WHERE id = $1", shop_id);
    if (shop.empty()) return;
    loaded =
        orders::CachedCatalog{ReadProducts(tx, shop_id), shop[0]["catalog_version"].as<int64_t>()};
  }));
  if (!loaded) return MakeError(ErrorCode::kNotFound, "no shop " + std::to_string(shop_id));
  return std::move(*loaded);
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
    BumpCatalogVersion(tx, shop_id);
    tx.commit();
  });
}

Result<int64_t> PgCatalogStore::AdjustStock(int64_t shop_id, const std::string& sku,
                                            int64_t delta) {
  std::optional<int64_t> now;
  bool exists = false;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    now.reset();
    pqxx::work tx(c);
    const auto changed = ChangeStock(tx, shop_id, {{sku, delta, /*relative=*/true}});
    if (changed.empty()) {
      exists =
          !tx.exec_params("SELECT 1 FROM products WHERE shop_id = $1 AND sku = $2", shop_id, sku)
               .empty();
      return;
    }
    now = changed.begin()->second;
    tx.commit();
  }));
  if (now) return *now;
  if (!exists) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return MakeError(ErrorCode::kFailedPrecondition, sku + ": the stock would go below zero");
}

Result<std::vector<std::string>> PgCatalogStore::ChangeAlias(int64_t shop_id,
                                                             const std::string& sku,
                                                             const std::string& alias, bool add) {
  std::optional<std::vector<std::string>> aliases;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    aliases.reset();
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        std::string("UPDATE products SET aliases = ") +
            (add ? "CASE WHEN $3 = ANY(aliases) THEN aliases ELSE array_append(aliases, $3) END"
                 : "array_remove(aliases, $3)") +
            ", updated_at = now() WHERE shop_id = $1 AND sku = $2 RETURNING "
            "array_to_json(aliases)::text AS aliases",
        shop_id, sku, alias);
    if (rows.empty()) return;
    aliases =
        nlohmann::json::parse(rows[0]["aliases"].as<std::string>()).get<std::vector<std::string>>();
    BumpCatalogVersion(tx, shop_id);
    tx.commit();
  }));
  if (!aliases) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return *aliases;
}

Status PgCatalogStore::SetStock(int64_t shop_id, const std::string& sku, int64_t stock) {
  bool found = false;
  RETURN_IF_ERROR(session_.Run([&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    found = !ChangeStock(tx, shop_id, {{sku, stock, /*relative=*/false}}).empty();
    if (!found) return;
    tx.commit();
  }));
  if (!found) return MakeError(ErrorCode::kNotFound, "the shop has no product " + sku);
  return Ok();
}

}  // namespace chatshop::infra
