#pragma once

#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/engine.h"
#include "bot/order_parser.h"
#include "common/metrics.h"
#include "common/templates.h"
#include "service/ports/catalog_source.h"
#include "service/ports/customer_limiter.h"
#include "service/ports/inbound_store.h"
#include "whatsapp/inbound_event.h"

namespace chatshop::service {

// What the queue consumer should do with the message it handed over.
enum class Disposition {
  kAck,         // done (or a duplicate): remove it from the queue
  kRetry,       // a server was unreachable: leave it for another try
  kDeadLetter,  // it can never succeed: park it with the reason
};

struct Handling {
  Disposition disposition = Disposition::kAck;
  std::string reason;  // why, for kDeadLetter and kRetry
};

// Handles one inbound event: finds the shop, runs the customer's conversation engine (or, for a
// registered owner of the shop, the owner's commands) on the stored state, carries out its
// effects on orders and stock, and commits inbox row, new state, order changes and outbox rows
// together, so a redelivered message has no second effect.
// Not thread-safe (it uses one store connection): one processor per consumer thread.
class InboundProcessor {
 public:
  // `catalogs` may be null: every shop then gets the fixed acknowledgement ("no_catalog"). A
  // shop with an empty catalog gets it too; a shop with products gets the conversation engine.
  // `templates` must have EngineTemplateNames() and "no_catalog"; it outlives the processor.
  // `reservation_minutes`: how long checkout holds stock unpaid.
  // `limiter` (may be null: no rate limit) counts customers' messages against
  // `limits.messages_per_minute`; a message beyond it is recorded (inbox row marked
  // rate_limited) and acknowledged without running the engine, and the first of a minute gets
  // the "limit_slow_down" answer. Owners' messages are never limited. The other `limits` reach
  // the engine (ShopView::limits) and the ledger (checkout, payment proofs). If the limiter's
  // server cannot be reached, messages are admitted (and counted in a metric): Redis holds what
  // may be lost, and a lost counter must not silence every customer.
  InboundProcessor(InboundStore& store, CatalogSource* catalogs,
                   const common::TemplateSet& templates, common::MetricsRegistry& metrics,
                   int reservation_minutes = 30, CustomerMessageLimiter* limiter = nullptr,
                   bot::CustomerLimits limits = {});

  [[nodiscard]] Handling Handle(const whatsapp::InboundEvent& event);

 private:
  Handling HandleMessage(const whatsapp::InboundEvent& event);
  // A delivery status of a message we sent (docs/cloud-api.md §4).
  Handling HandleStatus(const whatsapp::InboundEvent& status);
  // The customer's side of one message, inside its transaction.
  Result<Decision> DecideForCustomer(const whatsapp::InboundEvent& event, const ShopRecord& shop,
                                     bot::ShopView view, OrderLedger& ledger,
                                     const nlohmann::json& stored_state);
  // An owner's command, inside its transaction.
  Result<Decision> DecideForOwner(const whatsapp::InboundEvent& event, const bot::ShopOwner& owner,
                                  const ShopRecord& shop, const bot::ShopView& view,
                                  OrderLedger& ledger);
  // Asks the rate limiter about a customer's message: the refusal, or nullopt when admitted
  // (also when the limiter cannot be reached).
  std::optional<Admission> Refusal(const whatsapp::InboundEvent& event, const ShopRecord& shop);
  // What the transaction decides for `event`: the short "slow down" answer when `refused`,
  // the fixed acknowledgement for a shop without a catalog, else the engines. The result refers
  // to every argument: it must not outlive them.
  InboundStore::Decide DecisionFor(const whatsapp::InboundEvent& event, const ShopRecord& shop,
                                   const bot::ShopOwner* owner,
                                   const std::optional<Admission>& refused,
                                   const orders::Catalog& catalog);
  // The parser for a shop's catalog, rebuilt only when the catalog changed: indexing a catalog
  // costs several times more than parsing one message.
  const bot::OrderParser& ParserFor(int64_t shop_id, const orders::Catalog& catalog);

  InboundStore& store_;
  CatalogSource* catalogs_;
  const common::TemplateSet& templates_;
  int reservation_minutes_;
  CustomerMessageLimiter* limiter_;
  bot::CustomerLimits limits_;
  std::map<int64_t, std::unique_ptr<bot::OrderParser>> parsers_;  // by shop; each keeps its catalog
  common::Counter& recorded_;
  common::Counter& duplicates_;
  common::Counter& unknown_shop_;
  common::Counter& not_yet_handled_;
  common::Counter& statuses_;
  common::Counter& rate_limited_;
  common::Counter& limiter_unavailable_;
  std::shared_ptr<spdlog::logger> log_;
};

// What the engines may know of a shop record (its catalog and parser are left unset).
bot::ShopView ShopViewOf(const ShopRecord& shop, const common::TemplateSet& templates,
                         int reservation_minutes);

// Every template the worker's replies use: the customer's and owner's engines', "no_catalog"
// and "limit_slow_down".
std::vector<std::string> WorkerTemplateNames();

}  // namespace chatshop::service
