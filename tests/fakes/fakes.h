#pragma once

// Small in-memory implementations of the ports, for unit tests (no servers, no sleeps).

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "service/ports/catalog_source.h"
#include "service/ports/customer_limiter.h"
#include "service/ports/graph_api.h"
#include "service/ports/inbound_store.h"
#include "service/ports/outbound_queue.h"
#include "service/ports/outbox.h"
#include "service/ports/pacer.h"
#include "service/ports/parking_lot.h"
#include "webhook/ports.h"

namespace chatshop::fakes {

// Records what was published; can be told to fail like an unreachable broker.
class FakeEventQueue : public webhook::EventQueue {
 public:
  Status PublishConfirmed(const std::vector<webhook::QueueMessage>& messages) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "broker down");
    published.insert(published.end(), messages.begin(), messages.end());
    return Ok();
  }
  bool fail = false;
  std::vector<webhook::QueueMessage> published;
};

// A fixed set of known shop numbers.
class FakeTenantDirectory : public webhook::TenantDirectory {
 public:
  bool IsKnown(const std::string& phone_number_id) override {
    return numbers.count(phone_number_id) > 0;
  }
  std::set<std::string> numbers;
};

// Orders and stock in memory, with the rules of the real ledger (all-or-nothing reservation,
// orders::NextStatus, release on cancellation). Stock lives in the catalogs it points at.
class FakeOrderLedger : public service::OrderLedger {
 public:
  Result<bot::Outcome> PlaceOrder(const service::OrderRequest& request) override {
    int64_t units_held = 0, value_held = 0, units_wanted = 0;
    for (const auto& [shop, o] : orders) {
      if (shop != request.shop_id || o.customer != request.customer || orders::IsFinal(o.status)) {
        continue;
      }
      for (const auto& line : o.lines) units_held += line.qty;
      value_held += o.subtotal.minor;
    }
    for (const auto& line : request.lines) units_wanted += line.qty;
    if ((request.held_units_max > 0 && units_held + units_wanted > request.held_units_max) ||
        (request.held_value_max.minor > 0 &&
         value_held + request.subtotal.minor > request.held_value_max.minor)) {
      return bot::Outcome{bot::HoldLimitReached{units_held, orders::Money{value_held},
                                                request.held_units_max, request.held_value_max}};
    }
    auto& catalog = (*catalogs)[request.shop_id];
    // A SKU given twice is one line with the total, checked as a whole (as the real ledger).
    std::vector<std::pair<std::string, int64_t>> wanted;  // in the request's order
    for (const auto& line : request.lines) {
      auto it = std::find_if(wanted.begin(), wanted.end(),
                             [&](const auto& w) { return w.first == line.sku; });
      if (it == wanted.end()) {
        wanted.emplace_back(line.sku, line.qty);
      } else {
        it->second += line.qty;
      }
    }
    bot::StockShort shortage;
    for (const auto& [sku, qty] : wanted) {
      const orders::Product* p = catalog.Find(sku);
      if (p == nullptr || p->stock < qty) shortage.available[sku] = p ? p->stock : 0;
    }
    if (!shortage.available.empty()) return bot::Outcome{shortage};
    for (const auto& [sku, qty] : wanted) Product(request.shop_id, sku)->stock -= qty;
    orders::OrderView order;
    order.id = static_cast<int64_t>(orders.size()) + 1;
    order.shop_id = request.shop_id;
    order.number = 1000 + order.id;
    order.customer = request.customer;
    // Priced from the catalogs (the fake's database), as the real ledger prices from its own.
    for (const auto& [sku, qty] : wanted) {
      const orders::Product* p = catalog.Find(sku);
      order.lines.push_back({sku, p->name, qty, p->price});
      order.subtotal.minor += p->price.minor * qty;
    }
    order.delivery =
        order.lines.empty() ? orders::Money{0} : request.delivery_rule.FeeFor(order.subtotal);
    order.total = orders::Money{order.subtotal.minor + order.delivery.minor};
    order.nonce = "nonce" + std::to_string(order.id);
    order.expires_at = now + request.hold_minutes * 60;
    orders.push_back({request.shop_id, order});
    events.push_back({order.id, "", "awaiting_payment"});
    return bot::Outcome{bot::OrderPlaced{order}};
  }
  Result<std::optional<orders::OrderView>> FindOrder(int64_t shop_id, int64_t id) override {
    for (const auto& [shop, o] : orders) {
      if (shop == shop_id && o.id == id) return std::optional<orders::OrderView>(o);
    }
    return std::optional<orders::OrderView>();
  }
  Result<std::vector<orders::OrderView>> OpenOrders(int64_t shop_id, int limit) override {
    std::vector<orders::OrderView> open;
    for (auto it = orders.rbegin(); it != orders.rend() && static_cast<int>(open.size()) < limit;
         ++it) {
      if (it->first == shop_id && !orders::IsFinal(it->second.status)) open.push_back(it->second);
    }
    return open;
  }
  Result<bot::Outcome> Apply(int64_t shop_id, const bot::ChangeOrder& change, const std::string&,
                             int hold_minutes) override {
    orders::OrderView* order = nullptr;
    for (auto& [shop, o] : orders) {
      if (shop == shop_id &&
          (change.order_id != 0 ? o.id == change.order_id : o.number == change.order_number)) {
        order = &o;
      }
    }
    if (order == nullptr) return bot::Outcome{bot::OrderUnchanged{std::nullopt, change}};
    if ((change.by_button || !change.nonce.empty()) && change.nonce != order->nonce) {
      return bot::Outcome{bot::OrderUnchanged{*order, change, /*stale_button=*/true}};
    }
    auto next = orders::NextStatus(order->status, change.action, change.actor);
    if (!next) return bot::Outcome{bot::OrderUnchanged{*order, change}};
    const orders::OrderStatus from = order->status;
    if (orders::ReleasesStock(*next)) {
      for (const auto& line : order->lines) Product(shop_id, line.sku)->stock += line.qty;
    }
    order->status = *next;
    order->nonce = "nonce" + std::to_string(order->id) + "." + std::to_string(events.size());
    if (!change.reason.empty()) order->reason = change.reason;
    // The first way of paying sticks, as in the real ledger.
    if (order->payment_method.empty() && change.action == orders::OrderAction::kChooseCod) {
      order->payment_method = "cod";
    }
    if (order->payment_method.empty() && change.action == orders::OrderAction::kApprove) {
      order->payment_method = "upi";
    }
    order->expires_at =
        *next == orders::OrderStatus::kAwaitingPayment ? now + hold_minutes * 60 : 0;
    events.push_back(
        {order->id, std::string(orders::StatusName(from)), std::string(orders::StatusName(*next))});
    return bot::Outcome{bot::OrderChanged{*order, from, change}};
  }
  Result<bool> RecordPaymentProof(int64_t order_id, const bot::RecordProof& proof,
                                  const std::string&) override {
    const auto had = std::count_if(proofs.begin(), proofs.end(),
                                   [&](const auto& p) { return p.first == order_id; });
    if (proof.max_per_order > 0 && had >= proof.max_per_order) return false;
    proofs.push_back({order_id, proof.media_id});
    return true;
  }
  Result<bot::Outcome> UpdateStock(int64_t shop_id, const bot::SetStock& change) override {
    orders::Product* p = Product(shop_id, change.sku);
    if (p != nullptr) p->stock = change.stock;
    return bot::Outcome{bot::StockWasSet{change, p != nullptr}};
  }

  orders::Product* Product(int64_t shop_id, const std::string& sku) {
    for (auto& p : (*catalogs)[shop_id].products) {
      if (p.sku == sku) return &p;
    }
    return nullptr;
  }

  struct Event {
    int64_t order_id;
    std::string from, to;
  };
  std::map<int64_t, orders::Catalog>* catalogs = nullptr;
  std::vector<std::pair<int64_t, orders::OrderView>> orders;  // (shop, order)
  std::vector<Event> events;
  std::vector<std::pair<int64_t, std::string>> proofs;  // (order, media id)
  int64_t now = 1785900000;
};

// Shops, inbox, conversations, outbox and orders in memory, with the same rules as the real
// tables: dedupe by wamid, and a failed decision changes nothing.
class FakeInboundStore : public service::InboundStore {
 public:
  Result<service::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    auto it = shops.find(phone_number_id);
    if (it == shops.end()) return MakeError(ErrorCode::kNotFound, "no shop");
    return it->second;
  }
  Result<bool> Handle(const whatsapp::InboundEvent& event, const service::ShopRecord& shop,
                      const Decide& decide) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    if (inbox.count(event.id)) return false;
    // The transaction: work on copies, keep them only when the decision stands.
    FakeOrderLedger before = ledger;
    std::map<int64_t, orders::Catalog> stock_before = *ledger.catalogs;
    const bool known = conversations.count({shop.id, event.customer}) > 0;
    auto& conversation = conversations[{shop.id, event.customer}];
    // Kept as the document the real store keeps; parsed here only for the tests to read.
    auto decision = decide(ledger, conversation.state.is_null() ? "" : conversation.state.dump());
    if (!decision) {
      ledger = before;
      *ledger.catalogs = stock_before;
      if (!known) conversations.erase({shop.id, event.customer});
      return tl::unexpected(decision.error());
    }
    if (decision->state) {
      conversation = {nlohmann::json::parse(*decision->state), conversation.version + 1};
    } else if (!known) {
      conversation = {nlohmann::json::object(), 1};  // a new conversation starts empty
    }
    inbox.insert(event.id);
    if (decision->rate_limited) rate_limited.insert(event.id);
    outbox.insert(outbox.end(), decision->replies.begin(), decision->replies.end());
    return true;
  }
  Result<bool> RecordStatus(const whatsapp::InboundEvent& status, const service::ShopRecord&,
                            const FailureReport& report) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    static const std::map<std::string, int> rank = {
        {"sent", 1}, {"delivered", 2}, {"read", 3}, {"played", 4}, {"failed", 5}};
    auto r = rank.find(status.type);
    if (r == rank.end()) return false;
    auto& current = statuses[status.id];
    if (!current.empty() && rank.at(current) >= r->second) return false;
    current = status.type;
    if (status.type == "failed" && notices.count(status.id)) {
      for (auto& m : report(notices[status.id], status.customer, "undeliverable"))
        outbox.push_back(m);
    }
    return true;
  }

  struct Conversation {
    nlohmann::json state;
    int64_t version = 0;
  };
  bool unavailable = false;
  std::map<std::string, service::ShopRecord> shops;
  std::set<std::string> inbox;
  std::set<std::string> rate_limited;  // wamids kept unanswered: the customer wrote too fast
  std::vector<nlohmann::json> outbox;
  std::map<std::pair<int64_t, std::string>, Conversation> conversations;
  std::map<std::string, std::string> statuses;  // wamid → newest status
  std::map<std::string, int64_t> notices;       // wamid of an order notice → order number
  FakeOrderLedger ledger;
};

// A fixed catalog per shop.
class FakeCatalogSource : public service::CatalogSource {
 public:
  Result<orders::Catalog> CatalogFor(int64_t shop_id, int64_t) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "cache and db down");
    return catalogs[shop_id];
  }
  bool unavailable = false;
  std::map<int64_t, orders::Catalog> catalogs;
};

// The outbox as rows in memory; records every outcome.
class FakeOutboxStore : public service::OutboxStore {
 public:
  Result<std::vector<service::OutboundJob>> ClaimUnqueued(int limit) override {
    std::vector<service::OutboundJob> due;
    for (auto& [id, row] : rows) {
      if (static_cast<int>(due.size()) == limit) break;
      if (row.status == "pending") due.push_back({id, row.phone_number_id, row.recipient});
    }
    return due;
  }
  Status MarkQueued(const std::vector<int64_t>& ids) override {
    for (int64_t id : ids) rows.at(id).status = "queued";
    return Ok();
  }
  Result<std::optional<service::OutboxMessage>> Load(int64_t id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    auto it = rows.find(id);
    if (it == rows.end()) return std::optional<service::OutboxMessage>();
    service::OutboxMessage m = it->second;
    m.earlier_unsent = false;
    for (auto& [other, row] : rows) {
      if (other < id && row.recipient == m.recipient &&
          (row.status == "pending" || row.status == "queued")) {
        m.earlier_unsent = true;
      }
    }
    m.credentials_ok = !held.count(m.shop_id);
    return std::optional<service::OutboxMessage>(m);
  }
  Status MarkSent(int64_t id, const std::string& wamid) override {
    if (unavailable || fail_mark_sent-- > 0) return MakeError(ErrorCode::kUnavailable, "db down");
    rows.at(id).status = "sent";
    rows.at(id).wamid = wamid;
    return Ok();
  }
  Status MarkAttempt(int64_t id, int attempts, const std::string& error) override {
    rows.at(id).attempts = attempts;
    rows.at(id).last_error = error;
    return Ok();
  }
  Status MarkDead(int64_t id, int64_t code, const std::string& error) override {
    rows.at(id).status = "dead";
    rows.at(id).error_code = code;
    rows.at(id).last_error = error;
    return Ok();
  }
  Status HoldShop(int64_t shop_id, const std::string& refused_token, const std::string&) override {
    if (refused_token == current_token) held.insert(shop_id);
    return Ok();
  }

  struct Row : service::OutboxMessage {
    std::string wamid;
    std::string last_error;
    int64_t error_code = 0;
  };
  // A queued reply to `recipient`.
  Row& Add(int64_t id, const std::string& recipient, nlohmann::json payload) {
    Row row;
    row.id = id;
    row.shop_id = 1;
    row.phone_number_id = "106540352242922";
    row.access_token = "token-1";
    row.token_at_rest = "token-1";
    row.recipient = recipient;
    row.payload = std::move(payload);
    row.status = "queued";
    return rows[id] = row;
  }
  bool unavailable = false;
  int fail_mark_sent = 0;  // how many MarkSent calls fail next
  std::map<int64_t, Row> rows;
  std::set<int64_t> held;                 // shops whose token was refused
  std::string current_token = "token-1";  // the shop's token now
};

// Records what goes to the outbound, delay and dead-letter queues.
class FakeOutboundQueue : public service::OutboundQueue {
 public:
  Status Enqueue(const std::vector<service::OutboundJob>& jobs) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "broker down");
    queued.insert(queued.end(), jobs.begin(), jobs.end());
    return Ok();
  }
  Status Delay(const service::OutboundJob& job, std::chrono::milliseconds delay) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "broker down");
    delayed.emplace_back(job, delay);
    return Ok();
  }
  Status DeadLetter(const service::OutboundJob& job, int64_t code,
                    const std::string& error) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "broker down");
    if (refuse_dead_letters)
      return MakeError(ErrorCode::kInvalidArgument, "message refused by the broker");
    dead.push_back({job, code, error});
    return Ok();
  }
  struct Dead {
    service::OutboundJob job;
    int64_t code;
    std::string error;
  };
  Status ReportUndelivered(const service::UndeliveredReply& reply) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "broker down");
    reported.push_back(reply);
    return Ok();
  }
  bool unavailable = false;
  bool refuse_dead_letters = false;                 // DeadLetter fails for good (kInvalidArgument)
  std::vector<service::UndeliveredReply> reported;  // replies given up on, handed to the bot
  std::vector<service::OutboundJob> queued;
  std::vector<std::pair<service::OutboundJob, std::chrono::milliseconds>> delayed;
  std::vector<Dead> dead;
};

// Admits `limit` messages per (shop, customer) until `Expire` — a window that ends only when
// the test says so — telling on the first refusal; ids admitted before are admitted again.
// Can be told to fail like an unreachable Redis.
class FakeCustomerLimiter : public service::CustomerMessageLimiter {
 public:
  Result<service::Admission> Admit(int64_t shop_id, const std::string& customer,
                                   const std::string& message_id, int limit,
                                   std::chrono::milliseconds window) override {
    calls.push_back({customer, limit, window});
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "redis down");
    auto& log = admitted[{shop_id, customer}];
    if (log.count(message_id)) return service::Admission{true, false};
    if (static_cast<int>(log.size()) < limit) {
      log.insert(message_id);
      return service::Admission{true, false};
    }
    const bool tell = told.insert({shop_id, customer}).second;
    return service::Admission{false, tell};
  }
  // The window is over for everyone.
  void Expire() {
    admitted.clear();
    told.clear();
  }
  struct Call {
    std::string customer;
    int limit;
    std::chrono::milliseconds window;
  };
  bool unavailable = false;
  std::vector<Call> calls;
  std::map<std::pair<int64_t, std::string>, std::set<std::string>> admitted;
  std::set<std::pair<int64_t, std::string>> told;
};

// Answers each reservation from a script of waits (then allows), recording the calls.
class FakePacer : public service::Pacer {
 public:
  Result<std::chrono::milliseconds> Reserve(const std::string&, const std::string& recipient,
                                            int messages_per_second) override {
    calls.emplace_back(recipient, messages_per_second);
    if (script.empty()) return std::chrono::milliseconds(0);
    auto next = script.front();
    script.pop_front();
    return next;
  }
  std::deque<std::chrono::milliseconds> script;
  std::vector<std::pair<std::string, int>> calls;
};

// Answers each send from a script of results (then succeeds), recording the calls.
class FakeGraphApi : public service::GraphApi {
 public:
  Result<std::string> SendMessage(const std::string& phone_number_id,
                                  const std::string& access_token,
                                  const nlohmann::json& payload) override {
    calls.push_back({phone_number_id, access_token, payload});
    if (!script.empty()) {
      auto next = script.front();
      script.pop_front();
      return next;
    }
    return "wamid.sent." + std::to_string(calls.size());
  }
  struct Call {
    std::string phone_number_id;
    std::string access_token;
    nlohmann::json payload;
  };
  std::deque<Result<std::string>> script;
  std::vector<Call> calls;
};

// Keeps parked messages; can be told to fail like an unreachable broker, or to refuse
// messages that carry an id (as a broker refuses a header it cannot take).
class FakeParkingLot : public service::ParkingLot {
 public:
  Status Park(const service::ParkedMessage& message) override {
    attempts.push_back(message);
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "broker down");
    if (refuse_ids && !message.message_id.empty())
      return MakeError(ErrorCode::kInvalidArgument, "message refused by the broker");
    parked.push_back(message);
    return Ok();
  }
  bool unavailable = false;
  bool refuse_ids = false;
  std::vector<service::ParkedMessage> attempts;  // every call, refused or not
  std::vector<service::ParkedMessage> parked;
};

// The shop the service unit tests talk to (id 7, Sharma Kirana, 106540352242922), its ledger
// reading the catalogs of `catalogs`.
inline void AddTestShop(FakeInboundStore& store, FakeCatalogSource& catalogs) {
  service::ShopRecord shop;
  shop.id = 7;
  shop.name = "Sharma Kirana";
  shop.phone_number_id = "106540352242922";
  store.shops[shop.phone_number_id] = shop;
  store.ledger.catalogs = &catalogs.catalogs;
}

}  // namespace chatshop::fakes
