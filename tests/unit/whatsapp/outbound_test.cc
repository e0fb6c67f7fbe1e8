#include "whatsapp/outbound.h"

#include <gtest/gtest.h>

#include "common/utf8.h"
#include "support/cloud_api_schema.h"
#include "whatsapp/graph_errors.h"

namespace chatshop::whatsapp {
namespace {

TEST(OutboundTest, TextMessageAddressesRecipientWithPlus) {
  auto m = BuildTextMessage("919876543210", "hello");
  EXPECT_EQ(m["messaging_product"], "whatsapp");
  EXPECT_EQ(m["to"], "+919876543210");
  EXPECT_EQ(m["type"], "text");
  EXPECT_EQ(m["text"]["body"], "hello");
}

TEST(OutboundTest, LongBodyIsCutAtACharacterBoundary) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "ह";  // 3 bytes each
  auto m = BuildTextMessage("91", body);
  std::string text = m["text"]["body"];
  EXPECT_EQ(common::TruncateUtf8(text, 100000), text);
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  EXPECT_EQ(chars, kMaxTextBodyChars);
  EXPECT_EQ(text.substr(text.size() - 3), "…");
}

TEST(GraphErrorsTest, KeysOnMetaCodeNotHttpStatus) {
  auto rate =
      ClassifyGraphError(400, R"({"error":{"message":"(#130429) Rate limit hit","code":130429}})");
  EXPECT_EQ(rate.code, ErrorCode::kResourceExhausted);
  EXPECT_NE(rate.message.find("130429"), std::string::npos);
  EXPECT_EQ(ClassifyGraphError(400, R"({"error":{"code":131047}})").code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ClassifyGraphError(401, R"({"error":{"code":190}})").code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ClassifyGraphError(500, R"({"error":{"code":131016}})").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyGraphError(400, R"({"error":{"code":135000,"is_transient":true}})").code,
            ErrorCode::kUnavailable);
}

TEST(GraphErrorsTest, OddlyTypedErrorBodiesDoNotThrow) {
  EXPECT_EQ(ClassifyGraphError(400, R"({"error":{"code":"190","is_transient":"yes"}})").code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ClassifyGraphError(503, R"({"error":{"message":42}})").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyGraphError(400, R"({"error":"nope"})").code, ErrorCode::kFailedPrecondition);
}

TEST(GraphErrorsTest, BodylessFailuresFallBackToHttpStatus) {
  EXPECT_EQ(ClassifyGraphError(502, "<html>bad gateway</html>").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyGraphError(429, "").code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(ClassifyGraphError(404, "").code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chatshop::whatsapp

namespace chatshop::whatsapp {
namespace {

using nlohmann::json;
using testing::SchemaViolations;

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(OutboundLimitsTest, ALongTextBecomesSeveralMessagesSplitAtBoundariesLosingNothing) {
  std::string body;
  for (int i = 0; i < 300; ++i) body += "Line " + std::to_string(i) + ": 2 × आटा 5kg @ ₹289.00\n";
  const auto parts = BuildTextMessages("919876543210", body);
  ASSERT_GT(parts.size(), 1u);
  std::string joined;
  for (const auto& part : parts) {
    EXPECT_TRUE(SchemaViolations(part).empty()) << SchemaViolations(part)[0];
    const std::string text = part["text"]["body"];
    EXPECT_NE(text.back(), '\n') << "split at the line break, which is dropped";
    joined += (joined.empty() ? "" : "\n") + text;
  }
  EXPECT_TRUE(joined + "\n" == body) << "every line arrives, in order";
  EXPECT_EQ(BuildTextMessages("91", "short").size(), 1u);
  // One enormous word is cut, not lost.
  const auto word = BuildTextMessages("91", Repeat("x", 9000));
  ASSERT_EQ(word.size(), 3u);
  EXPECT_EQ(word[0]["text"]["body"].get<std::string>().size(), kMaxTextBodyChars);
  EXPECT_EQ(word[2]["text"]["body"].get<std::string>().size(), 9000 - 2 * kMaxTextBodyChars);
}

TEST(OutboundLimitsTest, ButtonsStayWithinMetasLimitsWhateverTheyAreGiven) {
  std::vector<ReplyButton> buttons = {{"a", "Checkout"},
                                      {"a", "Same id"},                        // repeated id
                                      {"b", "Checkout"},                       // repeated title
                                      {"c", ""},                               // empty title
                                      {std::string(300, 'x'), "Too long id"},  // id > 256
                                      {"d", "Remove all the lays please"},     // long title
                                      {"e", "Edit"},
                                      {"f", "Fourth"}};
  auto m = BuildButtonsMessage("919876543210", Repeat("बिल ", 600), buttons);
  EXPECT_TRUE(SchemaViolations(m).empty()) << SchemaViolations(m)[0];
  const auto& kept = m["interactive"]["action"]["buttons"];
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0]["reply"]["id"], "a");
  EXPECT_EQ(kept[1]["reply"]["title"], "Remove all the lays…") << "shortened at a word, marked";
  EXPECT_EQ(kept[2]["reply"]["id"], "e");
}

TEST(OutboundLimitsTest, ButtonsMayBeHeadedByAnImageOrADocument) {
  const std::vector<ReplyButton> buttons = {{"own:approve:7:n", "Approve"},
                                            {"own:reject:7:n", "Reject"}};
  auto image = BuildButtonsMessage("91", "Payment", buttons, MessageHeader::Image("UP-1"));
  EXPECT_TRUE(SchemaViolations(image).empty()) << SchemaViolations(image)[0];
  EXPECT_EQ(image["interactive"]["header"],
            (nlohmann::json{{"type", "image"}, {"image", {{"id", "UP-1"}}}}));
  auto pdf = BuildButtonsMessage("91", "Payment", buttons,
                                 MessageHeader::Document("UP-2", "payment-order-1042.pdf"));
  EXPECT_TRUE(SchemaViolations(pdf).empty()) << SchemaViolations(pdf)[0];
  EXPECT_EQ(
      pdf["interactive"]["header"],
      (nlohmann::json{{"type", "document"},
                      {"document", {{"id", "UP-2"}, {"filename", "payment-order-1042.pdf"}}}}));
  EXPECT_EQ(pdf["interactive"]["action"]["buttons"].size(), 2u);
  auto none = BuildButtonsMessage("91", "Payment", buttons, MessageHeader::Document("", "x.pdf"));
  EXPECT_FALSE(none["interactive"].contains("header")) << "no media id, no header";
}

TEST(OutboundLimitsTest, ListsKeepTenRowsAndShortenTitlesVisibly) {
  std::vector<ListSection> sections;
  for (int s = 0; s < 12; ++s) {
    ListSection section{"Section with a very long title " + std::to_string(s), {}};
    for (int r = 0; r < 3; ++r) {
      section.rows.push_back({"row:" + std::to_string(s) + ":" + std::to_string(r),
                              "Maggi 2-Minute Noodles 70g 4-pack", Repeat("description ", 10)});
    }
    sections.push_back(section);
  }
  sections[0].rows.push_back({"row:0:0", "repeated id", ""});
  auto m = BuildListMessage("919876543210", "Pick one", "Choose a product from the list", sections);
  EXPECT_TRUE(SchemaViolations(m).empty()) << SchemaViolations(m)[0];
  size_t rows = 0;
  for (const auto& s : m["interactive"]["action"]["sections"]) rows += s["rows"].size();
  EXPECT_EQ(rows, kMaxListRows);
  const std::string title = m["interactive"]["action"]["sections"][0]["rows"][0]["title"];
  EXPECT_EQ(title, "Maggi 2-Minute Noodles…");
}

TEST(OutboundLimitsTest, ProductsMediaReactionsAndQuotesAreWellFormed) {
  std::vector<ProductSection> sections;
  for (int s = 0; s < 4; ++s) {
    ProductSection section{"Staples and more staples " + std::to_string(s), {}};
    for (int p = 0; p < 10; ++p)
      section.retailer_ids.push_back("SKU-" + std::to_string(s * 10 + p));
    sections.push_back(section);
  }
  auto list = BuildProductListMessage("91", "1182736450918273", Repeat("Your usual items ", 6),
                                      "Tap to add to cart", sections);
  EXPECT_TRUE(SchemaViolations(list).empty()) << SchemaViolations(list)[0];
  size_t items = 0;
  for (const auto& s : list["interactive"]["action"]["sections"])
    items += s["product_items"].size();
  EXPECT_EQ(items, kMaxProductListItems);

  auto one = BuildProductMessage("91", "1182736450918273", "ATTA-AASH-5", "Our best atta",
                                 "Sharma Kirana");
  EXPECT_TRUE(SchemaViolations(one).empty()) << SchemaViolations(one)[0];
  EXPECT_FALSE(one["interactive"].contains("header"));

  auto image = BuildImageMessage("91", {"MEDIA-1", ""}, Repeat("caption ", 200));
  EXPECT_TRUE(SchemaViolations(image).empty()) << SchemaViolations(image)[0];
  EXPECT_EQ(image["image"]["id"], "MEDIA-1");
  auto pdf = BuildDocumentMessage("91", {"", "https://shop.example/bill-1042.pdf"}, "Bill",
                                  "bill-1042.pdf");
  EXPECT_TRUE(SchemaViolations(pdf).empty()) << SchemaViolations(pdf)[0];
  EXPECT_EQ(pdf["document"]["filename"], "bill-1042.pdf");
  EXPECT_FALSE(pdf["document"].contains("id"));

  auto reaction = BuildReactionMessage("91", "wamid.IN1", "👍");
  EXPECT_TRUE(SchemaViolations(reaction).empty());
  auto quoted = QuotingMessage(BuildTextMessage("91", "Your bill"), "wamid.IN1");
  EXPECT_EQ(quoted["context"]["message_id"], "wamid.IN1");
  EXPECT_TRUE(SchemaViolations(quoted).empty());

  auto read = BuildMarkRead("wamid.IN1", true);
  EXPECT_TRUE(IsMarkRead(read));
  EXPECT_EQ(read["typing_indicator"]["type"], "text");
  EXPECT_FALSE(IsMarkRead(quoted));
  EXPECT_TRUE(
      SchemaViolations(BuildTemplateMessage("91", "order_update", "en", {"#1042", ""})).empty());
}

TEST(OutboundLimitsTest, ShortenMarksWhatItCutAndLeavesWhatFits) {
  EXPECT_EQ(Shorten("Atta 5kg", 24), "Atta 5kg");
  EXPECT_EQ(Shorten("Aashirvaad Whole Wheat Atta 5kg", 24), "Aashirvaad Whole Wheat…");
  EXPECT_EQ(Shorten("Supercalifragilisticexpialidocious", 10), "Supercali…");
  EXPECT_EQ(Shorten("आशीर्वाद आटा पाँच किलो वाला पैक", 12).size() <= 12 * 3 + 3, true);
}

}  // namespace
}  // namespace chatshop::whatsapp
