// Limits per customer (issue 13) on the real servers: the Redis rate limiter shared by two
// workers, and the caps that depend on stored orders, checked in PostgreSQL's transaction.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_customer_limiter.h"
#include "integration/fixtures.h"
#include "orders/catalog.h"
#include "service/inbound_processor.h"
#include "support/stack.h"

namespace chatshop {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class RedisCustomerLimiterTest : public ::testing::Test {
 protected:
  infra::CustomerLimiterSettings settings_{{testing::StackConfig().redis.url, {}, {}},
                                           testing::UniqueName("limits")};
};

TEST_F(RedisCustomerLimiterTest, TwoWorkersShareOneCustomersWindow) {
  infra::RedisCustomerLimiter first(settings_), second(settings_);
  auto admit = [&](int i, const std::string& customer = "919876543210") {
    auto& worker = i % 2 == 0 ? first : second;  // alternate, like two workers' shards
    auto got = worker.Admit(7, customer, "wamid." + customer + "." + std::to_string(i), 5,
                            std::chrono::minutes(1));
    EXPECT_TRUE(got) << got.error().ToString();
    return got.value_or(service::Admission{});
  };
  for (int i = 0; i < 5; ++i) {
    const auto got = admit(i);
    EXPECT_TRUE(got.admitted) << i;
    EXPECT_FALSE(got.tell);
  }
  auto sixth = admit(5);
  EXPECT_FALSE(sixth.admitted);
  EXPECT_TRUE(sixth.tell) << "the first refusal of the window says so";
  for (int i = 6; i < 9; ++i) {
    const auto got = admit(i);
    EXPECT_FALSE(got.admitted) << i;
    EXPECT_FALSE(got.tell) << "only once per window";
  }
  // A redelivery of an admitted message (through the other worker) is admitted, not counted.
  auto again = second.Admit(7, "919876543210", "wamid.919876543210.0", 5, std::chrono::minutes(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->admitted);
  // Another customer, or the same number writing to another shop, has a window of its own.
  EXPECT_TRUE(admit(0, "919811111111").admitted);
  auto other_shop = first.Admit(8, "919876543210", "wamid.x", 5, std::chrono::minutes(1));
  ASSERT_TRUE(other_shop);
  EXPECT_TRUE(other_shop->admitted);
}

TEST_F(RedisCustomerLimiterTest, TheWindowSlides) {
  infra::RedisCustomerLimiter first(settings_), second(settings_);
  const milliseconds window(400);
  ASSERT_TRUE(first.Admit(7, "919876543210", "m1", 2, window)->admitted);
  ASSERT_TRUE(second.Admit(7, "919876543210", "m2", 2, window)->admitted);
  const auto refused_at = std::chrono::steady_clock::now();
  ASSERT_FALSE(first.Admit(7, "919876543210", "m3", 2, window)->admitted);
  // Admitted again once the first two are older than the window: poll for exactly that.
  bool admitted = false;
  for (int n = 0; !admitted && n < 200; ++n) {
    auto got = second.Admit(7, "919876543210", "p" + std::to_string(n), 2, window);
    ASSERT_TRUE(got);
    admitted = got->admitted;
    if (!admitted) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(admitted);
  EXPECT_GE(std::chrono::steady_clock::now() - refused_at, milliseconds(300))
      << "not before the window was over";
}

TEST(RedisCustomerLimiterUnavailableTest, UnreachableRedisIsUnavailable) {
  infra::RedisCustomerLimiter limiter({{"redis://127.0.0.1:1/0", {}, {}}, "x"});
  auto got = limiter.Admit(7, "919876543210", "m1", 2, std::chrono::minutes(1));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
}

constexpr const char* kShop = "106540352242922";
constexpr const char* kOwner = "919800000001";
constexpr const char* kCustomer = "919877777777";

class CustomerCapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int64_t shop_id = 0;
    ASSERT_NO_FATAL_FAILURE(testing::AddFixtureShop(schema_.url(), shop_id, true, /*cod=*/true));
    ASSERT_NO_FATAL_FAILURE(testing::ImportKiranaCatalog(schema_.url(), shop_id));
    ASSERT_NO_FATAL_FAILURE(testing::LoadWorkerTemplates(templates_));
  }
  static whatsapp::InboundEvent Message(const std::string& wamid, const std::string& type,
                                        json data, const std::string& from = kCustomer) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = from;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = type;
    e.data = data;
    e.raw = {{"from", from}, {"id", wamid}, {"type", type}, {type, data}};
    return e;
  }
  static whatsapp::InboundEvent Text(const std::string& wamid, const std::string& body,
                                     const std::string& from = kCustomer) {
    return Message(wamid, "text", {{"body", body}}, from);
  }
  static whatsapp::InboundEvent Tap(const std::string& wamid, const std::string& id) {
    return Message(wamid, "interactive",
                   {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}});
  }
  std::string Q(const std::string& sql) { return schema_.QueryValue(sql); }
  std::string LastSaid() {
    return Q(
        "SELECT coalesce(payload->'text'->>'body', payload->'interactive'->'body'->>'text') "
        "FROM outbox WHERE recipient = '" +
        std::string(kCustomer) + "' ORDER BY id DESC LIMIT 1");
  }

  testing::TestSchema schema_;
  std::unique_ptr<common::TemplateSet> templates_;
  common::MetricsRegistry metrics_;
};

TEST_F(CustomerCapsTest, UnitsAndValueHeldAcrossOpenOrdersAreCappedAtCheckout) {
  infra::PgInboundStore store(schema_.url());
  testing::DirectCatalog catalogs(schema_.url());
  bot::CustomerLimits limits;
  limits.held_units_max = 10;
  limits.held_value_max = orders::Money{20000};  // ₹200
  service::InboundProcessor processor(store, &catalogs, *templates_, metrics_, 30, nullptr, limits);
  auto handle = [&](const whatsapp::InboundEvent& e) {
    ASSERT_EQ(processor.Handle(e).disposition, service::Disposition::kAck) << e.id;
  };
  // Six Maggi (₹84) on cash on delivery: confirmed, still open, still holding its six.
  handle(Text("wamid.h1", "6 maggi"));
  handle(Tap("wamid.h2", "cart:checkout"));
  handle(Tap("wamid.h3", "pay:cod"));
  ASSERT_EQ(Q("SELECT status FROM orders"), "confirmed");
  ASSERT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "194");

  // Five more would be eleven units: refused, nothing reserved, the cart kept.
  handle(Text("wamid.h4", "5 maggi"));
  handle(Tap("wamid.h5", "cart:checkout"));
  EXPECT_EQ(Q("SELECT count(*) FROM orders"), "1");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "194");
  EXPECT_EQ(Q("SELECT count(*) FROM reservations"), "1");
  const std::string refused = LastSaid();
  EXPECT_NE(refused.find("your open orders already hold 6 items worth ₹84.00"), std::string::npos)
      << refused;
  EXPECT_NE(refused.find("at most 10 items or ₹200.00"), std::string::npos) << refused;
  EXPECT_EQ(Q("SELECT state->'cart'->0->>'qty' FROM conversations WHERE customer = '" +
              std::string(kCustomer) + "'"),
            "5");

  // One atta fits the units (7 of 10) but not the value: ₹84 + ₹289 is over ₹200.
  handle(Text("wamid.h6", "remove maggi"));
  handle(Text("wamid.h7", "1 aashirvaad atta"));
  handle(Tap("wamid.h8", "cart:checkout"));
  EXPECT_EQ(Q("SELECT count(*) FROM orders"), "1") << LastSaid();
  // Another customer is not affected by this one's orders.
  handle(Text("wamid.x1", "8 maggi", "919811111111"));
  handle(Message(
      "wamid.x2", "interactive",
      {{"type", "button_reply"}, {"button_reply", {{"id", "cart:checkout"}, {"title", "x"}}}},
      "919811111111"));
  EXPECT_EQ(Q("SELECT count(*) FROM orders"), "2");

  // Once the shop delivers the first order it no longer counts.
  const std::string number =
      Q("SELECT number FROM orders WHERE customer = '" + std::string(kCustomer) + "'");
  for (const char* step : {"packed ", "out ", "delivered "}) {
    handle(Text(std::string("wamid.own.") + step, step + number, kOwner));
  }
  ASSERT_EQ(Q("SELECT status FROM orders WHERE customer = '" + std::string(kCustomer) + "'"),
            "delivered");
  handle(Text("wamid.h9", "remove atta"));
  handle(Text("wamid.h10", "9 maggi"));
  handle(Tap("wamid.h11", "cart:checkout"));
  EXPECT_EQ(Q("SELECT count(*) FROM orders WHERE customer = '" + std::string(kCustomer) +
              "' AND status = 'awaiting_payment'"),
            "1")
      << LastSaid();
}

TEST_F(CustomerCapsTest, AnOrderTakesAtMostTheCappedNumberOfProofs) {
  infra::PgInboundStore store(schema_.url());
  testing::DirectCatalog catalogs(schema_.url());
  bot::CustomerLimits limits;
  limits.proofs_per_order_max = 3;
  service::InboundProcessor processor(store, &catalogs, *templates_, metrics_, 30, nullptr, limits);
  auto handle = [&](const whatsapp::InboundEvent& e) {
    ASSERT_EQ(processor.Handle(e).disposition, service::Disposition::kAck) << e.id;
  };
  handle(Text("wamid.p1", "2 maggi"));
  handle(Tap("wamid.p2", "cart:checkout"));
  for (int i = 1; i <= 5; ++i) {
    handle(Message("wamid.img" + std::to_string(i), "image",
                   {{"id", "media-" + std::to_string(i)}, {"mime_type", "image/jpeg"}}));
  }
  EXPECT_EQ(Q("SELECT count(*) FROM payment_proofs"), "3");
  EXPECT_EQ(Q("SELECT string_agg(media_id, ',' ORDER BY id) FROM payment_proofs"),
            "media-1,media-2,media-3");
  EXPECT_EQ(Q("SELECT count(*) FROM inbox"), "7") << "every message is kept";
  const std::string said = LastSaid();
  EXPECT_NE(said.find("I already have 3 payment screenshots for order #"), std::string::npos)
      << said;
}

TEST_F(CustomerCapsTest, ARateLimitedMessageIsKeptAndMarkedInTheInbox) {
  infra::PgInboundStore store(schema_.url());
  testing::DirectCatalog catalogs(schema_.url());
  infra::RedisCustomerLimiter limiter(
      {{testing::StackConfig().redis.url, {}, {}}, testing::UniqueName("lim")});
  bot::CustomerLimits limits;
  limits.messages_per_minute = 2;
  service::InboundProcessor processor(store, &catalogs, *templates_, metrics_, 30, &limiter,
                                      limits);
  for (int i = 1; i <= 4; ++i) {
    ASSERT_EQ(processor.Handle(Text("wamid.r" + std::to_string(i), "help")).disposition,
              service::Disposition::kAck);
  }
  EXPECT_EQ(Q("SELECT string_agg(wamid || '=' || rate_limited, ',' ORDER BY wamid) FROM inbox"),
            "wamid.r1=false,wamid.r2=false,wamid.r3=true,wamid.r4=true");
  EXPECT_EQ(Q("SELECT count(*) FROM outbox"), "3") << "two answers and one slow-down";
  EXPECT_NE(LastSaid().find("more than 2 a minute"), std::string::npos) << LastSaid();
}

}  // namespace
}  // namespace chatshop
