#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace chatshop::service {

// A reply waiting in the outbox table to be sent, as the sender loads it.
struct OutboxMessage {
  int64_t id = 0;
  int64_t shop_id = 0;
  std::string phone_number_id;
  std::string access_token;     // the shop's Graph API token; never logged
  std::string token_at_rest;    // the token as stored (encrypted): which one HoldShop refuses
  std::string recipient;        // wa_id
  nlohmann::json payload;       // the full /messages request body
  int attempts = 0;             // sends tried so far that failed
  nlohmann::json fallback;      // template message for a closed 24-hour window; null: none
  bool window_open = true;      // the recipient wrote to the shop within the last 24 hours
  std::string status;           // pending | queued | sent | dead
  bool earlier_unsent = false;  // an older reply to the same recipient is not accepted yet
  bool credentials_ok = true;   // false while the shop's token is known to be refused
  int messages_per_second = 0;  // the shop's own rate; 0: the configured default
  int64_t age_ms = 0;           // since the reply was written
  bool is_notice = false;       // an order notice to a customer (its failure concerns the owners)
  std::string caused_by;        // wamid of the customer's message this answers; "" for notices
  bool first_answer = false;    // the first reply to that message
};

// A reply on its way through the outbound queues: what a queue message carries. The reply
// itself stays in the outbox table, the source of truth; the queue carries only which one.
struct OutboundJob {
  int64_t outbox_id = 0;
  std::string phone_number_id;
  std::string recipient;  // routes the job to its recipient's shard

  nlohmann::json ToJson() const;
  static Result<OutboundJob> FromJson(const nlohmann::json& json);
  bool operator==(const OutboundJob&) const = default;
};

// The durable outbox. Implementations must be safe to use from several processes at once;
// one instance per thread.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Leases up to `limit` replies not yet on the queues, oldest first; a relay that dies
  // before MarkQueued gives them back when the lease ends.
  [[nodiscard]] virtual Result<std::vector<OutboundJob>> ClaimUnqueued(int limit) = 0;
  // The replies are on the outbound queues.
  [[nodiscard]] virtual Status MarkQueued(const std::vector<int64_t>& ids) = 0;
  // The reply as it is now; nullopt when there is no such row.
  [[nodiscard]] virtual Result<std::optional<OutboxMessage>> Load(int64_t id) = 0;
  // Records Meta's wamid: the reply will not be sent again.
  [[nodiscard]] virtual Status MarkSent(int64_t id, const std::string& wamid) = 0;
  // A failed send: `attempts` so far and why, for operators.
  [[nodiscard]] virtual Status MarkAttempt(int64_t id, int attempts, const std::string& error) = 0;
  // Given up on: Meta's error code (0: none) and message; it is in the dead-letter queue.
  [[nodiscard]] virtual Status MarkDead(int64_t id, int64_t code, const std::string& error) = 0;
  // Meta refused the shop's token (`refused_token`, as stored): its replies wait until an
  // admin sets a new one. Nothing changes when the shop's token is no longer that one (a send
  // with the old token failed after the admin replaced it).
  [[nodiscard]] virtual Status HoldShop(int64_t shop_id, const std::string& refused_token,
                                        const std::string& error) = 0;
};

}  // namespace chatshop::service
