#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "service/ports/order_ledger.h"
#include "service/ports/shop_record.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::service {

// What one inbound message leads to, written in its transaction. The store reads none of it
// but what it writes: it never parses the conversation state.
struct Decision {
  std::vector<nlohmann::json> replies;  // /messages bodies, each to its "to"
  // The sender's new conversation state, a JSON document kept whole; nullopt keeps the stored
  // one.
  std::optional<std::string> state;
  bool rate_limited = false;  // kept but not run: the customer wrote too fast
};

// Where the worker reads shops and commits the effects of one inbound message. Implementations
// must be safe to use from several processes at once; one instance per thread.
class InboundStore {
 public:
  virtual ~InboundStore() = default;

  // The shop that owns a WhatsApp number, with its settings, owners and template overrides;
  // kNotFound when no shop has it.
  [[nodiscard]] virtual Result<ShopRecord> FindShopByPhoneNumberId(
      const std::string& phone_number_id) = 0;

  // Decides on the message from the sender's stored conversation state (the JSON document as
  // stored, "" when there is none), with the ledger of the open transaction. A callback rather
  // than a load / decide / store sequence because the decision must see the state and stock
  // as locked in the same transaction, and the store re-runs the whole transaction, decision
  // included, when PostgreSQL asks for a retry (serialization failure, lost connection).
  using Decide =
      std::function<Result<Decision>(OrderLedger& ledger, const std::string& stored_state)>;

  // In one transaction: records the message in the inbox (unique by wamid), locks the
  // sender's conversation, runs `decide` on its stored state and writes the decision: new
  // state, outbox rows. Returns true when recorded, false when this wamid was recorded before,
  // in which case `decide` is not called and nothing changes (Meta redelivers; docs/cloud-api.md
  // §1.3). An error from `decide` rolls everything back and is returned. `decide` may run again
  // when the database asks for a retry, so it must not keep state of its own.
  [[nodiscard]] virtual Result<bool> Handle(const whatsapp::InboundEvent& event,
                                            const ShopRecord& shop, const Decide& decide) = 0;

  // The owners' messages when an order notice could not be delivered: its order's number, the
  // customer and Meta's reason.
  using FailureReport = std::function<std::vector<nlohmann::json>(
      int64_t order_number, const std::string& customer, const std::string& error)>;

  // In one transaction: records Meta's delivery status of a message we sent (wamid `status.id`)
  // so that it only moves forward — sent < delivered < read < played, failed is final — and,
  // when it is a failure of an order notice, queues `report`'s messages (once). Returns false
  // when nothing changed (an older, equal or repeated status).
  [[nodiscard]] virtual Result<bool> RecordStatus(const whatsapp::InboundEvent& status,
                                                  const ShopRecord& shop,
                                                  const FailureReport& report) = 0;
};

}  // namespace chatshop::service
