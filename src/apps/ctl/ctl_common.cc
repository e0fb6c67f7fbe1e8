#include "apps/ctl/ctl_common.h"

#include <iostream>

#include "infra/pg_inbound_store.h"

namespace chatshop::ctl {

int Fail(const Error& error) {
  std::cerr << "chatshopctl: " << error.ToString() << "\n";
  return error.code == ErrorCode::kUnavailable ? 2 : 1;
}

std::optional<int64_t> ShopId(const common::Config& config, const std::string& phone_number_id) {
  infra::PgInboundStore shops(config.postgres.url);
  auto shop = shops.FindShopByPhoneNumberId(phone_number_id);
  if (!shop) {
    std::cerr << "chatshopctl: "
              << (shop.error().code == ErrorCode::kNotFound
                      ? "no shop has phone_number_id " + phone_number_id +
                            " (add it with: chatshopctl shop add)"
                      : shop.error().ToString())
              << "\n";
    return std::nullopt;
  }
  return shop->id;
}

}  // namespace chatshop::ctl
