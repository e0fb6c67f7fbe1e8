#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::whatsapp {

// The Graph API's send endpoint (docs/cloud-api.md §5.1). Implementations must be safe to call from
// several threads at once.
class GraphApi {
 public:
  virtual ~GraphApi() = default;

  // POSTs `payload` to /{version}/{phone_number_id}/messages with the shop's token and returns
  // the wamid Meta assigned ("" for a read receipt, BuildMarkRead, which is not a message). On
  // failure the error code says what to do: kUnavailable and kResourceExhausted may be retried,
  // kUnauthenticated means the token is bad, anything else is permanent for this payload. The
  // message names Meta's code, never the token.
  [[nodiscard]] virtual Result<std::string> SendMessage(const std::string& phone_number_id,
                                                        const std::string& access_token,
                                                        const nlohmann::json& payload) = 0;
};

// A media object as Meta describes it (docs/cloud-api.md §6 "get URL").
struct MediaInfo {
  std::string url;  // valid for 5 minutes; download with the token
  std::string mime_type;
  std::string sha256;      // hex or base64 (both occur); may be empty
  int64_t file_size = -1;  // -1: not given
};

// The Graph API's media endpoints (docs/cloud-api.md §6). Implementations must be safe to call from
// several threads at once. Errors follow GraphApi::SendMessage's meaning.
class MediaApi {
 public:
  virtual ~MediaApi() = default;
  // GET /{version}/{media_id}?phone_number_id=…: where to download it.
  [[nodiscard]] virtual Result<MediaInfo> GetMedia(const std::string& phone_number_id,
                                                   const std::string& access_token,
                                                   const std::string& media_id) = 0;
  // GET `url` with the token; kResourceExhausted when it is larger than `max_bytes`.
  [[nodiscard]] virtual Result<std::string> Download(const std::string& access_token,
                                                     const std::string& url, int64_t max_bytes) = 0;
  // POST /{version}/{phone_number_id}/media: the new media id, usable in messages for 30 days.
  [[nodiscard]] virtual Result<std::string> Upload(const std::string& phone_number_id,
                                                   const std::string& access_token,
                                                   const std::string& bytes,
                                                   const std::string& mime_type) = 0;
};

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

// The outbound queues (RabbitMQ): shards by recipient, delay queues, dead letters. Every call
// returns once the broker confirmed. Thread-safe.
class OutboundQueue {
 public:
  virtual ~OutboundQueue() = default;
  [[nodiscard]] virtual Status Enqueue(const std::vector<OutboundJob>& jobs) = 0;
  // Back on its shard queue after about `delay`.
  [[nodiscard]] virtual Status Delay(const OutboundJob& job, std::chrono::milliseconds delay) = 0;
  // To the dead-letter queue with Meta's code and message.
  [[nodiscard]] virtual Status DeadLetter(const OutboundJob& job, int64_t code,
                                          const std::string& error) = 0;
  // Hands the bot a "failed" status for a reply given up on, as Meta's webhook does for a
  // message it could not deliver, so that an undelivered order notice reaches the owners.
  [[nodiscard]] virtual Status ReportUndelivered(const InboundEvent& failed_status) = 0;
};

// Meta's throughput and pair-rate limits, shared by every sender (docs/cloud-api.md §8).
// One instance per thread.
class Pacer {
 public:
  virtual ~Pacer() = default;
  // Takes one send from `phone_number_id` to `recipient` when both limits allow it now and
  // returns 0; otherwise takes nothing and returns how long to wait before asking again.
  [[nodiscard]] virtual Result<std::chrono::milliseconds> Reserve(
      const std::string& phone_number_id, const std::string& recipient,
      int messages_per_second) = 0;
};

}  // namespace chatshop::whatsapp
