#pragma once

// Small in-memory implementations of the ports, for unit tests (no servers, no sleeps).

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bot/ports.h"
#include "webhook/ports.h"
#include "whatsapp/ports.h"

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
class FakeOrderLedger : public bot::OrderLedger {
 public:
  Result<bot::Outcome> PlaceOrder(const bot::OrderRequest& request) override {
    auto& catalog = (*catalogs)[request.shop_id];
    bot::StockShort shortage;
    for (const auto& line : request.lines) {
      const orders::Product* p = catalog.Find(line.sku);
      if (p == nullptr || p->stock < line.qty) shortage.available[line.sku] = p ? p->stock : 0;
    }
    if (!shortage.available.empty()) return bot::Outcome{shortage};
    for (const auto& line : request.lines) Product(request.shop_id, line.sku)->stock -= line.qty;
    orders::OrderView order;
    order.id = static_cast<int64_t>(orders.size()) + 1;
    order.shop_id = request.shop_id;
    order.number = 1000 + order.id;
    order.customer = request.customer;
    order.lines = request.lines;
    order.subtotal = request.subtotal;
    order.delivery = request.delivery;
    order.total = request.total;
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
    for (auto it = orders.rbegin(); it != orders.rend() && static_cast<int>(open.size()) < limit; ++it) {
      if (it->first == shop_id && !orders::IsFinal(it->second.status)) open.push_back(it->second);
    }
    return open;
  }
  Result<bot::Outcome> Apply(int64_t shop_id, const bot::ChangeOrder& change, const std::string&,
                             int hold_minutes) override {
    orders::OrderView* order = nullptr;
    for (auto& [shop, o] : orders) {
      if (shop == shop_id && (change.order_id != 0 ? o.id == change.order_id
                                                   : o.number == change.order_number)) {
        order = &o;
      }
    }
    if (order == nullptr || (!change.nonce.empty() && change.nonce != order->nonce)) {
      return bot::Outcome{bot::OrderUnchanged{std::nullopt, change}};
    }
    auto next = orders::NextStatus(order->status, change.action, change.actor);
    if (!next) return bot::Outcome{bot::OrderUnchanged{*order, change}};
    const orders::OrderStatus from = order->status;
    if (orders::ReleasesStock(*next)) {
      for (const auto& line : order->lines) Product(shop_id, line.sku)->stock += line.qty;
    }
    order->status = *next;
    if (!change.reason.empty()) order->reason = change.reason;
    if (change.action == orders::OrderAction::kChooseCod) order->payment_method = "cod";
    order->expires_at = *next == orders::OrderStatus::kAwaitingPayment ? now + hold_minutes * 60 : 0;
    events.push_back({order->id, std::string(orders::StatusName(from)),
                      std::string(orders::StatusName(*next))});
    return bot::Outcome{bot::OrderChanged{*order, from, change}};
  }
  Status RecordPaymentProof(int64_t order_id, const bot::RecordProof& proof,
                            const std::string&) override {
    proofs.push_back({order_id, proof.media_id});
    return Ok();
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
class FakeInboundStore : public bot::InboundStore {
 public:
  Result<bot::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    auto it = shops.find(phone_number_id);
    if (it == shops.end()) return MakeError(ErrorCode::kNotFound, "no shop");
    return it->second;
  }
  Result<bool> Handle(const whatsapp::InboundEvent& event, const bot::ShopRecord& shop,
                      const Decide& decide) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    if (inbox.count(event.id)) return false;
    // The transaction: work on copies, keep them only when the decision stands.
    FakeOrderLedger before = ledger;
    std::map<int64_t, orders::Catalog> stock_before = *ledger.catalogs;
    auto& conversation = conversations[{shop.id, event.customer}];
    auto decision = decide(ledger, conversation.state);
    if (!decision) {
      ledger = before;
      *ledger.catalogs = stock_before;
      return tl::unexpected(decision.error());
    }
    if (!decision->state.is_null()) conversation = {decision->state, conversation.version + 1};
    inbox.insert(event.id);
    outbox.insert(outbox.end(), decision->replies.begin(), decision->replies.end());
    return true;
  }

  struct Conversation {
    nlohmann::json state;
    int64_t version = 0;
  };
  bool unavailable = false;
  std::map<std::string, bot::ShopRecord> shops;
  std::set<std::string> inbox;
  std::vector<nlohmann::json> outbox;
  std::map<std::pair<int64_t, std::string>, Conversation> conversations;
  FakeOrderLedger ledger;
};

// A fixed catalog per shop.
class FakeCatalogSource : public bot::CatalogSource {
 public:
  Result<orders::Catalog> CatalogFor(int64_t shop_id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "cache and db down");
    return catalogs[shop_id];
  }
  void Forget(int64_t shop_id) override { forgotten.push_back(shop_id); }
  bool unavailable = false;
  std::map<int64_t, orders::Catalog> catalogs;
  std::vector<int64_t> forgotten;
};

// An outbox whose rows are all due at once; records every outcome.
class FakeOutboxStore : public whatsapp::OutboxStore {
 public:
  Result<std::vector<whatsapp::OutboxMessage>> ClaimDue(int limit) override {
    std::vector<whatsapp::OutboxMessage> due;
    for (auto& row : rows) {
      if (static_cast<int>(due.size()) == limit) break;
      if (row.state == "pending") {
        ++row.message.attempts;
        due.push_back(row.message);
      }
    }
    return due;
  }
  Status MarkSent(int64_t id, const std::string& wamid) override {
    Row& r = Find(id);
    r.state = "sent";
    r.wamid = wamid;
    return Ok();
  }
  Status MarkRetry(int64_t id, std::chrono::seconds delay, const std::string& error) override {
    Row& r = Find(id);
    r.last_delay = delay;
    r.last_error = error;
    return Ok();
  }
  Status MarkFailed(int64_t id, const std::string& error) override {
    Row& r = Find(id);
    r.state = "failed";
    r.last_error = error;
    return Ok();
  }

  struct Row {
    whatsapp::OutboxMessage message;
    std::string state = "pending";
    std::string wamid;
    std::string last_error;
    std::chrono::seconds last_delay{0};
  };
  Row& Find(int64_t id) {
    for (auto& r : rows) {
      if (r.message.id == id) return r;
    }
    throw std::out_of_range("no outbox row");
  }
  std::vector<Row> rows;
};

// Answers each send from a script of results (then succeeds), recording the calls.
class FakeGraphApi : public whatsapp::GraphApi {
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

}  // namespace chatshop::fakes
