#pragma once

#include <string>

#include "bot/ports.h"
#include "infra/postgres.h"

namespace chatshop::infra {

// bot::InboundStore on PostgreSQL (tables shops, owners, inbox, conversations, outbox,
// message_status, and the order tables through PgOrderLedger). One per thread.
class PgInboundStore : public bot::InboundStore {
 public:
  explicit PgInboundStore(std::string url) : session_(std::move(url)) {}

  Result<bot::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override;
  Result<bool> Handle(const whatsapp::InboundEvent& event, const bot::ShopRecord& shop,
                      const Decide& decide) override;
  Result<bool> RecordStatus(const whatsapp::InboundEvent& status, const bot::ShopRecord& shop,
                            const FailureReport& report) override;

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
