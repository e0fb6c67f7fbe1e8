#include "bot/inbound_processor.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"

namespace chatshop::bot {
namespace {

whatsapp::InboundEvent TextFrom(const std::string& customer, const std::string& wamid) {
  whatsapp::InboundEvent e;
  e.kind = whatsapp::InboundEvent::Kind::kMessage;
  e.phone_number_id = "106540352242922";
  e.customer = customer;
  e.customer_name = "Ramesh";
  e.id = wamid;
  e.type = "text";
  e.raw = {{"text", {{"body", "2 atta"}}}};
  return e;
}

class InboundProcessorTest : public ::testing::Test {
 protected:
  InboundProcessorTest() { store_.shops["106540352242922"] = {7, "Sharma Kirana", "106540352242922"}; }
  common::MetricsRegistry metrics_;
  fakes::FakeInboundStore store_;
  fakes::FakeCatalogSource catalogs_;
  InboundProcessor processor_{store_, &catalogs_, metrics_};
};

TEST_F(InboundProcessorTest, MessageIsRecordedWithOneReplyToTheSender) {
  Outcome outcome = processor_.Handle(TextFrom("919876543210", "wamid.A"));
  EXPECT_EQ(outcome.disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  EXPECT_EQ(store_.outbox[0]["to"], "+919876543210");
  EXPECT_NE(store_.outbox[0]["text"]["body"].get<std::string>().find("Sharma Kirana"),
            std::string::npos);
}

TEST_F(InboundProcessorTest, RedeliveredMessageHasNoSecondEffect) {
  ASSERT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.A")).disposition, Disposition::kAck);
  ASSERT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.A")).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 1u);
}

TEST_F(InboundProcessorTest, UnknownShopIsDeadLettered) {
  auto event = TextFrom("919876543210", "wamid.B");
  event.phone_number_id = "999";
  Outcome outcome = processor_.Handle(event);
  EXPECT_EQ(outcome.disposition, Disposition::kDeadLetter);
  EXPECT_NE(outcome.reason.find("999"), std::string::npos);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST_F(InboundProcessorTest, DatabaseDownMeansRetryNotLoss) {
  store_.unavailable = true;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.C")).disposition,
            Disposition::kRetry);
  store_.unavailable = false;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.C")).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 1u);
}

TEST_F(InboundProcessorTest, StatusesAreAcknowledgedWithoutReplies) {
  whatsapp::InboundEvent status;
  status.kind = whatsapp::InboundEvent::Kind::kStatus;
  status.type = "read";
  EXPECT_EQ(processor_.Handle(status).disposition, Disposition::kAck);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST_F(InboundProcessorTest, ShopWithACatalogGetsTheEngineAndItsStateIsKept) {
  catalogs_.catalogs[7] = orders::Catalog{
      {orders::Product{"MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet", "snacks", {"maggi"}}}};
  auto first = TextFrom("919876543210", "wamid.E1");
  first.data = {{"body", "2 maggi"}};
  ASSERT_EQ(processor_.Handle(first).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 1u);
  EXPECT_EQ(store_.outbox[0]["type"], "interactive");
  auto second = TextFrom("919876543210", "wamid.E2");
  second.data = {{"body", "maggi 3"}};
  ASSERT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  const auto& stored = store_.conversations.at({7, "919876543210"});
  EXPECT_EQ(stored.version, 1);
  EXPECT_EQ(stored.state["cart"][0]["qty"], 5) << "the second message added to the stored cart";
  EXPECT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  EXPECT_EQ(store_.outbox.size(), 2u) << "a redelivery changes nothing";
}

TEST_F(InboundProcessorTest, CatalogChangeIsSeenByTheNextMessage) {
  orders::Product maggi{"MAGGI-70", "Maggi 70g", orders::Money{1400}, 100, "packet", "snacks", {"maggi"}};
  catalogs_.catalogs[7] = orders::Catalog{{maggi}};
  auto first = TextFrom("919876543210", "wamid.G1");
  first.data = {{"body", "2 maggi"}};
  ASSERT_EQ(processor_.Handle(first).disposition, Disposition::kAck);
  maggi.stock = 0;
  catalogs_.catalogs[7] = orders::Catalog{{maggi}};
  auto second = TextFrom("919876543210", "wamid.G2");
  second.data = {{"body", "1 maggi"}};
  ASSERT_EQ(processor_.Handle(second).disposition, Disposition::kAck);
  ASSERT_EQ(store_.outbox.size(), 2u);
  const std::string body = store_.outbox[1]["interactive"]["body"]["text"];
  EXPECT_NE(body.find("out of stock"), std::string::npos) << body;
}

TEST_F(InboundProcessorTest, CatalogUnavailableMeansRetry) {
  catalogs_.unavailable = true;
  EXPECT_EQ(processor_.Handle(TextFrom("919876543210", "wamid.F")).disposition, Disposition::kRetry);
  EXPECT_TRUE(store_.outbox.empty());
}

TEST(AcknowledgementTextTest, GreetsByNameWhenKnown) {
  EXPECT_EQ(AcknowledgementText("Priya", "Sharma Kirana"),
            "Namaste Priya! Sharma Kirana has received your message. We will reply here shortly.");
  EXPECT_EQ(AcknowledgementText("", "X").rfind("Namaste! X", 0), 0u);
}

}  // namespace
}  // namespace chatshop::bot
