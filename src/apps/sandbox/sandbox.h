#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "apps/sandbox/meta_limits.h"
#include "common/config.h"
#include "common/result.h"

namespace httplib {
class Server;
}

namespace chatshop::sandbox {

// A stand-in for Meta's side of WhatsApp, for demos and end-to-end tests:
//  * the Graph API send endpoint POST /{version}/{phone-number-id}/messages, answering as Meta
//    does and recording every request it accepts;
//  * the customer side: POST /sandbox/customer/messages makes a text webhook, signs it with the
//    app secret and POSTs it to the gateway (with "reply_id" instead of "text", a tap on a
//    button or list row one of our messages offered; "context" quotes a message; with
//    "image_base64" and "mime_type", a picture or PDF, such as a payment screenshot);
// Media like Meta's (docs/cloud-api.md §6): GET /{version}/{media-id} gives a URL, GET
// /sandbox/media/{id}
//    downloads it (both with the bearer token), POST /{version}/{id}/media uploads; POST
//    /sandbox/webhooks/redeliver sends the same bytes again, as Meta does when it retries.
// GET /sandbox is a chat page with a customer's and the owner's phone side by side (GET
// /sandbox/chat feeds it, GET /sandbox/page-media/{id} shows pictures);
// Like Meta, it reports what became of each message it accepted with status webhooks (sent,
// then delivered, then read) signed and POSTed to the gateway; the chat page shows them as ticks.
// It enforces Meta's limits ([sandbox] messages_per_second, pair_interval_ms, pair_burst:
// 130429 / 131056 beyond them) and fails the sends it is told to (POST /sandbox/faults
// {"rules": [{"to", "code", "probability", "times", "delay_ms", "message"}]}, DELETE
// /sandbox/faults);
// GET /sandbox/stats counts accepted sends, limit errors and injected failures.
// GET /sandbox/messages lists what the fake Graph API received (JSON); GET
// /sandbox/conversation?customer=… prints both sides of a chat as text. Thread-safe.
// Why `config` must not run the sandbox, one line per problem (empty: it may): it signs
// webhooks with the app secret and shows every chat unauthenticated, so it listens on loopback
// only (127.0.0.0/8, ::1, localhost); and with [whatsapp] graph_base_url at Meta (any
// facebook.com host) the config is a real deployment's, whose gateway would take its fake
// customers' messages as real.
std::vector<std::string> UnsafeConfigProblems(const common::Config& config);

class Sandbox {
 public:
  Sandbox(const common::Config& config);
  ~Sandbox();

  // Serves until Stop(); kUnavailable when the listen address cannot be bound.
  [[nodiscard]] Status Run();
  void Stop();

 private:
  // Registers every route (sandbox.cc), by group:
  void Routes();
  void RouteMedia();
  void RouteSends();
  void RouteControls();
  void RouteCustomers();
  void RouteRedelivery();
  void RouteChatPage();
  // POSTs `body` to the gateway's webhook with a valid signature; returns the HTTP status
  // (0 when the gateway could not be reached).
  int DeliverWebhook(const std::string& body);
  std::string NextWamid(char direction);
  // Queues the sent → delivered → read status webhooks of an accepted message. mutex_ held.
  void QueueStatuses(const std::string& phone_number_id, const std::string& wamid,
                     const std::string& recipient, const std::string& callback_data);
  // Delivers queued status webhooks when they are due, until Stop().
  void StatusLoop();
  // The newest message to `customer` offering a button or list row `id`: sets its kind
  // ("button_reply" or "list_reply") and title. mutex_ held.
  bool FindOfferedChoice(const std::string& customer, const std::string& id, std::string& kind,
                         std::string& title) const;
  // Why Meta would refuse the media of a /messages body (an image message or image header
  // whose media id is unknown or was uploaded as anything but JPEG or PNG — a PDF used as a
  // picture —, a document whose media id is unknown); empty when it would not. Takes mutex_.
  std::string MediaRefusal(const nlohmann::json& payload);

  common::Config config_;
  std::unique_ptr<httplib::Server> server_;
  std::mutex mutex_;
  uint64_t counter_ = 0;
  std::vector<nlohmann::json> sent_messages_;    // accepted by the fake Graph API
  std::map<std::string, std::string> webhooks_;  // customer wamid → exact body POSTed
  // Both sides of every chat in order, as "who: text" lines, for GET /sandbox/conversation.
  std::vector<std::pair<std::string, std::string>> transcript_;  // (customer, line)
  struct Media {
    std::string bytes;
    std::string mime_type;
  };
  // Customers' pictures and what shops uploaded, by media id (docs/cloud-api.md §6).
  std::map<std::string, Media> media_;
  // Both sides of every chat as structured entries for the chat page (GET /sandbox/chat):
  // {"seq", "number", "dir": "in"|"out", "id", and "text" | "tapped" | "media_id"+"mime_type"
  // for what a phone sent, "payload" for what the shop sent}.
  std::vector<nlohmann::json> chat_;
  MetaLimits limits_;
  FaultPlan faults_;
  std::map<std::string, uint64_t> stats_;  // accepted, limited.130429, injected.500, …
  // Status webhooks waiting to be sent, in due order, and the newest status the gateway took
  // for each message the shop sent (wamid → "sent" | "delivered" | "read").
  struct PendingStatus {
    std::chrono::steady_clock::time_point due;
    std::string phone_number_id, wamid, recipient, status, callback_data;
  };
  std::deque<PendingStatus> pending_statuses_;
  std::map<std::string, std::string> status_of_;
  std::condition_variable status_wake_;
  bool stopping_ = false;
  std::thread status_thread_;
};

}  // namespace chatshop::sandbox
