#include <gtest/gtest.h>

#include "whatsapp/graph_errors.h"
#include "whatsapp/outbound.h"

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
  EXPECT_EQ(TruncateUtf8(text, 100000), text);
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  EXPECT_EQ(chars, kMaxTextBodyChars);
  EXPECT_EQ(text.substr(text.size() - 3), "…");
}

TEST(GraphErrorsTest, KeysOnMetaCodeNotHttpStatus) {
  auto rate = ClassifyGraphError(400, R"({"error":{"message":"(#130429) Rate limit hit","code":130429}})");
  EXPECT_EQ(rate.code, ErrorCode::kResourceExhausted);
  EXPECT_NE(rate.message.find("130429"), std::string::npos);
  EXPECT_EQ(ClassifyGraphError(400, R"({"error":{"code":131047}})").code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ClassifyGraphError(401, R"({"error":{"code":190}})").code,
            ErrorCode::kUnauthenticated);
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
