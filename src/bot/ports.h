#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::bot {

// A shop as the conversation needs it.
struct ShopRecord {
  int64_t id = 0;
  std::string name;
  std::string phone_number_id;
};

// Where the worker reads shops and commits the effects of one inbound message. Implementations
// must be safe to use from several processes at once; one instance per thread.
class InboundStore {
 public:
  virtual ~InboundStore() = default;

  // The shop that owns a WhatsApp number; kNotFound when no shop has it.
  [[nodiscard]] virtual Result<ShopRecord> FindShopByPhoneNumberId(
      const std::string& phone_number_id) = 0;

  // In one transaction: records the message in the inbox (unique by wamid) and queues each of
  // `replies` (Graph API /messages bodies) in the outbox. Returns true when recorded, false when
  // this wamid was recorded before, in which case nothing changes (Meta redelivers; §1.3).
  [[nodiscard]] virtual Result<bool> RecordInbound(const whatsapp::InboundEvent& event,
                                                   const ShopRecord& shop,
                                                   const std::vector<nlohmann::json>& replies) = 0;
};

}  // namespace chatshop::bot
