// What the inbound consumer does with a message that can never succeed (the parking policy),
// and which messages it parks: unreadable ones, dead-lettered ones, ones whose handling threw.
#include "service/parking.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"
#include "service/inbound_consumer.h"
#include "service/outbound_consumer.h"

namespace chatshop::service {
namespace {

const QueueDelivery kDelivery{"msg-1", R"({"not":"an event"})"};

TEST(ParkingPolicyTest, ACopyIsParkedWithItsReasonBeforeTheOriginalIsAcknowledged) {
  fakes::FakeParkingLot lot;
  ParkingPolicy parking(lot);
  EXPECT_EQ(parking.Park(kDelivery, "no shop"), DeliveryAction::kAck);
  ASSERT_EQ(lot.parked.size(), 1u);
  EXPECT_EQ(lot.parked[0].message_id, "msg-1");
  EXPECT_EQ(lot.parked[0].reason, "no shop");
  EXPECT_EQ(lot.parked[0].body, kDelivery.body);
}

TEST(ParkingPolicyTest, ABrokerThatIsAwayMeansRetryNotLoss) {
  fakes::FakeParkingLot lot;
  lot.unavailable = true;
  ParkingPolicy parking(lot);
  EXPECT_EQ(parking.Park(kDelivery, "no shop"), DeliveryAction::kRetry);
  EXPECT_EQ(lot.attempts.size(), 1u) << "a retryable failure is not tried without the id";
  EXPECT_TRUE(lot.parked.empty());
}

TEST(ParkingPolicyTest, ACopyRefusedForGoodIsParkedWithoutItsIdRatherThanHoldingTheQueue) {
  fakes::FakeParkingLot lot;
  lot.refuse_ids = true;
  ParkingPolicy parking(lot);
  EXPECT_EQ(parking.Park(kDelivery, "no shop"), DeliveryAction::kAck);
  ASSERT_EQ(lot.attempts.size(), 2u);
  ASSERT_EQ(lot.parked.size(), 1u);
  EXPECT_EQ(lot.parked[0].message_id, "");
  EXPECT_EQ(lot.parked[0].reason, "no shop");
  EXPECT_EQ(lot.parked[0].body, kDelivery.body) << "the body still carries the id";
}

class InboundConsumerTest : public ::testing::Test {
 protected:
  InboundConsumerTest() { fakes::AddTestShop(store_, catalogs_); }
  static const common::TemplateSet& Templates() {
    static const common::TemplateSet set =
        *common::TemplateSet::Load(CHATSHOP_DEFAULT_TEMPLATES_DIR, WorkerTemplateNames());
    return set;
  }
  static QueueDelivery TextTo(const std::string& phone_number_id) {
    whatsapp::InboundEvent e;
    e.kind = whatsapp::InboundEvent::Kind::kMessage;
    e.phone_number_id = phone_number_id;
    e.customer = "919876543210";
    e.id = "wamid.P1";
    e.type = "text";
    e.raw = {{"text", {{"body", "hello"}}}};
    return {"wamid.P1", e.ToJson().dump()};
  }
  common::MetricsRegistry metrics_;
  fakes::FakeInboundStore store_;
  fakes::FakeCatalogSource catalogs_;
  fakes::FakeParkingLot lot_;
  ParkingPolicy parking_{lot_};
  InboundProcessor processor_{store_, &catalogs_, Templates(), metrics_};
  InboundConsumer consumer_{processor_, parking_};
};

TEST_F(InboundConsumerTest, AHandledMessageIsAcknowledged) {
  EXPECT_EQ(consumer_.Consume(TextTo("106540352242922")), DeliveryAction::kAck);
  EXPECT_EQ(store_.inbox.count("wamid.P1"), 1u);
  EXPECT_TRUE(lot_.parked.empty());
}

TEST_F(InboundConsumerTest, AnUnreadableEventIsParked) {
  EXPECT_EQ(consumer_.Consume(kDelivery), DeliveryAction::kAck);
  ASSERT_EQ(lot_.parked.size(), 1u);
  EXPECT_EQ(lot_.parked[0].reason.rfind("unreadable event: ", 0), 0u) << lot_.parked[0].reason;
}

TEST_F(InboundConsumerTest, ADeadLetteredMessageIsParkedWithTheProcessorsReason) {
  EXPECT_EQ(consumer_.Consume(TextTo("999")), DeliveryAction::kAck);
  ASSERT_EQ(lot_.parked.size(), 1u);
  EXPECT_EQ(lot_.parked[0].reason, "no shop has phone_number_id 999");
}

TEST_F(InboundConsumerTest, ADatabaseThatIsDownKeepsTheMessageForARetry) {
  store_.unavailable = true;
  EXPECT_EQ(consumer_.Consume(TextTo("106540352242922")), DeliveryAction::kRetry);
  EXPECT_TRUE(lot_.parked.empty());
}

TEST_F(InboundConsumerTest, AParkingLotThatIsAwayKeepsTheMessageForARetry) {
  lot_.unavailable = true;
  EXPECT_EQ(consumer_.Consume(TextTo("999")), DeliveryAction::kRetry);
}

TEST(OutboundConsumerTest, JobsAreSentUnreadableOnesDroppedAndFailuresRetried) {
  fakes::FakeOutboxStore store;
  fakes::FakeGraphApi graph;
  fakes::FakePacer pacer;
  fakes::FakeOutboundQueue queue;
  common::MetricsRegistry metrics;
  OutboundSender sender(store, graph, pacer, queue, {}, metrics);
  OutboundConsumer consumer(sender);
  store.Add(1, "919876543210", {{"to", "919876543210"}, {"type", "text"}});
  const OutboundJob job{1, "106540352242922", "919876543210"};
  EXPECT_EQ(consumer.Consume({"outbox-1", job.ToJson().dump()}), DeliveryAction::kAck);
  EXPECT_EQ(store.rows[1].status, "sent");

  EXPECT_EQ(consumer.Consume({"junk", "not json"}), DeliveryAction::kAck) << "dropped";

  store.Add(2, "919876543210", {{"to", "919876543210"}, {"type", "text"}});
  store.unavailable = true;
  const OutboundJob second{2, "106540352242922", "919876543210"};
  EXPECT_EQ(consumer.Consume({"outbox-2", second.ToJson().dump()}), DeliveryAction::kRetry);
}

}  // namespace
}  // namespace chatshop::service
