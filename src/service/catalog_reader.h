#pragma once

#include <memory>

#include "orders/catalog_service.h"
#include "service/ports/catalog_source.h"

namespace chatshop::service {

// The conversation's catalogs through orders::CatalogService (the store behind its cache, read
// at the shop row's catalog_version). Not thread-safe (the service's store and cache are not):
// one per thread.
class CatalogReader : public CatalogSource {
 public:
  explicit CatalogReader(orders::CatalogService& catalogs);

  Result<orders::Catalog> CatalogFor(int64_t shop_id, int64_t catalog_version) override;

 private:
  orders::CatalogService& catalogs_;
};

}  // namespace chatshop::service
