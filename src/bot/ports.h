#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/templates.h"
#include "orders/bill.h"
#include "orders/catalog.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::bot {

// A shop as the conversation needs it.
struct ShopRecord {
  int64_t id = 0;
  std::string name;
  std::string phone_number_id;
  std::string locale = common::kDefaultLocale;  // the language replies start in
  orders::DeliveryRule delivery;
  common::TemplateOverrides templates;  // the shop's own wording, "<locale>/<name>" → source
};

// A customer's conversation as stored: the engine's state and the version it was read at.
struct StoredConversation {
  nlohmann::json state;  // null when there is none yet
  int64_t version = -1;  // -1: no row yet
};

// The new state to store with an inbound message, applied only if the stored version is still
// `expected_version` (-1: that no row exists yet).
struct ConversationUpdate {
  nlohmann::json state;
  int64_t expected_version = -1;
};

// Where the worker reads shops and commits the effects of one inbound message. Implementations
// must be safe to use from several processes at once; one instance per thread.
class InboundStore {
 public:
  virtual ~InboundStore() = default;

  // The shop that owns a WhatsApp number, with its settings and template overrides; kNotFound
  // when no shop has it.
  [[nodiscard]] virtual Result<ShopRecord> FindShopByPhoneNumberId(
      const std::string& phone_number_id) = 0;

  // The stored conversation of a customer with a shop.
  [[nodiscard]] virtual Result<StoredConversation> LoadConversation(
      int64_t shop_id, const std::string& customer) = 0;

  // In one transaction: records the message in the inbox (unique by wamid), stores `update`
  // (when given) and queues each of `replies` (Graph API /messages bodies) in the outbox.
  // Returns true when recorded, false when this wamid was recorded before, in which case nothing
  // changes (Meta redelivers; §1.3). kAborted when the conversation moved on since it was read:
  // read it again and redo the step.
  [[nodiscard]] virtual Result<bool> RecordInbound(const whatsapp::InboundEvent& event,
                                                   const ShopRecord& shop,
                                                   const std::vector<nlohmann::json>& replies,
                                                   const ConversationUpdate* update) = 0;
};

// The shop's catalog as the conversation needs it (cached reads). One per thread.
class CatalogSource {
 public:
  virtual ~CatalogSource() = default;
  [[nodiscard]] virtual Result<orders::Catalog> CatalogFor(int64_t shop_id) = 0;
};

}  // namespace chatshop::bot
