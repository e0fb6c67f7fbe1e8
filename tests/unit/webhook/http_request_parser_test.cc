#include "webhook/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatshop::webhook {
namespace {

HttpLimits SmallLimits() {
  HttpLimits limits;
  limits.max_body_bytes = 100;
  limits.max_header_line_bytes = 200;
  limits.max_request_line_bytes = 200;
  limits.max_header_count = 8;
  limits.max_header_bytes = 1000;
  return limits;
}

// Feeds `text` one byte at a time (the worst split a network can make) and returns the parser.
HttpRequestParser FeedBytewise(const std::string& text, HttpLimits limits = SmallLimits()) {
  HttpRequestParser parser(limits);
  for (char c : text) {
    if (parser.complete() || parser.failed()) break;
    parser.Feed(std::string_view(&c, 1));
  }
  return parser;
}

int FailureOf(const std::string& text) {
  auto parser = FeedBytewise(text);
  return parser.failed() ? parser.failure().status : 0;
}

TEST(HttpRequestParserTest, ReadsAContentLengthBodyWhateverTheSplits) {
  const std::string request =
      "POST /webhook?a=1 HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=ab\r\n"
      "Content-Length: 5\r\n\r\nhello";
  for (auto parser : {FeedBytewise(request), [&] {
                        HttpRequestParser p(SmallLimits());
                        p.Feed(request);
                        return p;
                      }()}) {
    ASSERT_TRUE(parser.complete());
    EXPECT_EQ(parser.request().method, "POST");
    EXPECT_EQ(parser.request().path, "/webhook");
    EXPECT_EQ(parser.request().query, "a=1");
    EXPECT_EQ(parser.request().Header("x-hub-signature-256"), "sha256=ab");
    EXPECT_EQ(parser.request().body, "hello");
    EXPECT_TRUE(parser.request().keep_alive);
  }
}

TEST(HttpRequestParserTest, EverySplitIntoTwoPiecesGivesTheSameRequests) {
  // Found by the fuzzer: a body arriving in two reads was over-read into the next request.
  const std::string two =
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (size_t split = 0; split <= two.size(); ++split) {
    HttpRequestParser parser(SmallLimits());
    std::string pending;
    std::vector<std::string> bodies;
    for (std::string_view piece :
         {std::string_view(two).substr(0, split), std::string_view(two).substr(split)}) {
      pending.append(piece);
      while (!pending.empty()) {
        size_t used = parser.Feed(pending);
        pending.erase(0, used);
        if (parser.complete()) {
          bodies.push_back(parser.request().path + "=" + parser.request().body);
          parser.Reset();
        } else if (used == 0) {
          break;
        }
      }
    }
    ASSERT_FALSE(parser.failed()) << "split at " << split;
    EXPECT_EQ(bodies, (std::vector<std::string>{"/a=hello", "/b=abc"})) << "split at " << split;
  }
}

TEST(HttpRequestParserTest, StopsAtTheEndOfARequestSoPipelinedOnesWait) {
  HttpRequestParser parser(SmallLimits());
  const std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  size_t used = parser.Feed(two);
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.request().path, "/a");
  parser.Reset();
  parser.Feed(std::string_view(two).substr(used));
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.request().path, "/b");
}

TEST(HttpRequestParserTest, ReadsChunkedBodiesAndDropsTrailers) {
  auto parser = FeedBytewise(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: y\r\n\r\n");
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.request().body, "abcde");
  EXPECT_EQ(parser.request().Header("x-trailer"), "");
}

TEST(HttpRequestParserTest, RefusesAChunkedBodyTheMomentItPassesTheLimit) {
  HttpRequestParser parser(SmallLimits());
  parser.Feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "32\r\n" + std::string(50, 'a') + "\r\n";
  parser.Feed(chunk);
  parser.Feed(chunk);
  EXPECT_FALSE(parser.failed());
  parser.Feed("1\r\n");  // 101 bytes announced: refused before the byte arrives
  ASSERT_TRUE(parser.failed());
  EXPECT_EQ(parser.failure().status, 413);
  EXPECT_TRUE(parser.request().body.empty()) << "what was held is dropped";
  // A chunk size too long for 64 bits is refused, not wrapped around.
  EXPECT_EQ(FailureOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "10000000000000001\r\n"),
            413);
}

TEST(HttpRequestParserTest, DecidesFramingBeforeAnyBodyByte) {
  const std::string head = "POST /webhook HTTP/1.1\r\nHost: x\r\n";
  EXPECT_EQ(FailureOf(head + "Content-Length: 101\r\n\r\n"), 413);
  EXPECT_EQ(FailureOf(head + "Content-Length: 99999999999999999999999\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf(head + "\r\n"), 411);
  EXPECT_EQ(FailureOf("PUT / HTTP/1.1\r\nHost: x\r\n\r\n"), 411);
  EXPECT_EQ(FailureOf(head + "Content-Encoding: gzip\r\nContent-Length: 3\r\n\r\n"), 415);
  EXPECT_EQ(FailureOf(head + "Content-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n"), 415);
  EXPECT_EQ(FailureOf(head + "Content-Encoding: identity, deflate\r\nContent-Length: 1\r\n\r\n"),
            415);
  EXPECT_EQ(FailureOf(head + "Content-Encoding: identity\r\nContent-Length: 1\r\n\r\nx"), 0);
  EXPECT_EQ(FailureOf(head + "Transfer-Encoding: gzip, chunked\r\n\r\n"), 501);
  EXPECT_EQ(FailureOf(head + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf(head + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf(head + "Content-Length: 3, 3\r\n\r\nabc"), 0);
  EXPECT_EQ(FailureOf(head + "Content-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf(head + "Content-Length: 0x10\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf(head + "Expect: something\r\nContent-Length: 1\r\n\r\n"), 417);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0) << "a GET needs no length";
}

TEST(HttpRequestParserTest, CapsHeaderLinesCountAndSize) {
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'a') + "\r\n\r\n"),
            431);
  EXPECT_EQ(FailureOf("GET /" + std::string(300, 'a') + " HTTP/1.1\r\n"), 414);
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 9; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(FailureOf(many + "\r\n"), 431);
  HttpLimits roomy = SmallLimits();
  roomy.max_header_count = 100;
  std::string big = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 20; ++i)
    big += "X-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
  auto parser = FeedBytewise(big + "\r\n", roomy);
  ASSERT_TRUE(parser.failed());
  EXPECT_EQ(parser.failure().status, 431);
}

TEST(HttpRequestParserTest, RefusesMalformedAndSmugglingShapes) {
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHo\rst: x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\n\r\n"), 400) << "HTTP/1.1 needs a Host";
  EXPECT_EQ(FailureOf("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(FailureOf("GET / HTTX/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(FailureOf("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01"
                      "b\r\n\r\n"),
            400);
  EXPECT_EQ(FailureOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\n"),
            400);
  EXPECT_EQ(FailureOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2\r\nabc\r\n"),
            400);
}

TEST(HttpRequestParserTest, KeepAliveFollowsVersionAndConnectionHeader) {
  EXPECT_FALSE(
      FeedBytewise("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").request().keep_alive);
  EXPECT_FALSE(FeedBytewise("GET / HTTP/1.0\r\n\r\n").request().keep_alive);
  EXPECT_TRUE(
      FeedBytewise("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request().keep_alive);
  auto parser = FeedBytewise(
      "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: 2\r\n\r\nab");
  ASSERT_TRUE(parser.complete());
  EXPECT_TRUE(parser.request().expect_continue);
}

TEST(HttpRequestParserTest, DecodesQueryParameters) {
  auto parser = FeedBytewise(
      "GET /webhook?hub.mode=subscribe&hub.challenge=a%20b+c%2&hub.verify_token=t%3D1 "
      "HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.request().QueryParam("hub.mode"), "subscribe");
  EXPECT_EQ(parser.request().QueryParam("hub.challenge"), "a b c%2");
  EXPECT_EQ(parser.request().QueryParam("hub.verify_token"), "t=1");
  EXPECT_EQ(parser.request().QueryParam("missing"), "");
}

TEST(HttpRequestParserTest, BlankLinesBeforeARequestAreSkippedButCountAsNotStarted) {
  HttpRequestParser parser(SmallLimits());
  parser.Feed("\r\n\r\n");
  EXPECT_FALSE(parser.started());
  parser.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(parser.complete());
}

}  // namespace
}  // namespace chatshop::webhook
