#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace chatshop::whatsapp {

// The Graph API's send endpoint (cloud-api.md §5.1). Implementations must be safe to call from
// several threads at once.
class GraphApi {
 public:
  virtual ~GraphApi() = default;

  // POSTs `payload` to /{version}/{phone_number_id}/messages with the shop's token and returns
  // the wamid Meta assigned. On failure the error code says what to do: kUnavailable and
  // kResourceExhausted may be retried, kUnauthenticated means the token is bad, anything else is
  // permanent for this payload. The message names Meta's code, never the token.
  [[nodiscard]] virtual Result<std::string> SendMessage(const std::string& phone_number_id,
                                                        const std::string& access_token,
                                                        const nlohmann::json& payload) = 0;
};

// A reply waiting in the outbox table to be sent.
struct OutboxMessage {
  int64_t id = 0;
  std::string phone_number_id;
  std::string access_token;  // the shop's Graph API token; never logged
  std::string recipient;     // wa_id
  nlohmann::json payload;    // the full /messages request body
  int attempts = 0;          // including the one now being made
};

// The durable outbox. A claimed row is leased for a while so that a crashed sender's rows come
// back; implementations must be safe to use from several processes at once.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Leases up to `limit` rows that are due, oldest first, and counts an attempt on each.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> ClaimDue(int limit) = 0;
  // Records Meta's wamid for the row; it will not be sent again.
  [[nodiscard]] virtual Status MarkSent(int64_t id, const std::string& wamid) = 0;
  // Makes the row due again after `delay`, keeping `error` for operators.
  [[nodiscard]] virtual Status MarkRetry(int64_t id, std::chrono::seconds delay,
                                         const std::string& error) = 0;
  // Gives up on the row for good.
  [[nodiscard]] virtual Status MarkFailed(int64_t id, const std::string& error) = 0;
};

}  // namespace chatshop::whatsapp
