#pragma once

#include <cstdint>

#include "common/result.h"
#include "orders/catalog.h"

namespace chatshop::service {

// The shop's catalog as the conversation needs it (cached reads). One per thread. Nothing here
// forgets a cached copy: every change of what a catalog shows bumps the shop's catalog_version
// in its transaction (infra/pg_stock), and a read asks for that version or newer.
class CatalogSource {
 public:
  virtual ~CatalogSource() = default;
  // The catalog at `catalog_version` (the shop row's, ShopRecord::catalog_version) or newer.
  [[nodiscard]] virtual Result<orders::Catalog> CatalogFor(int64_t shop_id,
                                                           int64_t catalog_version) = 0;
};

}  // namespace chatshop::service
