#include "service/catalog_reader.h"

#include "common/logging.h"

namespace chatshop::service {

CatalogReader::CatalogReader(orders::CatalogService& catalogs)
    : catalogs_(catalogs), log_(common::GetLogger("worker")) {}

Result<orders::Catalog> CatalogReader::CatalogFor(int64_t shop_id, int64_t catalog_version) {
  return catalogs_.Get(shop_id, catalog_version);
}

void CatalogReader::Forget(int64_t shop_id) {
  if (auto dropped = catalogs_.DropCached(shop_id); !dropped) {
    log_->warn("cannot drop cached catalog shop={}: {}", shop_id, dropped.error().message);
  }
}

}  // namespace chatshop::service
