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

// Shops, inbox and outbox in memory, with the same dedupe rule as the real tables.
class FakeInboundStore : public bot::InboundStore {
 public:
  Result<bot::ShopRecord> FindShopByPhoneNumberId(const std::string& phone_number_id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    auto it = shops.find(phone_number_id);
    if (it == shops.end()) return MakeError(ErrorCode::kNotFound, "no shop");
    return it->second;
  }
  Result<bot::StoredConversation> LoadConversation(int64_t shop_id,
                                                   const std::string& customer) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    auto it = conversations.find({shop_id, customer});
    if (it == conversations.end()) return bot::StoredConversation{};
    return it->second;
  }
  Result<bool> RecordInbound(const whatsapp::InboundEvent& event, const bot::ShopRecord& shop,
                             const std::vector<nlohmann::json>& replies,
                             const bot::ConversationUpdate* update) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "db down");
    if (inbox.count(event.id)) return false;
    if (update != nullptr) {
      auto& stored = conversations[{shop.id, event.customer}];
      if (stored.version != update->expected_version) {
        return MakeError(ErrorCode::kAborted, "conversation moved");
      }
      stored = {update->state, stored.version + 1};
    }
    inbox.insert(event.id);
    outbox.insert(outbox.end(), replies.begin(), replies.end());
    return true;
  }
  bool unavailable = false;
  std::map<std::string, bot::ShopRecord> shops;
  std::set<std::string> inbox;
  std::vector<nlohmann::json> outbox;
  std::map<std::pair<int64_t, std::string>, bot::StoredConversation> conversations;
};

// A fixed catalog per shop.
class FakeCatalogSource : public bot::CatalogSource {
 public:
  Result<orders::Catalog> CatalogFor(int64_t shop_id) override {
    if (unavailable) return MakeError(ErrorCode::kUnavailable, "cache and db down");
    return catalogs[shop_id];
  }
  bool unavailable = false;
  std::map<int64_t, orders::Catalog> catalogs;
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
