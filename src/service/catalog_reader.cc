#include "service/catalog_reader.h"

namespace chatshop::service {

CatalogReader::CatalogReader(orders::CatalogService& catalogs) : catalogs_(catalogs) {}

Result<orders::Catalog> CatalogReader::CatalogFor(int64_t shop_id, int64_t catalog_version) {
  return catalogs_.Get(shop_id, catalog_version);
}

}  // namespace chatshop::service
