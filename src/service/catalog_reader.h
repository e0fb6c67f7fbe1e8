#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "orders/catalog_service.h"
#include "service/ports/catalog_source.h"

namespace chatshop::service {

// The conversation's catalogs through orders::CatalogService (the store behind its cache).
// Forgetting is best effort: a cached copy that cannot be dropped now expires with the cache's
// TTL, which is logged. Not thread-safe (the service's store and cache are not): one per thread.
class CatalogReader : public CatalogSource {
 public:
  explicit CatalogReader(orders::CatalogService& catalogs);

  Result<orders::Catalog> CatalogFor(int64_t shop_id, int64_t catalog_version) override;
  void Forget(int64_t shop_id) override;

 private:
  orders::CatalogService& catalogs_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace chatshop::service
