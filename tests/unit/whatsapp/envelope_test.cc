#include "whatsapp/envelope.h"

#include <gtest/gtest.h>

#include "support/fixture_cases.h"
#include "support/fixtures.h"

namespace chatshop::whatsapp {
namespace {

using nlohmann::json;

WebhookBatch ParseFixture(const std::string& name) {
  auto batch = ParseWebhookBody(json::parse(testing::ReadWebhookFixture(name)));
  EXPECT_TRUE(batch) << name;
  return batch ? *batch : WebhookBatch{};
}

// Every fixture, parsed with only the fixtures' shop configured.
TEST(EnvelopeTest, EveryFixtureYieldsItsExpectedEventsAndParkedItems) {
  for (const auto& c : testing::FixtureCases()) {
    SCOPED_TRACE(c.file);
    json body = json::parse(testing::ReadWebhookFixture(c.file), nullptr, false);
    if (c.status == 400) {
      EXPECT_TRUE(body.is_discarded());
      continue;
    }
    auto batch =
        ParseWebhookBody(body, [](const std::string& id) { return id == testing::kFixtureShop; });
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->events.size(), c.events.size());
    for (size_t i = 0; i < c.events.size(); ++i) {
      const auto& want = c.events[i];
      const auto& got = batch->events[i];
      SCOPED_TRACE(want.kind + "/" + want.type);
      EXPECT_EQ(KindName(got.kind), want.kind);
      EXPECT_EQ(got.type, want.type);
      EXPECT_EQ(got.subtype, want.subtype);
      EXPECT_EQ(got.customer, want.customer);
      EXPECT_EQ(got.phone_number_id, testing::kFixtureShop);
      const json::json_pointer pointer(want.pointer);
      EXPECT_EQ(got.data.contains(pointer) ? got.data.at(pointer) : json(),
                json::parse(want.value));
    }
    ASSERT_EQ(batch->parked.size(), c.parked_reasons.size());
    for (size_t i = 0; i < c.parked_reasons.size(); ++i) {
      EXPECT_EQ(batch->parked[i].reason, c.parked_reasons[i]);
    }
  }
}

TEST(EnvelopeTest, TextMessageBecomesOneEventWithTenantCustomerAndBody) {
  WebhookBatch batch = ParseFixture("01_text_order.json");
  ASSERT_EQ(batch.events.size(), 1u);
  const InboundEvent& e = batch.events[0];
  EXPECT_EQ(e.kind, InboundEvent::Kind::kMessage);
  EXPECT_EQ(e.phone_number_id, "106540352242922");
  EXPECT_EQ(e.customer, "919876543210");
  EXPECT_EQ(e.customer_name, "Ramesh Kumar");
  EXPECT_EQ(e.type, "text");
  EXPECT_EQ(e.timestamp, 1785900000);
  EXPECT_EQ(e.TextBody(), "2 atta 5kg, 1 maggi, eggs x12");
  EXPECT_EQ(e.DedupeKey(), e.id);
  EXPECT_TRUE(batch.parked.empty());
}

TEST(EnvelopeTest, BatchYieldsEveryMessageWithItsOwnContactName) {
  WebhookBatch batch = ParseFixture("15_batch_two_customers.json");
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_NE(batch.events[0].customer, batch.events[1].customer);
  for (const auto& e : batch.events) EXPECT_FALSE(e.customer_name.empty()) << e.customer;
}

TEST(EnvelopeTest, HindiEscapesDecodeToUtf8) {
  WebhookBatch batch = ParseFixture("17_text_hindi_devanagari.json");
  ASSERT_EQ(batch.events.size(), 1u);
  const std::string body = batch.events[0].TextBody();
  EXPECT_NE(body.find("\xF0\x9F\x99\x8F"), std::string::npos) << "🙏 (a surrogate pair) missing";
  EXPECT_NE(body.find("\xE0\xA4"), std::string::npos) << "no Devanagari in " << body;
}

TEST(EnvelopeTest, StatusBecomesStatusEventKeyedByIdAndStatus) {
  WebhookBatch batch = ParseFixture("13_status_read.json");
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].kind, InboundEvent::Kind::kStatus);
  EXPECT_EQ(batch.events[0].type, "read");
  EXPECT_EQ(batch.events[0].customer, "919876543210");
  EXPECT_EQ(batch.events[0].DedupeKey(), batch.events[0].id + ":read");
}

TEST(EnvelopeTest, ChangeWithoutTenantIsParkedNotDropped) {
  WebhookBatch batch = ParseFixture("20_missing_required_fields.json");
  EXPECT_TRUE(batch.events.empty());
  ASSERT_EQ(batch.parked.size(), 1u);
  EXPECT_EQ(batch.parked[0].reason, "change without metadata.phone_number_id");
}

TEST(EnvelopeTest, MessageWithoutIdIsParkedAndTheRestGoesThrough) {
  json body = json::parse(testing::ReadWebhookFixture("15_batch_two_customers.json"));
  body["entry"][0]["changes"][0]["value"]["messages"][0].erase("id");
  auto batch = ParseWebhookBody(body);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->events.size(), 1u);
  ASSERT_EQ(batch->parked.size(), 1u);
  EXPECT_EQ(batch->parked[0].reason, "message without id or sender");
}

TEST(EnvelopeTest, OtherFieldsAreAcknowledgedNotProcessed) {
  json body = {
      {"object", "whatsapp_business_account"},
      {"entry",
       {{{"id", "1"}, {"changes", {{{"field", "account_update"}, {"value", {{"event", "X"}}}}}}}}}};
  auto batch = ParseWebhookBody(body);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->events.empty());
  EXPECT_EQ(batch->ignored_fields, std::vector<std::string>{"account_update"});
}

TEST(EnvelopeTest, NonWhatsAppBodyIsRejected) {
  EXPECT_FALSE(ParseWebhookBody(json::parse(R"({"object":"page","entry":[]})")));
  EXPECT_FALSE(ParseWebhookBody(json::parse(R"([1,2,3])")));
  EXPECT_FALSE(ParseWebhookBody(json::parse(R"({"object":"whatsapp_business_account"})")));
}

TEST(EnvelopeTest, EventSurvivesTheQueueRoundTrip) {
  WebhookBatch batch = ParseFixture("01_text_order.json");
  ASSERT_EQ(batch.events.size(), 1u);
  auto back = InboundEvent::FromJson(json::parse(batch.events[0].ToJson().dump()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, batch.events[0].id);
  EXPECT_EQ(back->customer, "919876543210");
  EXPECT_EQ(back->TextBody(), "2 atta 5kg, 1 maggi, eggs x12");
  EXPECT_FALSE(InboundEvent::FromJson(json::parse(R"({"kind":"nope"})")));
  EXPECT_FALSE(InboundEvent::FromJson(json::parse(R"("text")")));
}

TEST(EnvelopeTest, BuiltTextWebhookIsAsciiAndParsesBack) {
  CustomerMessageSpec spec;
  spec.phone_number_id = "106540352242922";
  spec.from = "918765432109";
  spec.name = "सुनीता देवी";
  spec.wamid = "wamid.TEST1";
  spec.timestamp = 1785900000;
  spec.text = "दूध 2 🙏";
  const std::string body = BuildCustomerWebhookBody(spec);
  for (unsigned char c : body) ASSERT_LT(c, 0x80) << "Meta's bodies are ASCII (\\u escapes)";
  auto batch = ParseWebhookBody(json::parse(body));
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->events.size(), 1u);
  EXPECT_EQ(batch->events[0].TextBody(), spec.text);
  EXPECT_EQ(batch->events[0].customer_name, spec.name);
}

}  // namespace
}  // namespace chatshop::whatsapp
