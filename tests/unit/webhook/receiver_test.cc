#include "webhook/receiver.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"
#include "support/fixtures.h"
#include "webhook/signature.h"

namespace chatshop::webhook {
namespace {

constexpr const char* kSecret = "app-secret-for-tests";

class ReceiverTest : public ::testing::Test {
 protected:
  static common::WhatsAppSettings Settings() {
    common::WhatsAppSettings settings;
    settings.app_secret = kSecret;
    settings.verify_token = "verify-me";
    return settings;
  }

  HttpReply PostSigned(const std::string& body) {
    return receiver_.HandleEvents(SignatureHeader(kSecret, body), body);
  }

  common::WhatsAppSettings settings_ = Settings();
  common::MetricsRegistry metrics_;
  fakes::FakeEventQueue queue_;
  fakes::FakeTenantDirectory tenants_ = [] {
    fakes::FakeTenantDirectory t;
    t.numbers = {"106540352242922"};
    return t;
  }();
  WebhookReceiver receiver_{settings_, 4, queue_, &tenants_, metrics_};
};

TEST(SignatureTest, MatchesAKnownHmacSha256Vector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, AcceptsOnlyTheExactBodyAndSecret) {
  const std::string body = R"({"a":1})";
  const std::string header = SignatureHeader(kSecret, body);
  EXPECT_TRUE(VerifySignature(kSecret, body, header));
  std::string upper = header;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(VerifySignature(kSecret, body, upper)) << "hex case does not matter";
  EXPECT_FALSE(VerifySignature(kSecret, body + " ", header));
  EXPECT_FALSE(VerifySignature("other", body, header));
  EXPECT_FALSE(VerifySignature(kSecret, body, header.substr(7)));
  EXPECT_FALSE(VerifySignature(kSecret, body, ""));
  EXPECT_FALSE(VerifySignature("", body, SignatureHeader("", body))) << "no secret, no pass";
}

TEST_F(ReceiverTest, HandshakeEchoesChallengeByteForByte) {
  HttpReply ok = receiver_.HandleVerify("subscribe", "verify-me", "1158201444");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(receiver_.HandleVerify("subscribe", "wrong", "x").status, 403);
  EXPECT_EQ(receiver_.HandleVerify("unsubscribe", "verify-me", "x").status, 403);
  EXPECT_EQ(receiver_.HandleVerify("subscribe", "", "x").status, 403);
}

TEST_F(ReceiverTest, SignedTextWebhookIsQueuedOnItsCustomersShard) {
  const std::string body = testing::ReadWebhookFixture("01_text_order.json");
  HttpReply reply = PostSigned(body);
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(queue_.published.size(), 1u);
  const QueueMessage& m = queue_.published[0];
  EXPECT_EQ(m.route, QueueMessage::Route::kInbound);
  EXPECT_EQ(m.shard, ShardFor("106540352242922", "919876543210", 4));
  auto event = whatsapp::InboundEvent::FromJson(nlohmann::json::parse(m.body));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->TextBody(), "2 atta 5kg, 1 maggi, eggs x12");
  EXPECT_EQ(m.message_id, event->id);
}

TEST_F(ReceiverTest, ForgedOrUnsignedWebhookIs401AndQueuesNothing) {
  const std::string body = testing::ReadWebhookFixture("01_text_order.json");
  HttpReply forged = receiver_.HandleEvents(SignatureHeader("guessed-secret", body), body);
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(forged.body.find(HmacSha256Hex(kSecret, body)), std::string::npos)
      << "the answer must not reveal the expected digest";
  EXPECT_EQ(receiver_.HandleEvents("", body).status, 401);
  EXPECT_TRUE(queue_.published.empty());
}

TEST_F(ReceiverTest, SignedButBrokenJsonIs400) {
  HttpReply reply = PostSigned(testing::ReadWebhookFixture("19_malformed_truncated.json"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_TRUE(queue_.published.empty());
}

TEST_F(ReceiverTest, UnroutableChangeIsParkedWithItsReason) {
  HttpReply reply = PostSigned(testing::ReadWebhookFixture("20_missing_required_fields.json"));
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(queue_.published.size(), 1u);
  EXPECT_EQ(queue_.published[0].route, QueueMessage::Route::kParked);
  EXPECT_EQ(queue_.published[0].reason, "change without metadata.phone_number_id");
}

TEST_F(ReceiverTest, BrokerDownMeans503SoMetaRedelivers) {
  queue_.fail = true;
  HttpReply reply = PostSigned(testing::ReadWebhookFixture("01_text_order.json"));
  EXPECT_EQ(reply.status, 503);
}

TEST_F(ReceiverTest, UnknownTenantIsParkedCountedAndTheRestQueued) {
  HttpReply reply =
      PostSigned(testing::ReadWebhookFixture("33_unknown_tenant_and_known_tenant.json"));
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(queue_.published.size(), 2u);
  EXPECT_EQ(queue_.published[0].route, QueueMessage::Route::kInbound);
  EXPECT_EQ(queue_.published[1].route, QueueMessage::Route::kParked);
  EXPECT_EQ(queue_.published[1].reason, "no shop has phone_number_id 999000999000999");
  auto parked = nlohmann::json::parse(queue_.published[1].body);
  EXPECT_EQ(parked["raw"]["value"]["messages"][0]["id"], "wamid.T33.stranger") << "kept whole";
  EXPECT_EQ(metrics_.GetCounter("chatshop_webhook_unknown_tenant_total", "").value(), 1u);
}

TEST_F(ReceiverTest, OtherFieldsAreAcknowledgedCountedAndNotQueued) {
  HttpReply reply =
      PostSigned(testing::ReadWebhookFixture("32_user_preferences_and_account_update.json"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(queue_.published.empty());
  EXPECT_EQ(metrics_.GetCounter("chatshop_webhook_ignored_changes_total", "").value(), 2u);
}

TEST_F(ReceiverTest, MetricsCountEventsByTypeSignatureFailuresAndConfirmLatency) {
  PostSigned(testing::ReadWebhookFixture("30_every_other_message_type.json"));
  receiver_.HandleEvents("sha256=00", "{}");
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("chatshop_webhook_events_by_type_total{kind=\"message\",type=\"sticker\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chatshop_webhook_events_by_type_total{kind=\"error\",type=\"error\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chatshop_webhook_signature_failures_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("chatshop_webhook_publish_confirm_seconds_count 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("chatshop_webhook_requests_in_flight 0"), std::string::npos) << text;
}

TEST_F(ReceiverTest, AbsurdNestingIs400BeforeParsing) {
  std::string body = R"({"object":"whatsapp_business_account","entry":[)";
  body += std::string(100000, '[') + std::string(100000, ']') + "]}";
  EXPECT_EQ(PostSigned(body).status, 400);
  EXPECT_TRUE(queue_.published.empty());
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[{{{{","b":[1,[2]]})"), 3)
      << "brackets in strings do not count";
}

TEST_F(ReceiverTest, OverlongIdIsParkedAndTheRestOfTheBatchQueued) {
  auto body = nlohmann::json::parse(testing::ReadWebhookFixture("15_batch_two_customers.json"));
  body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = std::string(300, 'a');
  EXPECT_EQ(PostSigned(body.dump()).status, 200);
  ASSERT_EQ(queue_.published.size(), 2u);
  EXPECT_EQ(queue_.published[0].route, QueueMessage::Route::kInbound);
  EXPECT_EQ(queue_.published[1].route, QueueMessage::Route::kParked);
  EXPECT_EQ(queue_.published[1].reason, "id or sender longer than 255 bytes");
}

TEST_F(ReceiverTest, OddlyTypedFieldsNeverThrow) {
  // A payment status whose transaction id is a number, a message whose text is an array.
  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"statuses":[{"id":"w1","status":"captured","recipient_id":"9198","payment":{"transaction":{"id":1,"status":true}}}],"messages":[{"id":"w2","from":"9198","type":"text","text":["x"],"timestamp":{"a":1}}]}}]}]})";
  HttpReply reply = PostSigned(body);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(queue_.published.size(), 2u);
}

TEST(ShardTest, StableAndSpread) {
  EXPECT_EQ(ShardFor("106540352242922", "919876543210", 8),
            ShardFor("106540352242922", "919876543210", 8));
  std::set<int> used;
  for (int i = 0; i < 200; ++i) used.insert(ShardFor("1065", "9198765" + std::to_string(i), 8));
  EXPECT_EQ(used.size(), 8u);
  EXPECT_EQ(ShardFor("a", "b", 1), 0);
}

}  // namespace
}  // namespace chatshop::webhook
