// The outbox relay and the outbound sender with in-memory fakes: every error class takes its
// path (retry with backoff and jitter, template fallback, dead letter, credential hold), a
// reply already accepted is never sent again, and one customer's replies leave in order.
#include "service/outbound_sender.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"
#include "service/outbox_relay.h"
#include "whatsapp/outbound.h"

namespace chatshop::service {
namespace {

using whatsapp::BuildTemplateMessage;
using whatsapp::BuildTextMessage;
using whatsapp::InboundEvent;
using whatsapp::IsMarkRead;

using std::chrono::milliseconds;

constexpr const char* kCustomer = "919876543210";

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() {
    settings_.max_attempts = 3;
    settings_.backoff_base = milliseconds(1000);
    settings_.backoff_cap = std::chrono::seconds(5);
    settings_.max_inline_wait = milliseconds(500);
    settings_.credential_hold = std::chrono::seconds(30);
  }
  fakes::FakeOutboxStore::Row& Add(int64_t id, const std::string& to = kCustomer) {
    return store_.Add(id, to, BuildTextMessage(to, "reply " + std::to_string(id)));
  }
  static OutboundJob Job(int64_t id, const std::string& to = kCustomer) {
    return {id, "106540352242922", to};
  }
  OutboundSender Sender() {
    return OutboundSender(
        store_, graph_, pacer_, queue_, settings_, metrics_,
        [this](milliseconds d) { slept_.push_back(d); }, [this] { return random_; });
  }
  // A send Meta refuses with `meta_code`.
  static Result<std::string> Meta(ErrorCode code, int64_t meta_code) {
    return MakeError(code, "graph api error " + std::to_string(meta_code) + ": test");
  }
  static Result<std::string> Accepted(const std::string& wamid) { return wamid; }

  OutboundSenderSettings settings_;
  common::MetricsRegistry metrics_;
  fakes::FakeOutboxStore store_;
  fakes::FakeGraphApi graph_;
  fakes::FakePacer pacer_;
  fakes::FakeOutboundQueue queue_;
  std::vector<milliseconds> slept_;
  double random_ = 0.0;  // jitter: the lower end, half the backoff
};

TEST_F(SenderTest, RelayQueuesPendingRepliesOldestFirstAndMarksThem) {
  Add(2).status = "pending";
  Add(1).status = "pending";
  Add(3).status = "sent";
  OutboxRelay relay(store_, queue_, 10, metrics_);
  EXPECT_EQ(*relay.RunOnce(), 2);
  ASSERT_EQ(queue_.queued.size(), 2u);
  EXPECT_EQ(queue_.queued[0].outbox_id, 1);
  EXPECT_EQ(queue_.queued[1].recipient, kCustomer);
  EXPECT_EQ(store_.rows[1].status, "queued");
  EXPECT_EQ(*relay.RunOnce(), 0);
}

TEST_F(SenderTest, RelayLeavesRowsPendingWhenTheBrokerIsDown) {
  Add(1).status = "pending";
  queue_.unavailable = true;
  OutboxRelay relay(store_, queue_, 10, metrics_);
  EXPECT_FALSE(relay.RunOnce());
  EXPECT_EQ(store_.rows[1].status, "pending") << "queued again on the next pass";
}

TEST_F(SenderTest, SendsRecordsTheWamidAndNeverSendsAnAcceptedReplyAgain) {
  Add(1);
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_EQ(graph_.calls.size(), 1u);
  EXPECT_EQ(graph_.calls[0].payload["text"]["body"], "reply 1");
  EXPECT_EQ(graph_.calls[0].access_token, "token-1");
  EXPECT_EQ(store_.rows[1].status, "sent");
  EXPECT_EQ(store_.rows[1].wamid, "wamid.sent.1");
  ASSERT_TRUE(sender.Handle(Job(1))) << "a second copy of the job";
  EXPECT_EQ(graph_.calls.size(), 1u);
}

TEST_F(SenderTest, TheFirstAnswerToAMessageMarksItReadFirst) {
  auto& first = Add(1);
  first.caused_by = "wamid.IN1";
  first.first_answer = true;
  Add(2).caused_by = "wamid.IN1";  // the second answer to the same message
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_TRUE(sender.Handle(Job(2)));
  ASSERT_EQ(graph_.calls.size(), 3u);
  EXPECT_TRUE(IsMarkRead(graph_.calls[0].payload));
  EXPECT_EQ(graph_.calls[0].payload["message_id"], "wamid.IN1");
  EXPECT_EQ(graph_.calls[1].payload["text"]["body"], "reply 1");
  EXPECT_EQ(graph_.calls[2].payload["text"]["body"], "reply 2");
  EXPECT_EQ(pacer_.calls.size(), 2u) << "a read receipt is not paced";
}

TEST_F(SenderTest, AnAcceptedReplyWhoseRecordFailedIsRecordedNotResent) {
  Add(1);
  auto sender = Sender();
  store_.fail_mark_sent = 1;
  EXPECT_FALSE(sender.Handle(Job(1))) << "Meta accepted it; the wamid could not be written";
  EXPECT_EQ(graph_.calls.size(), 1u);
  ASSERT_TRUE(sender.Handle(Job(1))) << "the consumer tries the same job again";
  EXPECT_EQ(graph_.calls.size(), 1u) << "not sent twice";
  EXPECT_EQ(store_.rows[1].wamid, "wamid.sent.1");
  EXPECT_EQ(store_.rows[1].status, "sent");
}

TEST_F(SenderTest, RepliesToOneCustomerWaitForTheOlderOne) {
  Add(1);
  Add(2);
  Add(3, "919811112222");  // another customer is not held up
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(2)));
  EXPECT_TRUE(graph_.calls.empty());
  ASSERT_EQ(queue_.delayed.size(), 1u);
  EXPECT_EQ(queue_.delayed[0].first.outbox_id, 2);
  EXPECT_EQ(queue_.delayed[0].second, settings_.order_wait);
  ASSERT_TRUE(sender.Handle(Job(3, "919811112222")));
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_TRUE(sender.Handle(Job(2)));  // it came back from the delay queue
  ASSERT_EQ(graph_.calls.size(), 3u);
  EXPECT_EQ(graph_.calls[1].payload["text"]["body"], "reply 1");
  EXPECT_EQ(graph_.calls[2].payload["text"]["body"], "reply 2");
}

TEST_F(SenderTest, ShortPacingWaitsInTheThreadLongOnesInADelayQueue) {
  Add(1);
  Add(2, "919811112222");
  pacer_.script = {milliseconds(200), milliseconds(0), milliseconds(4000)};
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  EXPECT_EQ(slept_, std::vector<milliseconds>{milliseconds(200)});
  EXPECT_EQ(store_.rows[1].status, "sent");
  ASSERT_TRUE(sender.Handle(Job(2, "919811112222")));
  EXPECT_EQ(store_.rows[2].status, "queued") << "not sent: waiting for the pair rate";
  ASSERT_EQ(queue_.delayed.size(), 1u);
  EXPECT_EQ(queue_.delayed[0].second, milliseconds(4000));
  EXPECT_EQ(pacer_.calls[0].second, 80) << "the default rate of a shop without its own";
  Add(3, "919822223333").messages_per_second = 1000;
  ASSERT_TRUE(sender.Handle(Job(3, "919822223333")));
  EXPECT_EQ(pacer_.calls.back().second, 1000) << "a shop whose tier Meta raised";
}

TEST_F(SenderTest, RetryableErrorsBackOffExponentiallyWithJitterThenDeadLetter) {
  Add(1);
  graph_.script = {Meta(ErrorCode::kResourceExhausted, 130429),
                   Meta(ErrorCode::kResourceExhausted, 131056),
                   MakeError(ErrorCode::kUnavailable, "graph api http 503 without error body")};
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  random_ = 0.999;
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_EQ(queue_.delayed.size(), 2u);
  EXPECT_EQ(queue_.delayed[0].second, milliseconds(500)) << "base 1 s, jitter down to half";
  EXPECT_EQ(queue_.delayed[1].second, milliseconds(1999)) << "doubled";
  EXPECT_EQ(store_.rows[1].attempts, 2);
  EXPECT_EQ(store_.rows[1].status, "queued");
  ASSERT_TRUE(sender.Handle(Job(1)));  // the third attempt is the last
  ASSERT_EQ(queue_.dead.size(), 1u);
  EXPECT_EQ(queue_.dead[0].code, 0) << "a 503 without a body has no Meta code";
  EXPECT_EQ(store_.rows[1].status, "dead");
  EXPECT_EQ(sender.Backoff(10), std::chrono::seconds(5)) << "capped";
}

TEST_F(SenderTest, SlowLimitsAndLostAnswersWaitLongerThanTheBackoff) {
  Add(1);
  Add(2, "919811112222");
  Add(3, "919822223333");
  settings_.uncertain_wait = std::chrono::seconds(30);
  graph_.script = {Meta(ErrorCode::kUnavailable, 131057),
                   Meta(ErrorCode::kResourceExhausted, 131048),
                   MakeError(ErrorCode::kUnavailable,
                             "graph api uncertain: no answer after the request was sent")};
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_TRUE(sender.Handle(Job(2, "919811112222")));
  ASSERT_TRUE(sender.Handle(Job(3, "919822223333")));
  ASSERT_EQ(queue_.delayed.size(), 3u);
  EXPECT_EQ(queue_.delayed[0].second, std::chrono::seconds(60)) << "maintenance: about a minute";
  EXPECT_EQ(queue_.delayed[1].second, std::chrono::minutes(15)) << "spam rate: much later";
  EXPECT_EQ(queue_.delayed[2].second, std::chrono::seconds(30)) << "time for the status webhook";
  EXPECT_EQ(graph_.calls[0].payload["biz_opaque_callback_data"], "outbox-1")
      << "echoed in statuses, so a lost answer's reply is recognised as sent";
}

TEST_F(SenderTest, PermanentErrorsGoToTheDeadLetterQueueWithMetasCode) {
  Add(1);
  graph_.script = {Meta(ErrorCode::kFailedPrecondition, 131026)};
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_EQ(queue_.dead.size(), 1u);
  EXPECT_EQ(queue_.dead[0].code, 131026);
  EXPECT_NE(queue_.dead[0].error.find("131026"), std::string::npos);
  EXPECT_EQ(store_.rows[1].status, "dead");
  EXPECT_EQ(store_.rows[1].error_code, 131026);
  EXPECT_TRUE(queue_.delayed.empty());
  EXPECT_EQ(graph_.calls.size(), 1u);
  EXPECT_TRUE(queue_.reported.empty()) << "not an order notice";

  // An order notice given up on: the bot hears of it, for the owners.
  Add(2, "919811112222").is_notice = true;
  graph_.script = {Meta(ErrorCode::kFailedPrecondition, 132001)};
  ASSERT_TRUE(sender.Handle(Job(2, "919811112222")));
  ASSERT_EQ(queue_.reported.size(), 1u);
  const UndeliveredReply& reply = queue_.reported[0];
  EXPECT_EQ(reply.outbox_id, 2);
  EXPECT_EQ(reply.phone_number_id, "106540352242922");
  EXPECT_EQ(reply.recipient, "919811112222");
  EXPECT_EQ(reply.meta_code, 132001);
  EXPECT_NE(reply.error.find("132001"), std::string::npos) << reply.error;
  // On the inbound queue it travels as the failed status Meta would send.
  const InboundEvent failed = reply.AsFailedStatus();
  EXPECT_EQ(failed.kind, InboundEvent::Kind::kStatus);
  EXPECT_EQ(failed.type, "failed");
  EXPECT_EQ(failed.customer, "919811112222");
  EXPECT_EQ(failed.data["biz_opaque_callback_data"], "outbox-2");
  EXPECT_EQ(failed.id, "outbox-2");
  EXPECT_EQ(failed.phone_number_id, "106540352242922");
  EXPECT_EQ(failed.data["errors"][0]["code"], 132001);
  EXPECT_EQ(failed.data["errors"][0]["title"], reply.error);
  auto back = InboundEvent::FromJson(failed.ToJson());
  ASSERT_TRUE(back) << "readable by the bot's consumer";
  EXPECT_EQ(back->DedupeKey(), failed.DedupeKey());
}

// A dead letter the broker refuses for good must not hold the queue (the consumer retries a
// failed Handle forever) nor the customer's later replies: the row is recorded dead.
TEST_F(SenderTest, ADeadLetterTheBrokerRefusesForGoodDoesNotHoldTheQueue) {
  Add(1);
  Add(2);
  graph_.script = {Meta(ErrorCode::kFailedPrecondition, 131026), Accepted("wamid.2")};
  queue_.refuse_dead_letters = true;
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1))) << "acknowledged, not asked for again";
  EXPECT_TRUE(queue_.dead.empty());
  EXPECT_EQ(store_.rows[1].status, "dead");
  EXPECT_EQ(store_.rows[1].error_code, 131026);
  EXPECT_NE(store_.rows[1].last_error.find("not in the dead-letter queue"), std::string::npos)
      << store_.rows[1].last_error;
  ASSERT_TRUE(sender.Handle(Job(2)));
  EXPECT_EQ(store_.rows[2].status, "sent") << "the next reply to the same customer went out";
  // A broker that is away is another matter: the job comes back later.
  Add(3);
  graph_.script = {Meta(ErrorCode::kFailedPrecondition, 131026)};
  queue_.refuse_dead_letters = false;
  queue_.unavailable = true;
  EXPECT_FALSE(sender.Handle(Job(3)));
  EXPECT_NE(store_.rows[3].status, "dead");
}

TEST_F(SenderTest, AClosedWindowSendsTheApprovedTemplateInstead) {
  const auto fallback = BuildTemplateMessage(kCustomer, "order_update", "en", {"#1042", "packed"});
  auto& known_closed = Add(1);
  known_closed.fallback = fallback;
  known_closed.window_open = false;  // the template goes the first time
  Add(2).fallback = fallback;        // thought open; Meta says closed (131047)
  Add(3);                            // no template to fall back to
  graph_.script = {Accepted("wamid.template.1"), Meta(ErrorCode::kFailedPrecondition, 131047),
                   Accepted("wamid.template.2"), Meta(ErrorCode::kFailedPrecondition, 131047)};
  auto sender = Sender();
  for (int id = 1; id <= 3; ++id) ASSERT_TRUE(sender.Handle(Job(id)));
  ASSERT_EQ(graph_.calls.size(), 4u);
  EXPECT_EQ(graph_.calls[0].payload["type"], "template");
  EXPECT_EQ(graph_.calls[0].payload["template"]["components"][0]["parameters"][0]["text"], "#1042");
  EXPECT_EQ(graph_.calls[1].payload["type"], "text");
  EXPECT_EQ(graph_.calls[2].payload["type"], "template");
  EXPECT_EQ(store_.rows[1].wamid, "wamid.template.1");
  EXPECT_EQ(store_.rows[2].wamid, "wamid.template.2");
  EXPECT_EQ(store_.rows[3].status, "dead");
  EXPECT_EQ(store_.rows[3].error_code, 131047);
}

TEST_F(SenderTest, ARefusedTokenHoldsTheShopsRepliesWithoutBurningAttempts) {
  Add(1);
  Add(2, "919811112222");
  graph_.script = {MakeError(ErrorCode::kUnauthenticated, "graph api error 190: token expired")};
  auto sender = Sender();
  ASSERT_TRUE(sender.Handle(Job(1)));
  EXPECT_EQ(store_.held.count(1), 1u);
  EXPECT_EQ(store_.rows[1].attempts, 0);
  ASSERT_TRUE(sender.Handle(Job(2, "919811112222")));
  EXPECT_EQ(graph_.calls.size(), 1u) << "the held shop's next reply is not even tried";
  ASSERT_EQ(queue_.delayed.size(), 2u);
  EXPECT_EQ(queue_.delayed[1].second, std::chrono::seconds(30));
  EXPECT_TRUE(queue_.dead.empty());
  // An admin sets a new token: the replies go out.
  store_.held.clear();
  ASSERT_TRUE(sender.Handle(Job(1)));
  ASSERT_TRUE(sender.Handle(Job(2, "919811112222")));
  EXPECT_EQ(store_.rows[1].status, "sent");
  EXPECT_EQ(store_.rows[2].status, "sent");
}

TEST_F(SenderTest, AnUnavailableStoreOrBrokerAsksForTheSameJobAgain) {
  Add(1);
  store_.unavailable = true;
  auto sender = Sender();
  EXPECT_FALSE(sender.Handle(Job(1)));
  store_.unavailable = false;
  graph_.script = {Meta(ErrorCode::kUnavailable, 131000)};
  queue_.unavailable = true;
  EXPECT_FALSE(sender.Handle(Job(1))) << "the retry could not be scheduled";
  queue_.unavailable = false;
  ASSERT_TRUE(sender.Handle(Job(1)));
  EXPECT_EQ(store_.rows[1].status, "sent");
}

}  // namespace
}  // namespace chatshop::service
