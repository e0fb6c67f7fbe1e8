#include "orders/catalog_service.h"

#include <nlohmann/json.hpp>

namespace chatshop::orders {

Result<Catalog> CatalogService::Get(int64_t shop_id) {
  if (auto cached = cache_.Get(shop_id); cached && cached->has_value()) return **cached;
  auto loaded = store_.LoadCatalog(shop_id);
  if (!loaded) return loaded;
  (void)cache_.Put(shop_id, *loaded);  // best effort: the next read tries again
  return loaded;
}

Status CatalogService::DropCached(int64_t shop_id) {
  auto dropped = cache_.Invalidate(shop_id);
  if (!dropped) {
    return MakeError(ErrorCode::kUnavailable,
                     "saved, but the cached catalog could not be dropped (" +
                         dropped.error().message +
                         "); replies may show the old one until it expires");
  }
  return Ok();
}

Status CatalogService::Replace(int64_t shop_id, const Catalog& catalog) {
  if (auto stored = store_.ReplaceCatalog(shop_id, catalog); !stored) return stored;
  return DropCached(shop_id);
}

Status CatalogService::SetStock(int64_t shop_id, const std::string& sku, int64_t stock) {
  if (auto stored = store_.SetStock(shop_id, sku, stock); !stored) return stored;
  return DropCached(shop_id);
}

std::string CatalogToJson(const Catalog& catalog) {
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
  return nlohmann::json{{"products", products}}.dump();
}

Result<Catalog> CatalogFromJson(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
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

}  // namespace chatshop::orders
