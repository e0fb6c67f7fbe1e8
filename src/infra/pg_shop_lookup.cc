#include "infra/pg_shop_lookup.h"

#include <optional>
#include <pqxx/pqxx>

namespace chatshop::infra {

Result<int64_t> PgShopLookup::IdOf(const std::string& phone_number_id) {
  std::optional<int64_t> id;
  auto status = session_.Run([&](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params("SELECT id FROM shops WHERE phone_number_id = $1", phone_number_id);
    if (!rows.empty()) id = rows[0]["id"].as<int64_t>();
  });
  if (!status) return tl::unexpected(status.error());
  if (!id) return MakeError(ErrorCode::kNotFound, "no shop has phone_number_id " + phone_number_id);
  return *id;
}

}  // namespace chatshop::infra
