// One suite, two implementations: what the unit tests' FakeInboundStore promises is what
// PgInboundStore does (dedupe by wamid, state kept between messages, a failed decision
// changing nothing, statuses that only move forward).

#include <gtest/gtest.h>

#include "contract/inbound_worlds.h"

namespace chatshop::contract {
namespace {

using nlohmann::json;

constexpr const char* kShop = "106540352242922";
constexpr const char* kCustomer = "919811111111";

template <typename World>
class InboundStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    orders::Catalog catalog;
    catalog.products.push_back(
        {"MAGGI-70", "Maggi 70g", orders::Money{1400}, 5, "packet", "snacks", {}});
    world_.AddShop(kShop, "Sharma Kirana", catalog);
    auto shop = world_.Store().FindShopByPhoneNumberId(kShop);
    ASSERT_TRUE(shop) << shop.error().ToString();
    shop_ = *shop;
  }

  static whatsapp::InboundEvent Text(const std::string& wamid, const std::string& body) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = kCustomer;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = "text";
    e.data = {{"body", body}};
    e.raw = {{"from", kCustomer}, {"id", wamid}, {"type", "text"}, {"text", e.data}};
    return e;
  }
  // Handles `wamid`, answering `reply` and keeping `state`; the state the decision saw, or
  // "not called".
  std::string Handle(const std::string& wamid, const json& state, const std::string& reply,
                     Result<bool>* result = nullptr) {
    std::string seen = "not called";
    auto handled = world_.Store().Handle(
        Text(wamid, "hi"), shop_,
        [&](service::OrderLedger&, const std::string& stored) -> Result<service::Decision> {
          // The stored document, normalised ("null" when none is stored yet).
          seen = stored.empty() ? "null" : json::parse(stored).dump();
          service::Decision d;
          if (!state.is_null()) d.state = state.dump();
          d.replies.push_back({{"to", kCustomer}, {"type", "text"}, {"text", {{"body", reply}}}});
          return d;
        });
    if (result != nullptr) *result = handled;
    EXPECT_TRUE(handled) << handled.error().ToString();
    return seen;
  }
  std::vector<std::string> Replies() {
    std::vector<std::string> bodies;
    const std::vector<json> outbox = world_.Outbox();
    for (const json& m : outbox) bodies.push_back(m["text"]["body"].get<std::string>());
    return bodies;
  }
  static whatsapp::InboundEvent Status(const std::string& wamid, const std::string& status) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = kCustomer;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = status;
    e.data = json::object();
    return e;
  }

  World world_;
  service::ShopRecord shop_;
};

using Worlds = ::testing::Types<FakeInboundWorld, PgInboundWorld>;
class WorldNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, FakeInboundWorld> ? "Fake" : "Postgres";
  }
};
TYPED_TEST_SUITE(InboundStoreContract, Worlds, WorldNames);

TYPED_TEST(InboundStoreContract, ShopsAreFoundByTheirNumberOnly) {
  EXPECT_EQ(this->shop_.name, "Sharma Kirana");
  EXPECT_EQ(this->shop_.phone_number_id, kShop);
  EXPECT_GT(this->shop_.id, 0);
  auto unknown = this->world_.Store().FindShopByPhoneNumberId("999");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TYPED_TEST(InboundStoreContract, AMessageIsDecidedOnceAndItsRepliesQueued) {
  Result<bool> first = false, again = false;
  EXPECT_EQ(this->Handle("wamid.1", json{{"step", "menu"}}, "hello", &first), "null")
      << "a new customer has no stored state";
  EXPECT_TRUE(*first);
  EXPECT_EQ(this->Handle("wamid.1", json{{"step", "cart"}}, "twice", &again), "not called");
  EXPECT_FALSE(*again) << "a redelivery changes nothing";
  EXPECT_EQ(this->Replies(), (std::vector<std::string>{"hello"}));
}

TYPED_TEST(InboundStoreContract, TheStateIsKeptBetweenMessagesAndANullStateKeepsIt) {
  this->Handle("wamid.1", json{{"step", "menu"}}, "one");
  EXPECT_EQ(this->Handle("wamid.2", json(), "two"), R"({"step":"menu"})");
  EXPECT_EQ(this->Handle("wamid.3", json{{"step", "cart"}}, "three"), R"({"step":"menu"})");
  EXPECT_EQ(this->Handle("wamid.4", json(), "four"), R"({"step":"cart"})");
}

TYPED_TEST(InboundStoreContract, AFirstMessageWithoutStateLeavesAnEmptyOne) {
  this->Handle("wamid.1", json(), "one");
  EXPECT_EQ(this->Handle("wamid.2", json(), "two"), "{}");
}

TYPED_TEST(InboundStoreContract, AFailedDecisionChangesNothingAndMayBeRetried) {
  auto failed = this->world_.Store().Handle(
      this->Text("wamid.1", "stock maggi 0"), this->shop_,
      [&](service::OrderLedger& ledger, const std::string&) -> Result<service::Decision> {
        ASSIGN_OR_RETURN(auto set, ledger.UpdateStock(this->shop_.id, {"MAGGI-70", 0}));
        EXPECT_TRUE(std::get<bot::StockWasSet>(set).found);
        return MakeError(ErrorCode::kAborted, "lost a race");
      });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kAborted);
  EXPECT_EQ(failed.error().message, "lost a race");
  EXPECT_EQ(this->world_.Stock(this->shop_.id, "MAGGI-70"), 5) << "the ledger's change rolled back";
  EXPECT_TRUE(this->Replies().empty());
  Result<bool> retried = false;
  EXPECT_EQ(this->Handle("wamid.1", json{{"step", "menu"}}, "hello", &retried), "null")
      << "not recorded: the redelivery is decided afresh";
  EXPECT_TRUE(*retried);
}

TYPED_TEST(InboundStoreContract, StatusesOnlyMoveForward) {
  auto& store = this->world_.Store();
  auto no_report = [](int64_t, const std::string&, const std::string&) {
    ADD_FAILURE() << "not a failed notice";
    return std::vector<json>{};
  };
  auto record = [&](const std::string& status) {
    auto changed = store.RecordStatus(this->Status("wamid.out.1", status), this->shop_, no_report);
    EXPECT_TRUE(changed) << changed.error().ToString();
    return changed.value_or(false);
  };
  EXPECT_TRUE(record("delivered"));
  EXPECT_FALSE(record("sent")) << "older than what is known";
  EXPECT_FALSE(record("delivered")) << "a repeat";
  EXPECT_TRUE(record("read"));
  EXPECT_FALSE(record("deleted")) << "a status this code does not know";
}

TYPED_TEST(InboundStoreContract, AFailedOrderNoticeIsReportedOnce) {
  this->world_.SentNotice(this->shop_.id, "wamid.notice", 1001, kCustomer);
  std::vector<int64_t> reported;
  auto report = [&](int64_t number, const std::string& customer, const std::string&) {
    reported.push_back(number);
    EXPECT_EQ(customer, kCustomer);
    return std::vector<json>{
        {{"to", "919800000001"}, {"type", "text"}, {"text", {{"body", "not delivered"}}}}};
  };
  auto& store = this->world_.Store();
  ASSERT_TRUE(store.RecordStatus(this->Status("wamid.notice", "failed"), this->shop_, report));
  EXPECT_FALSE(*store.RecordStatus(this->Status("wamid.notice", "failed"), this->shop_, report));
  EXPECT_EQ(reported, (std::vector<int64_t>{1001}));
  EXPECT_EQ(this->Replies(), (std::vector<std::string>{"not delivered"}));
}

}  // namespace
}  // namespace chatshop::contract
