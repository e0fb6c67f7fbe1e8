#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace chatshop::webhook {

// One message for the broker.
struct QueueMessage {
  enum class Route {
    kInbound,  // to shard queue `shard` of the inbound exchange
    kParked,   // to the dead-letter queue, with `reason`
  };
  Route route = Route::kInbound;
  int shard = 0;
  std::string message_id;  // wamid or dedupe key; lets consumers and operators correlate
  std::string reason;      // why it was parked
  std::string body;        // JSON
};

// The durable queue behind the webhook. Thread-safe: every request thread calls it at once, and
// implementations are expected to pipeline confirms across those calls.
class EventQueue {
 public:
  virtual ~EventQueue() = default;

  // Publishes every message persistently and returns only after the broker confirmed all of
  // them. kUnavailable when the broker cannot take them (the caller answers 5xx so that Meta
  // redelivers); no partial success is reported: on error, some may have been stored.
  [[nodiscard]] virtual Status PublishConfirmed(const std::vector<QueueMessage>& messages) = 0;
};

// Which WhatsApp numbers belong to configured shops. Thread-safe; answers from memory, so it
// is cheap on the request path.
class TenantDirectory {
 public:
  virtual ~TenantDirectory() = default;
  // True when a shop has this number. Also true while the directory could not yet be loaded:
  // the event is then queued and the worker, which checks again, decides.
  virtual bool IsKnown(const std::string& phone_number_id) = 0;
};

// Something /readyz checks: a server the program needs. Thread-safe.
class ReadinessCheck {
 public:
  virtual ~ReadinessCheck() = default;
  virtual std::string name() const = 0;
  // Ok when the dependency accepts work right now; the error says what is wrong, no secrets.
  [[nodiscard]] virtual Status Check() = 0;
};

}  // namespace chatshop::webhook
