#pragma once

#include <string>

#include "infra/postgres.h"
#include "service/ports/inbound_store.h"

namespace chatshop::infra {

// service::InboundStore on PostgreSQL (tables shops, owners, inbox, conversations, outbox,
// message_status, and the order tables through PgOrderLedger). One per thread.
class PgInboundStore : public service::InboundStore {
 public:
  explicit PgInboundStore(std::string url) : session_(std::move(url)) {}

  Result<service::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override;
  Result<bool> Handle(const whatsapp::InboundEvent& event, const service::ShopRecord& shop,
                      const Decide& decide) override;
  Result<bool> RecordStatus(const whatsapp::InboundEvent& status, const service::ShopRecord& shop,
                            const FailureReport& report) override;

 private:
  PgSession session_;
};

}  // namespace chatshop::infra
