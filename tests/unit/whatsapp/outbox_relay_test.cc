#include "whatsapp/outbox_relay.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"
#include "whatsapp/outbound.h"

namespace chatshop::whatsapp {
namespace {

class OutboxRelayTest : public ::testing::Test {
 protected:
  void AddRow(int64_t id) {
    fakes::FakeOutboxStore::Row row;
    row.message.id = id;
    row.message.phone_number_id = "106540352242922";
    row.message.access_token = "token-1";
    row.message.recipient = "919876543210";
    row.message.payload = BuildTextMessage("919876543210", "reply " + std::to_string(id));
    store_.rows.push_back(row);
  }

  common::MetricsRegistry metrics_;
  fakes::FakeOutboxStore store_;
  fakes::FakeGraphApi graph_;
  OutboxRelay relay_{store_, graph_, {/*batch=*/10, /*max_attempts=*/3}, metrics_};
};

TEST_F(OutboxRelayTest, SendsDueRowsInOrderAndRecordsTheirWamids) {
  AddRow(1);
  AddRow(2);
  auto handled = relay_.RunOnce();
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 2);
  ASSERT_EQ(graph_.calls.size(), 2u);
  EXPECT_EQ(graph_.calls[0].payload["text"]["body"], "reply 1");
  EXPECT_EQ(graph_.calls[0].access_token, "token-1");
  EXPECT_EQ(store_.Find(1).state, "sent");
  EXPECT_EQ(store_.Find(1).wamid, "wamid.sent.1");
  EXPECT_EQ(*relay_.RunOnce(), 0) << "a sent row is not sent again";
}

TEST_F(OutboxRelayTest, TransientErrorIsRetriedWithGrowingDelay) {
  AddRow(1);
  graph_.script.push_back(MakeError(ErrorCode::kUnavailable, "graph api http 503"));
  graph_.script.push_back(MakeError(ErrorCode::kResourceExhausted, "130429"));
  ASSERT_TRUE(relay_.RunOnce());
  EXPECT_EQ(store_.Find(1).state, "pending");
  EXPECT_EQ(store_.Find(1).last_delay, std::chrono::seconds(2));
  ASSERT_TRUE(relay_.RunOnce());
  EXPECT_EQ(store_.Find(1).last_delay, std::chrono::seconds(4));
  ASSERT_TRUE(relay_.RunOnce());
  EXPECT_EQ(store_.Find(1).state, "sent");
}

TEST_F(OutboxRelayTest, ClosedWindowSendsTheApprovedTemplateInstead) {
  AddRow(1);
  AddRow(2);
  AddRow(3);
  const auto fallback = BuildTemplateMessage("919876543210", "order_update", "en", {"#1042", "packed"});
  store_.rows[0].message.fallback = fallback;
  store_.rows[0].message.window_open = false;  // known closed: the template goes first time
  store_.rows[1].message.fallback = fallback;  // thought open, Meta says closed (131047)
  graph_.script.push_back("wamid.template.1");
  graph_.script.push_back(MakeError(ErrorCode::kFailedPrecondition,
                                    "graph api error 131047: Re-engagement message"));
  graph_.script.push_back("wamid.template.2");
  graph_.script.push_back(MakeError(ErrorCode::kFailedPrecondition,
                                    "graph api error 131047: Re-engagement message"));
  ASSERT_TRUE(relay_.RunOnce());
  ASSERT_EQ(graph_.calls.size(), 4u);
  EXPECT_EQ(graph_.calls[0].payload["type"], "template");
  EXPECT_EQ(graph_.calls[0].payload["template"]["components"][0]["parameters"][0]["text"], "#1042");
  EXPECT_EQ(graph_.calls[1].payload["type"], "text");
  EXPECT_EQ(graph_.calls[2].payload["type"], "template");
  EXPECT_EQ(store_.Find(1).wamid, "wamid.template.1");
  EXPECT_EQ(store_.Find(2).wamid, "wamid.template.2");
  EXPECT_EQ(store_.Find(3).state, "failed") << "no template to fall back to: permanent";
}

TEST_F(OutboxRelayTest, PermanentErrorFailsTheRowAtOnce) {
  AddRow(1);
  graph_.script.push_back(MakeError(ErrorCode::kFailedPrecondition, "graph api error 131026"));
  ASSERT_TRUE(relay_.RunOnce());
  EXPECT_EQ(store_.Find(1).state, "failed");
  EXPECT_NE(store_.Find(1).last_error.find("131026"), std::string::npos);
  EXPECT_EQ(graph_.calls.size(), 1u);
}

TEST_F(OutboxRelayTest, GivesUpAfterMaxAttempts) {
  AddRow(1);
  for (int i = 0; i < 3; ++i) graph_.script.push_back(MakeError(ErrorCode::kUnavailable, "down"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(relay_.RunOnce());
  EXPECT_EQ(store_.Find(1).state, "failed");
  EXPECT_EQ(graph_.calls.size(), 3u);
}

}  // namespace
}  // namespace chatshop::whatsapp
