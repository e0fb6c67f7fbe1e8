#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bot/engine.h"
#include "common/templates.h"
#include "orders/bill.h"
#include "orders/catalog.h"

namespace chatshop::service {

// A shop as the conversation needs it, as the stores load it.
struct ShopRecord {
  int64_t id = 0;
  std::string name;
  std::string phone_number_id;
  std::string locale = common::kDefaultLocale;  // the language replies start in
  orders::DeliveryRule delivery;
  common::TemplateOverrides templates;  // the shop's own wording, "<locale>/<name>" → source
  orders::PaymentOptions payment;
  std::vector<bot::ShopOwner> owners;
  std::map<std::string, bot::NoticeTemplate> notice_templates;  // by kind (bot::kNoticeKinds)
  bool disabled = false;        // switched off by an admin: its customers' messages are parked
  int reservation_minutes = 0;  // the shop's own stock hold at checkout; 0: the configured one
  // Bumped with every change of what its catalog shows (stock, import, aliases): a cached
  // catalog older than this is never used (orders::CatalogService::Get).
  int64_t catalog_version = 0;

  const bot::ShopOwner* Owner(const std::string& phone) const {
    for (const auto& o : owners) {
      if (o.phone == phone) return &o;
    }
    return nullptr;
  }
};

}  // namespace chatshop::service
