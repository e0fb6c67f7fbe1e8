#include <gtest/gtest.h>

#include "infra/migrations.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_outbox_store.h"
#include "infra/pg_shop_directory.h"
#include "support/stack.h"
#include "whatsapp/outbound.h"

namespace chatshop::infra {
namespace {

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto applied = Migrator(schema_.url()).Migrate();
    ASSERT_TRUE(applied) << applied.error().ToString();
    auto shop =
        PgShopDirectory(schema_.url()).UpsertShop("106540352242922", "Sharma Kirana", "tok");
    ASSERT_TRUE(shop) << shop.error().ToString();
    auto record = PgInboundStore(schema_.url()).FindShopByPhoneNumberId("106540352242922");
    ASSERT_TRUE(record) << record.error().ToString();
    shop_ = *record;
  }

  whatsapp::InboundEvent Text(const std::string& wamid) {
    whatsapp::InboundEvent e;
    e.phone_number_id = "106540352242922";
    e.customer = "919876543210";
    e.id = wamid;
    e.type = "text";
    e.timestamp = 1785900000;
    e.raw = {{"text", {{"body", "2 atta"}}}};
    return e;
  }

  // Handles `event` with a decision of fixed replies and state.
  Result<bool> Record(PgInboundStore& store, const whatsapp::InboundEvent& event,
                      std::vector<nlohmann::json> replies, nlohmann::json state = nullptr) {
    return store.Handle(event, shop_, [&](service::OrderLedger&, const std::string&) {
      return Result<service::Decision>(service::Decision{
          replies, state.is_null() ? std::nullopt : std::optional<std::string>(state.dump()),
          false});
    });
  }

  testing::TestSchema schema_;
  service::ShopRecord shop_;
};

TEST_F(PostgresTest, ShopSettingsAndOwnTemplatesReachTheWorkersShopRecord) {
  EXPECT_EQ(shop_.locale, "en");
  EXPECT_EQ(shop_.delivery, orders::DeliveryRule{});
  EXPECT_TRUE(shop_.templates.empty());
  PgShopDirectory shops(schema_.url());
  ShopSettingsChange change;
  change.locale = "hi";
  change.delivery_fee = orders::Money{3000};
  change.free_delivery_from = orders::Money{50000};
  auto changed = shops.ChangeSettings("106540352242922", change);
  ASSERT_TRUE(changed) << changed.error().ToString();
  EXPECT_EQ(changed->name, "Sharma Kirana") << "what is not given stays";
  ASSERT_TRUE(shops.SetTemplate(shop_.id, "hi", "welcome", "राम राम {{customer}}"));
  ASSERT_TRUE(shops.SetTemplate(shop_.id, "hi", "welcome", "नमस्ते {{customer}}"));
  ASSERT_TRUE(shops.SetTemplate(shop_.id, "en", "help", "Call us"));

  auto record = PgInboundStore(schema_.url()).FindShopByPhoneNumberId("106540352242922");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->locale, "hi");
  EXPECT_EQ(record->delivery, (orders::DeliveryRule{orders::Money{3000}, orders::Money{50000}}));
  EXPECT_EQ(record->templates, (common::TemplateOverrides{{"en/help", "Call us"},
                                                          {"hi/welcome", "नमस्ते {{customer}}"}}));

  change = {};
  change.free_delivery_from = std::optional<orders::Money>();  // never free
  ASSERT_TRUE(shops.ChangeSettings("106540352242922", change));
  EXPECT_EQ(*shops.ResetTemplate(shop_.id, "en", "help"), true);
  EXPECT_EQ(*shops.ResetTemplate(shop_.id, "en", "help"), false);
  record = PgInboundStore(schema_.url()).FindShopByPhoneNumberId("106540352242922");
  EXPECT_EQ(record->delivery, (orders::DeliveryRule{orders::Money{3000}, std::nullopt}));
  EXPECT_EQ(record->templates.size(), 1u);
  EXPECT_EQ(shops.ChangeSettings("000", change).error().code, ErrorCode::kNotFound);
}

TEST_F(PostgresTest, MigrationsApplyOnceAndAreListed) {
  auto again = Migrator(schema_.url()).Migrate();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  auto status = Migrator(schema_.url()).Status();
  ASSERT_TRUE(status);
  ASSERT_EQ(status->size(), EmbeddedMigrations().size());
  EXPECT_EQ((*status)[0].version, 1);
  EXPECT_TRUE((*status)[0].applied_at.has_value());
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM schema_migrations"),
            std::to_string(EmbeddedMigrations().size()));
}

TEST_F(PostgresTest, ShopLookupByPhoneNumberId) {
  PgInboundStore store(schema_.url());
  auto shop = store.FindShopByPhoneNumberId("106540352242922");
  ASSERT_TRUE(shop);
  EXPECT_EQ(shop->name, "Sharma Kirana");
  auto missing = store.FindShopByPhoneNumberId("1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(PostgresTest, InboxRowAndRepliesCommitTogetherOncePerWamid) {
  PgInboundStore store(schema_.url());
  auto reply = whatsapp::BuildTextMessage("919876543210", "hi");
  auto first = Record(store, Text("wamid.1"), {reply});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(*first);
  auto second = Record(store, Text("wamid.1"), {reply});
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM inbox"), "1");
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM outbox"), "1");
  EXPECT_EQ(schema_.QueryValue("SELECT caused_by FROM outbox"), "wamid.1");
  EXPECT_EQ(
      schema_.QueryValue("SELECT to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM inbox"),
      "2026-08-05");
}

TEST_F(PostgresTest, OutboxRowsAreLeasedQueuedOnceAndKeepTheirOrderPerRecipient) {
  PgInboundStore inbound(schema_.url());
  auto reply = whatsapp::BuildTextMessage("919876543210", "hi");
  ASSERT_TRUE(Record(inbound, Text("wamid.2"), {reply, reply}));

  PgOutboxStore store(schema_.url());
  PgOutboxStore other(schema_.url());
  auto claimed = store.ClaimUnqueued(1);
  ASSERT_TRUE(claimed) << claimed.error().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].recipient, "919876543210");
  EXPECT_EQ((*claimed)[0].phone_number_id, "106540352242922");
  auto rest = other.ClaimUnqueued(10);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u) << "a leased row is not handed to a second relay";
  const int64_t first = (*claimed)[0].outbox_id, second = (*rest)[0].outbox_id;
  ASSERT_LT(first, second);
  ASSERT_TRUE(store.MarkQueued({first, second}));
  EXPECT_TRUE(store.ClaimUnqueued(10)->empty()) << "queued rows are not claimed again";

  auto one = store.Load(first);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->access_token, "tok");
  EXPECT_EQ((*one)->payload["text"]["body"], "hi");
  EXPECT_EQ((*one)->status, "queued");
  EXPECT_FALSE((*one)->earlier_unsent);
  EXPECT_TRUE((*one)->credentials_ok);
  EXPECT_TRUE((*store.Load(second))->earlier_unsent) << "the first reply is not accepted yet";

  ASSERT_TRUE(store.MarkAttempt(first, 1, "graph api http 503"));
  EXPECT_EQ((*store.Load(first))->attempts, 1);
  ASSERT_TRUE(store.MarkSent(first, "wamid.out.1"));
  EXPECT_FALSE((*store.Load(second))->earlier_unsent);
  ASSERT_TRUE(store.MarkDead(second, 131026, "graph api error 131026"));
  EXPECT_EQ(schema_.QueryValue("SELECT string_agg(status || ':' || coalesce(wamid, "
                               "error_code::text), ' ' ORDER BY id) FROM outbox"),
            "sent:wamid.out.1 dead:131026");
  EXPECT_FALSE(*store.Load(999)) << "no such row";

  // A refused token holds the shop until a new one is set.
  ASSERT_TRUE(store.HoldShop((*one)->shop_id, "an older token", "graph api error 190"));
  EXPECT_TRUE((*store.Load(first))->credentials_ok) << "the token was replaced meanwhile";
  ASSERT_TRUE(store.HoldShop((*one)->shop_id, "tok", "graph api error 190"));
  EXPECT_FALSE((*store.Load(first))->credentials_ok);
  ASSERT_TRUE(
      PgShopDirectory(schema_.url()).UpsertShop("106540352242922", "Sharma Kirana", "new-tok"));
  EXPECT_TRUE((*store.Load(first))->credentials_ok);
  EXPECT_EQ((*store.Load(first))->access_token, "new-tok");
}

TEST_F(PostgresTest, DeliveryStatusesOnlyMoveForwardAndAFailedNoticeTellsTheOwners) {
  PgInboundStore inbound(schema_.url());
  auto shop = inbound.FindShopByPhoneNumberId("106540352242922");
  ASSERT_TRUE(shop);
  auto notice = whatsapp::BuildTextMessage("919876543210", "Order #1001 is packed.");
  notice[whatsapp::kNoticeKey] = {{"order", 1001}, {"kind", "packed"}};
  ASSERT_TRUE(Record(inbound, Text("wamid.3"), {notice}));
  EXPECT_EQ(schema_.QueryValue("SELECT payload ? 'chatshop_notice' FROM outbox"), "f");
  PgOutboxStore outbox(schema_.url());
  const int64_t id = std::stoll(schema_.QueryValue("SELECT id FROM outbox"));
  ASSERT_TRUE(outbox.MarkSent(id, "wamid.OUT"));

  auto status = [](const std::string& s, int64_t ts) {
    whatsapp::InboundEvent e;
    e.kind = whatsapp::InboundEvent::Kind::kStatus;
    e.phone_number_id = "106540352242922";
    e.customer = "919876543210";
    e.id = "wamid.OUT";
    e.type = s;
    e.timestamp = ts;
    e.data = {{"id", "wamid.OUT"}, {"status", s}};
    if (s == "failed") e.data["errors"] = {{{"code", 131026}, {"title", "Message undeliverable"}}};
    return e;
  };
  int reports = 0;
  auto report = [&](int64_t number, const std::string& customer, const std::string& error) {
    ++reports;
    return std::vector<nlohmann::json>{whatsapp::BuildTextMessage(
        "919800000001", "#" + std::to_string(number) + " " + customer + " " + error)};
  };
  EXPECT_TRUE(*inbound.RecordStatus(status("delivered", 1785900010), *shop, report));
  EXPECT_FALSE(*inbound.RecordStatus(status("sent", 1785900005), *shop, report)) << "late 'sent'";
  EXPECT_TRUE(*inbound.RecordStatus(status("read", 1785900020), *shop, report));
  EXPECT_FALSE(*inbound.RecordStatus(status("delivered", 1785900030), *shop, report))
      << "read never goes back to delivered";
  EXPECT_FALSE(*inbound.RecordStatus(status("deleted", 1785900030), *shop, report)) << "unknown";
  EXPECT_EQ(schema_.QueryValue("SELECT status FROM message_status WHERE wamid = 'wamid.OUT'"),
            "read");
  EXPECT_EQ(reports, 0);

  EXPECT_TRUE(*inbound.RecordStatus(status("failed", 1785900040), *shop, report));
  EXPECT_FALSE(*inbound.RecordStatus(status("failed", 1785900040), *shop, report)) << "once";
  EXPECT_EQ(reports, 1);
  EXPECT_EQ(schema_.QueryValue("SELECT status || ' ' || error_code FROM message_status"),
            "failed 131026");
  EXPECT_EQ(schema_.QueryValue(
                "SELECT payload->'text'->>'body' FROM outbox WHERE recipient = '919800000001'"),
            "#1001 919876543210 Message undeliverable (131026)");
}

TEST_F(PostgresTest, ConversationStateIsStoredWithItsMessageAndAFailedDecisionKeepsNothing) {
  PgInboundStore store(schema_.url());
  nlohmann::json seen = "unset";
  auto remember = [&](service::OrderLedger&, const std::string& stored) {
    seen = stored.empty() ? nlohmann::json() : nlohmann::json::parse(stored);
    const nlohmann::json state = {{"stage", "cart"}, {"cart", {{{"sku", "A"}, {"qty", 2}}}}};
    return Result<service::Decision>(service::Decision{{}, state.dump(), false});
  };
  ASSERT_TRUE(store.Handle(Text("wamid.c1"), shop_, remember));
  EXPECT_TRUE(seen.is_null()) << "no conversation yet";
  ASSERT_TRUE(store.Handle(Text("wamid.c2"), shop_, remember));
  EXPECT_EQ(seen["cart"][0]["qty"], 2);
  EXPECT_EQ(schema_.QueryValue("SELECT version FROM conversations"), "1");
  EXPECT_EQ(schema_.QueryValue("SELECT last_inbound_at IS NOT NULL FROM conversations"), "t");

  auto failed =
      store.Handle(Text("wamid.c3"), shop_, [](service::OrderLedger&, const std::string&) {
        return Result<service::Decision>(MakeError(ErrorCode::kUnavailable, "cache down"));
      });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM inbox WHERE wamid = 'wamid.c3'"), "0")
      << "nothing of the failed step was kept, so its redelivery is handled afresh";
}

TEST(PostgresUnavailableTest, UnreachableDatabaseIsUnavailableWithoutTheUrl) {
  PgInboundStore store("postgresql://chatshop:hunter2@127.0.0.1:1/chatshop?connect_timeout=2");
  auto shop = store.FindShopByPhoneNumberId("1");
  ASSERT_FALSE(shop);
  EXPECT_EQ(shop.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(shop.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace chatshop::infra
