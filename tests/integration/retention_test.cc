// Retention on the real servers: inbox rows, delivery statuses and parked messages older than
// their age go, in batches of short DELETEs; recent ones stay, and so does what referred to them.
#include <gtest/gtest.h>

#include <ctime>

#include "common/metrics.h"
#include "infra/migrations.h"
#include "infra/pg_retention.h"
#include "infra/pg_shop_directory.h"
#include "infra/rabbitmq.h"
#include "support/stack.h"

namespace chatshop::infra {
namespace {

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto applied = Migrator(schema_.url()).Migrate();
    ASSERT_TRUE(applied) << applied.error().ToString();
    ASSERT_TRUE(
        PgShopDirectory(schema_.url()).UpsertShop("106540352242922", "Sharma Kirana", "tok"));
  }
  std::string Q(const std::string& sql) const { return schema_.QueryValue(sql); }
  // `count` inbox rows received `days_ago` days ago, wamids "<prefix>1" … "<prefix>count".
  void Inbox(const std::string& prefix, int count, int days_ago) {
    Q("INSERT INTO inbox (wamid, shop_id, customer, type, sent_at, received_at, event) "
      "SELECT '" +
      prefix +
      "' || n, (SELECT id FROM shops), '919876543210', 'text', "
      "now() - interval '" +
      std::to_string(days_ago) + " days', now() - interval '" + std::to_string(days_ago) +
      " days', '{}' FROM generate_series(1, " + std::to_string(count) + ") n");
  }
  void Statuses(const std::string& prefix, int count, int days_ago) {
    Q("INSERT INTO message_status (wamid, shop_id, recipient, status, rank, status_at, updated_at) "
      "SELECT '" +
      prefix +
      "' || n, (SELECT id FROM shops), '919876543210', 'read', 3, now(), "
      "now() - interval '" +
      std::to_string(days_ago) + " days' FROM generate_series(1, " + std::to_string(count) + ") n");
  }
  testing::TestSchema schema_;
};

TEST_F(RetentionTest, OldInboxRowsGoInBatchesAndRecentOnesStay) {
  Inbox("old.", 2500, 40);
  Inbox("edge.", 5, 29);  // younger than 30 days: kept
  Inbox("new.", 10, 0);
  // A reply caused by an old message outlives it.
  Q("INSERT INTO outbox (shop_id, recipient, payload, caused_by, status) VALUES "
    "((SELECT id FROM shops), '919876543210', '{}', 'old.7', 'sent')");
  PgRetention retention(schema_.url());

  auto dry = retention.Prune(PgRetention::Table::kInbox, 30, 1000, /*dry_run=*/true);
  ASSERT_TRUE(dry) << dry.error().ToString();
  EXPECT_EQ(dry->rows, 2500);
  EXPECT_EQ(dry->batches, 0);
  EXPECT_EQ(Q("SELECT count(*) FROM inbox"), "2515") << "a dry run deletes nothing";

  auto pruned = retention.Prune(PgRetention::Table::kInbox, 30, 1000, false);
  ASSERT_TRUE(pruned) << pruned.error().ToString();
  EXPECT_EQ(pruned->rows, 2500);
  EXPECT_EQ(pruned->batches, 3) << "1000 + 1000 + 500: each DELETE at most batch_rows";
  EXPECT_EQ(Q("SELECT count(*) FROM inbox WHERE wamid LIKE 'old.%'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM inbox WHERE wamid LIKE 'edge.%'"), "5");
  EXPECT_EQ(Q("SELECT count(*) FROM inbox WHERE wamid LIKE 'new.%'"), "10");
  EXPECT_EQ(Q("SELECT coalesce(caused_by, 'null') || ' ' || status FROM outbox"), "null sent")
      << "the reply stays, its link to the deleted message cleared";

  auto again = retention.Prune(PgRetention::Table::kInbox, 30, 1000, false);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rows, 0);
  EXPECT_EQ(again->batches, 1);
}

TEST_F(RetentionTest, OldDeliveryStatusesGoAndRecentOnesStay) {
  Statuses("wamid.old", 1200, 100);
  Statuses("wamid.new", 3, 1);
  PgRetention retention(schema_.url());
  auto pruned = retention.Prune(PgRetention::Table::kMessageStatus, 90, 500, false);
  ASSERT_TRUE(pruned) << pruned.error().ToString();
  EXPECT_EQ(pruned->rows, 1200);
  EXPECT_EQ(pruned->batches, 3);
  EXPECT_EQ(Q("SELECT count(*) FROM message_status"), "3");
  EXPECT_EQ(Q("SELECT count(*) FROM message_status WHERE wamid LIKE 'wamid.new%'"), "3");
}

TEST(ParkedRetentionTest, ParkedMessagesOlderThanTheCutOffAreDroppedOldestFirst) {
  RabbitSettings settings;
  settings.url = testing::StackConfig().rabbitmq.url;
  settings.name_prefix = testing::UniqueName("test");
  ASSERT_TRUE(DeclareTopology(settings));
  const std::string parked = RabbitNames{settings.name_prefix}.ParkedQueue();
  common::MetricsRegistry metrics;
  RabbitPublisher publisher(settings, metrics);
  publisher.Start();
  const int64_t now = std::time(nullptr);
  const int64_t day = 24 * 3600;
  std::vector<Envelope> messages;
  for (int i = 0; i < 3; ++i) {
    messages.push_back({RabbitNames{settings.name_prefix}.ParkedExchange(),
                        "",
                        "old-" + std::to_string(i),
                        "{}",
                        {{"x-chatshop-reason", "test"}},
                        0,
                        now - 20 * day});
  }
  messages.push_back(
      {RabbitNames{settings.name_prefix}.ParkedExchange(), "", "recent", "{}", {}, 0, now - day});
  ASSERT_TRUE(publisher.Publish(messages));
  publisher.Stop();

  auto dry = DropPublishedBefore(settings, parked, now - 14 * day, /*dry_run=*/true);
  ASSERT_TRUE(dry) << dry.error().ToString();
  EXPECT_EQ(*dry, 3u);
  EXPECT_EQ(*QueueDepth(settings, parked), 4u) << "a dry run keeps them";
  auto dropped = DropPublishedBefore(settings, parked, now - 14 * day, false);
  ASSERT_TRUE(dropped) << dropped.error().ToString();
  EXPECT_EQ(*dropped, 3u);
  auto left = Peek(settings, parked, 10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].message_id, "recent");
  EXPECT_EQ((*left)[0].published_at, now - day);
  EXPECT_TRUE(DeleteTopology(settings));
}

}  // namespace
}  // namespace chatshop::infra
