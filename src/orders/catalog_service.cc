#include "orders/catalog_service.h"

#include <nlohmann/json.hpp>

namespace chatshop::orders {

Result<Catalog> CatalogService::Get(int64_t shop_id, int64_t catalog_version) {
  if (auto cached = cache_.Get(shop_id);
      cached && cached->has_value() && (*cached)->version >= catalog_version) {
    return std::move((*cached)->catalog);
  }
  if (replica_ != nullptr) {
    // A replica behind the primary shows an older version than the shop row (read from the
    // primary) names: such a copy would undo changes the customer may already have seen.
    if (auto snapshot = replica_->LoadWithVersion(shop_id);
        snapshot && snapshot->version >= catalog_version) {
      if (counters_.replica != nullptr) counters_.replica->Increment();
      (void)cache_.Put(shop_id, *snapshot);  // best effort, as below
      return std::move(snapshot->catalog);
    }
  }
  ASSIGN_OR_RETURN(Catalog loaded, store_.LoadCatalog(shop_id));
  if (counters_.primary != nullptr) counters_.primary->Increment();
  (void)cache_.Put(shop_id, {loaded, catalog_version});  // best effort: the next read tries again
  return loaded;
}

namespace {

nlohmann::json ProductsToJson(const Catalog& catalog) {
  nlohmann::json products = nlohmann::json::array();
  for (const auto& p : catalog.products) {
    products.push_back({{"sku", p.sku},
                        {"name", p.name},
                        {"price", p.price.minor},
                        {"stock", p.stock},
                        {"unit", p.unit},
                        {"category", p.category},
                        {"aliases", p.aliases}});
  }
  return products;
}

Result<Catalog> CatalogFromParsed(const nlohmann::json& json) {
  Catalog catalog;
  try {
    for (const auto& p : json.at("products")) {
      catalog.products.push_back({p.at("sku").get<std::string>(), p.at("name").get<std::string>(),
                                  Money{p.at("price").get<int64_t>()}, p.at("stock").get<int64_t>(),
                                  p.at("unit").get<std::string>(),
                                  p.at("category").get<std::string>(),
                                  p.at("aliases").get<std::vector<std::string>>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not a cached catalog: ") + e.what());
  }
  return catalog;
}

}  // namespace

std::string CatalogToJson(const Catalog& catalog) {
  return nlohmann::json{{"products", ProductsToJson(catalog)}}.dump();
}

Result<Catalog> CatalogFromJson(const std::string& text) {
  return CatalogFromParsed(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false));
}

std::string CachedCatalogToJson(const CachedCatalog& cached) {
  return nlohmann::json{{"version", cached.version}, {"products", ProductsToJson(cached.catalog)}}
      .dump();
}

Result<CachedCatalog> CachedCatalogFromJson(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSIGN_OR_RETURN(Catalog catalog, CatalogFromParsed(json));
  const auto version = json.find("version");
  return CachedCatalog{std::move(catalog), version != json.end() && version->is_number_integer()
                                               ? version->get<int64_t>()
                                               : -1};
}

}  // namespace chatshop::orders
