#pragma once

#include <cstdint>

#include "common/result.h"
#include "orders/catalog.h"

namespace chatshop::service {

// The shop's catalog as the conversation needs it (cached reads). One per thread.
class CatalogSource {
 public:
  virtual ~CatalogSource() = default;
  // The catalog at `catalog_version` (the shop row's, ShopRecord::catalog_version) or newer.
  [[nodiscard]] virtual Result<orders::Catalog> CatalogFor(int64_t shop_id,
                                                           int64_t catalog_version) = 0;
  // Forgets any cached copy: the stock changed in the database.
  virtual void Forget(int64_t shop_id) = 0;
};

}  // namespace chatshop::service
