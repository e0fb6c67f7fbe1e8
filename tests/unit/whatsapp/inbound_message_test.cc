// The classifier: one JSON fixture per update type, as Meta sends it, read into its type.
#include "whatsapp/inbound_message.h"

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "whatsapp/envelope.h"

namespace chatshop::whatsapp {
namespace {

using nlohmann::json;

// Every event of a fixture, classified as the worker does after the queue.
std::vector<ClassifiedEvent> Classified(const std::string& fixture) {
  auto batch = ParseWebhookBody(json::parse(testing::ReadWebhookFixture(fixture)));
  EXPECT_TRUE(batch) << fixture;
  std::vector<ClassifiedEvent> events;
  if (!batch) return events;
  for (const auto& event : batch->events) {
    // Through the queue's JSON and back, so that what is classified is what a worker reads.
    auto carried = InboundEvent::FromJson(event.ToJson());
    EXPECT_TRUE(carried);
    if (carried) events.push_back(Classify(*carried));
  }
  return events;
}

InboundMessage OnlyMessage(const std::vector<ClassifiedEvent>& events) {
  EXPECT_EQ(events.size(), 1u);
  const auto* message = events.empty() ? nullptr : std::get_if<InboundMessage>(&events[0]);
  EXPECT_NE(message, nullptr);
  return message != nullptr ? *message : InboundMessage{};
}

template <typename T>
T ContentOf(const std::string& fixture) {
  const InboundMessage message = OnlyMessage(Classified(fixture));
  const T* content = std::get_if<T>(&message.content);
  EXPECT_NE(content, nullptr) << fixture << " holds alternative " << message.content.index();
  return content != nullptr ? *content : T{};
}

TEST(InboundMessageTest, TextCarriesItsBodyAndWhoWroteIt) {
  const InboundMessage message = OnlyMessage(Classified("01_text_order.json"));
  ASSERT_TRUE(std::holds_alternative<TextMessage>(message.content));
  EXPECT_FALSE(std::get<TextMessage>(message.content).body.empty());
  EXPECT_EQ(message.from.wa_id, "919876543210");
  EXPECT_FALSE(message.from.name.empty());
  EXPECT_EQ(message.wamid.rfind("wamid.", 0), 0u);
  EXPECT_GT(message.timestamp, 0);
  EXPECT_TRUE(message.replied_to.empty());
}

TEST(InboundMessageTest, ButtonAndListRepliesCarryTheIdWeGaveAndWhatTheyReplyTo) {
  EXPECT_EQ(ContentOf<ButtonReply>("03_button_reply.json"),
            (ButtonReply{"bill:ORD-2026-000481:confirm", "Confirm order"}));
  const ListReply row = ContentOf<ListReply>("04_list_reply.json");
  EXPECT_EQ(row.id, "subst:MAGGI_MASALA_70G:YIPPEE_MAGIC_MASALA_70G");
  const InboundMessage message = OnlyMessage(Classified("03_button_reply.json"));
  EXPECT_EQ(message.replied_to, "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSRTFDMEVFMDU2MzBENzYxNTdGAA==");
}

TEST(InboundMessageTest, CatalogCartListsItsItemsInOrder) {
  const CatalogOrder order = ContentOf<CatalogOrder>("02_catalog_order_3_items.json");
  ASSERT_EQ(order.items.size(), 3u);
  EXPECT_EQ(order.items[0], (CatalogOrder::Item{"ATTA_AASHIRVAAD_5KG", 2}));
  EXPECT_EQ(order.items[1], (CatalogOrder::Item{"MAGGI_MASALA_70G", 1}));
}

TEST(InboundMessageTest, MediaLocationAndQuickReply) {
  EXPECT_EQ(ContentOf<MediaMessage>("05_image_payment_screenshot.json"),
            (MediaMessage{MediaMessage::Kind::kImage, "9109869208950323", "image/jpeg"}));
  const LocationMessage where = ContentOf<LocationMessage>("07_location.json");
  EXPECT_DOUBLE_EQ(where.latitude, 12.9715987);
  EXPECT_EQ(where.name, "Ramesh Kumar - Home");
  EXPECT_EQ(ContentOf<QuickReply>("27_template_quick_reply_button.json"),
            (QuickReply{"Reorder last order", "REORDER_LAST"}));
}

TEST(InboundMessageTest, EveryOtherTypeIsMediaOrUnsupportedAndStatusesAreStatuses) {
  const std::vector<ClassifiedEvent> events = Classified("30_every_other_message_type.json");
  std::vector<std::string> kinds;
  for (const auto& event : events) {
    if (const auto* status = std::get_if<StatusUpdate>(&event)) {
      EXPECT_EQ(status->status, "delivered");
      EXPECT_EQ(status->recipient, "919812345678");
      kinds.push_back("status");
      continue;
    }
    if (const auto* error = std::get_if<WebhookError>(&event)) {
      kinds.push_back("error " + error->code);
      continue;
    }
    const auto& content = std::get<InboundMessage>(event).content;
    if (const auto* media = std::get_if<MediaMessage>(&content)) {
      EXPECT_FALSE(media->media_id.empty());
      kinds.push_back("media");
    } else if (const auto* other = std::get_if<UnsupportedMessage>(&content)) {
      kinds.push_back(other->type);
    }
  }
  // document, audio, video, sticker; contacts; an address form (nfm_reply: no id, not ours);
  // a reaction; a system notice; a type newer than this code; the status; Meta's error.
  EXPECT_EQ(kinds, (std::vector<std::string>{"media", "media", "media", "media", "contacts",
                                             "interactive", "reaction", "system", "poll_vote",
                                             "status", "error 130429"}));
}

TEST(InboundMessageTest, OddlyTypedFieldsGiveEmptyValuesNotExceptions) {
  const std::vector<ClassifiedEvent> events = Classified("34_oddly_typed_fields.json");
  ASSERT_EQ(events.size(), 2u);
  const auto& text = std::get<TextMessage>(std::get<InboundMessage>(events[0]).content);
  EXPECT_TRUE(text.body.empty()) << "text was an array";
  EXPECT_EQ(std::get<StatusUpdate>(events[1]).status, "captured");

  InboundEvent bare;  // a message with nothing but its type
  bare.type = "interactive";
  bare.data = {{"type", "button_reply"}, {"button_reply", {{"id", 7}}}};
  const ClassifiedEvent button = Classify(bare);
  EXPECT_EQ(std::get<UnsupportedMessage>(std::get<InboundMessage>(button).content).type,
            "interactive")
      << "an id that is no string";
  bare.type = "order";
  bare.data = {{"product_items", {{{"quantity", "2"}}}}};
  const ClassifiedEvent order = Classify(bare);
  EXPECT_EQ(std::get<CatalogOrder>(std::get<InboundMessage>(order).content).items,
            (std::vector<CatalogOrder::Item>{{"", 1}}));
}

TEST(InboundMessageTest, ErrorsAreErrors) {
  InboundEvent error;
  error.kind = InboundEvent::Kind::kError;
  error.type = "131051";
  EXPECT_EQ(std::get<WebhookError>(Classify(error)).code, "131051");
}

}  // namespace
}  // namespace chatshop::whatsapp
