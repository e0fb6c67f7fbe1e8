#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bot/effects.h"
#include "bot/engine.h"
#include "common/result.h"
#include "common/templates.h"
#include "orders/bill.h"
#include "orders/catalog.h"
#include "orders/order.h"
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
  orders::PaymentOptions payment;
  std::vector<ShopOwner> owners;
  std::map<std::string, NoticeTemplate> notice_templates;  // by kind (kNoticeKinds)
  bool disabled = false;        // switched off by an admin: its customers' messages are parked
  int reservation_minutes = 0;  // the shop's own stock hold at checkout; 0: the configured one

  const ShopOwner* Owner(const std::string& phone) const {
    for (const auto& o : owners) {
      if (o.phone == phone) return &o;
    }
    return nullptr;
  }
};

// What checkout asks for: the lines of the bill the customer saw. Their prices and totals are
// what that bill said, which may come from a cached catalog: the ledger prices every line again
// from its own store and computes the totals with `delivery_rule`; the order is created at
// those prices.
struct OrderRequest {
  int64_t shop_id = 0;
  std::string customer;
  std::vector<orders::OrderLine> lines;
  orders::Money subtotal;
  orders::Money delivery;
  orders::Money total;
  orders::DeliveryRule delivery_rule;  // the shop's, for the totals at the store's prices
  int hold_minutes = 30;  // the reservation lapses this long after the database's now()
  // What the customer may hold reserved across their open orders at this shop, this order
  // included (0: no cap).
  int64_t held_units_max = 0;
  orders::Money held_value_max;
};

// Orders and stock, inside the transaction of one inbound message (InboundStore::Handle).
// Every change is applied at once and committed with the message, or not at all.
class OrderLedger {
 public:
  virtual ~OrderLedger() = default;

  // Reserves every line's stock and creates the order (AWAITING_PAYMENT, the shop's next
  // number, a fresh nonce) with every line at the store's price and name as read with the
  // stock (never the request's), or reserves nothing and names every short SKU with what is
  // left, or — HoldLimitReached — reserves nothing because the customer's open orders of the
  // shop with this one would hold more units or value than the request's caps.
  [[nodiscard]] virtual Result<Outcome> PlaceOrder(const OrderRequest& request) = 0;
  // The order with this id of this shop; nullopt when there is none.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> FindOrder(int64_t shop_id,
                                                                           int64_t order_id) = 0;
  // Open orders (neither delivered nor cancelled), newest first.
  [[nodiscard]] virtual Result<std::vector<orders::OrderView>> OpenOrders(int64_t shop_id,
                                                                          int limit) = 0;
  // Applies `change` (by id, or by number when id is 0) when orders::NextStatus allows it from
  // the order's present status and the nonce (if given) matches: releases the reservation on
  // cancellation, renews it on rejection, writes an order_events row. OrderChanged, or
  // OrderUnchanged when refused or not found. `actor_id` is the wa_id behind the change.
  [[nodiscard]] virtual Result<Outcome> Apply(int64_t shop_id, const ChangeOrder& change,
                                              const std::string& actor_id, int hold_minutes) = 0;
  // Records a payment proof for the media worker to fetch (the order's status is changed
  // separately, by Apply with kSubmitProof). False, recording nothing, when the order already
  // has `proof.max_per_order` proofs.
  [[nodiscard]] virtual Result<bool> RecordPaymentProof(int64_t order_id, const RecordProof& proof,
                                                        const std::string& caused_by) = 0;
  // StockWasSet (found false when the shop has no such SKU).
  [[nodiscard]] virtual Result<Outcome> UpdateStock(int64_t shop_id, const SetStock& change) = 0;
};

// What one inbound message leads to, written in its transaction.
struct Decision {
  std::vector<nlohmann::json> replies;  // /messages bodies, each to its "to"
  nlohmann::json state;                 // the sender's new conversation state; null: keep
  bool stock_changed = false;           // reservations moved stock: drop cached catalogs
  bool rate_limited = false;            // kept but not run: the customer wrote too fast
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

  using Decide =
      std::function<Result<Decision>(OrderLedger& ledger, const nlohmann::json& stored_state)>;

  // In one transaction: records the message in the inbox (unique by wamid), locks the
  // sender's conversation, runs `decide` on its stored state (null when there is none) and
  // writes the decision: new state, outbox rows. Returns true when recorded, false when this
  // wamid was recorded before, in which case `decide` is not called and nothing changes (Meta
  // redelivers; docs/cloud-api.md §1.3). An error from `decide` rolls everything back and is
  // returned. `decide` may run again when the database asks for a retry, so it must not keep state
  // of its own.
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

// Orders the clock moves: reservations that lapsed unpaid, payments waiting too long for the
// owner. Safe to use from several processes at once; one instance per thread.
class OrderClockStore {
 public:
  virtual ~OrderClockStore() = default;
  using Notices = std::function<std::vector<nlohmann::json>(const ShopRecord& shop,
                                                            const orders::OrderView& order)>;

  // In one transaction: takes one order whose reservation lapsed (none another worker holds),
  // cancels it (reason "payment timeout"; stock back on the shelf, an order_events row) and
  // queues `notices` for it. The order as cancelled, or nullopt when none is due.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> ExpireOne(
      int hold_minutes, const Notices& notices) = 0;
  // In one transaction: takes one order whose payment proof has waited `minutes` for the
  // owner and was never reminded of, marks it reminded and queues `notices`.
  [[nodiscard]] virtual Result<std::optional<orders::OrderView>> RemindOne(
      int minutes, const Notices& notices) = 0;
};

// A payment proof waiting to be fetched from Meta.
struct ProofJob {
  int64_t proof_id = 0;
  int64_t order_id = 0;
  ShopRecord shop;
  std::string access_token;  // the shop's Graph API token; never logged
  std::string media_id;
  std::string mime_type;
  int attempts = 0;  // including this one
};

// A file kept by its content.
struct StoredMedia {
  std::string sha256;  // lower-case hex
  int64_t size = 0;
  std::string path;
};

// Payment proofs between the customer's message and the owner's notice. Safe to use from
// several processes at once; one instance per thread.
class ProofStore {
 public:
  virtual ~ProofStore() = default;
  // The owners' notices for a proof of `order`; `duplicate_of` is the number of another order
  // of the shop paid with the same picture (0: none).
  using Notices = std::function<std::vector<nlohmann::json>(const orders::OrderView& order,
                                                            int64_t duplicate_of)>;

  // Leases up to `limit` due proofs for `lease` and counts an attempt on each.
  [[nodiscard]] virtual Result<std::vector<ProofJob>> ClaimDue(int limit,
                                                               std::chrono::seconds lease) = 0;
  // In one transaction: the proof is stored; `notices` are queued for the shop's owners.
  [[nodiscard]] virtual Status Complete(const ProofJob& job, const StoredMedia& media,
                                        const Notices& notices) = 0;
  // Due again after `delay`.
  [[nodiscard]] virtual Status Retry(int64_t proof_id, std::chrono::seconds delay,
                                     const std::string& error) = 0;
  // In one transaction: given up on for good; `notices` tell the owners to check otherwise.
  [[nodiscard]] virtual Status Fail(const ProofJob& job, const std::string& error,
                                    const Notices& notices) = 0;
  // The customer's answer to a refused proof, from the order as it is after the refusal.
  using CustomerNotices = std::function<std::vector<nlohmann::json>(const orders::OrderView&)>;
  // In one transaction: refused for good, its file not being a picture or a PDF (`reason`
  // says what it was). When the order waits for the owner on no other proof (none pending or
  // stored since it last went into review), it goes back to awaiting payment (the
  // reservation renewed for `hold_minutes`, an order_events row by the system); `notices` are
  // queued for the customer either way. Nothing happens twice for one proof.
  [[nodiscard]] virtual Status Refuse(const ProofJob& job, const std::string& reason,
                                      int hold_minutes, const CustomerNotices& notices) = 0;
};

// Keeps files by their SHA-256. Thread-safe.
class MediaVault {
 public:
  virtual ~MediaVault() = default;
  // Lower-case hex SHA-256 of `bytes`: what they would be kept under.
  [[nodiscard]] virtual std::string DigestOf(const std::string& bytes) const = 0;
  [[nodiscard]] virtual Result<StoredMedia> Keep(const std::string& bytes) = 0;
};

// What the rate limiter makes of one customer message.
struct Admission {
  bool admitted = true;
  bool tell = false;  // refused, and the first refusal of this window: say "slow down" once
};

// Counts customers' messages over a sliding window, shared by every worker process (issue 13):
// a customer may have at most `limit` messages admitted in any `window`. One instance per
// thread; implementations need not be thread-safe.
class CustomerMessageLimiter {
 public:
  virtual ~CustomerMessageLimiter() = default;
  // Admits message `message_id` (the wamid) of `customer` at shop `shop_id` when fewer than
  // `limit` of theirs were admitted within the last `window`; an id admitted before is admitted
  // again without being counted twice (a redelivery). A refusal says whether it is the first
  // since `window` ago. kUnavailable when the shared counter cannot be reached.
  [[nodiscard]] virtual Result<Admission> Admit(int64_t shop_id, const std::string& customer,
                                                const std::string& message_id, int limit,
                                                std::chrono::milliseconds window) = 0;
};

// The shop's catalog as the conversation needs it (cached reads). One per thread.
class CatalogSource {
 public:
  virtual ~CatalogSource() = default;
  [[nodiscard]] virtual Result<orders::Catalog> CatalogFor(int64_t shop_id) = 0;
  // Forgets any cached copy: the stock changed in the database.
  virtual void Forget(int64_t shop_id) = 0;
};

}  // namespace chatshop::bot
