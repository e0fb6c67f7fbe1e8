#include <gtest/gtest.h>

#include "common/logging.h"
#include "common/metrics.h"
#include "common/url.h"
#include "common/utf8.h"

namespace chatshop::common {
namespace {

TEST(MaskPhoneTest, HidesTheMiddleDigits) {
  EXPECT_EQ(MaskPhone("919876543210"), "9198****3210");
  EXPECT_EQ(MaskPhone("12345"), "*****");
  EXPECT_EQ(MaskPhone("+919876543210"), "+919*****3210");
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(MaskPhoneTest, MasksEveryNumberInFreeText) {
  EXPECT_EQ(MaskPhonesIn("to 919876543210 failed, retry +14155550123 at 10:30"),
            "to 9198****3210 failed, retry +1415***0123 at 10:30");
  EXPECT_EQ(MaskPhonesIn("(#131026) order 1042 of 3 items"), "(#131026) order 1042 of 3 items")
      << "short numbers (codes, order numbers) stay readable";
  EXPECT_EQ(MaskPhonesIn("9876543"), "98***43");
  EXPECT_EQ(MaskPhone("98765432"), "98****32") << "short numbers hide at least three digits";
  EXPECT_EQ(MaskPhonesIn(""), "");
}

TEST(CutUtf8Test, CutsAtACharacterBoundaryWithinTheLimit) {
  EXPECT_EQ(CutUtf8("short", 200), "short");
  EXPECT_EQ(CutUtf8("abcdefghij", 8), "abcde\xE2\x80\xA6");
  // "₹" is 3 bytes: a cut through it drops it whole.
  const std::string rupees = "\xE2\x82\xB9\xE2\x82\xB9\xE2\x82\xB9";  // ₹₹₹
  EXPECT_EQ(CutUtf8(rupees, 8), "\xE2\x82\xB9\xE2\x80\xA6");          // ₹…
  EXPECT_EQ(CutUtf8(rupees, 9), rupees);
  std::string hindi;
  for (int i = 0; i < 2000; ++i) hindi += "\xE0\xA4\xA8";  // न × 2000: 6 000 bytes
  for (size_t limit : {200u, 201u, 202u, 203u}) {
    const std::string cut = CutUtf8(hindi, limit);
    EXPECT_LE(cut.size(), limit);
    EXPECT_GE(cut.size(), limit - 5);
    EXPECT_EQ(cut.substr(cut.size() - 3), "\xE2\x80\xA6");
    EXPECT_EQ((cut.size() - 3) % 3, 0u) << "whole characters only, limit " << limit;
  }
  EXPECT_EQ(CutUtf8("abcdef", 2), "");
}

TEST(MetricsTest, RendersCountersAndGaugesInPrometheusFormat) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "Things", {{"outcome", "ok"}}).Increment(3);
  registry.GetCounter("x_total", "Things", {{"outcome", "bad\"one"}}).Increment();
  registry.GetGauge("depth", "Queue depth").Set(-2);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE x_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{outcome=\"ok\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{outcome=\"bad\\\"one\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE depth gauge\ndepth -2\n"), std::string::npos) << text;
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameCounter) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c", "h", {{"k", "v"}});
  Counter& b = registry.GetCounter("c", "h", {{"k", "v"}});
  a.Increment();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(b.value(), 1u);
}

TEST(UrlTest, SplitsOriginAndPath) {
  EXPECT_EQ(SplitUrl("http://127.0.0.1:8080/webhook/").origin, "http://127.0.0.1:8080");
  EXPECT_EQ(SplitUrl("http://127.0.0.1:8080/webhook/").path, "/webhook");
  EXPECT_EQ(SplitUrl("https://graph.facebook.com").path, "");
}

}  // namespace
}  // namespace chatshop::common

namespace chatshop::common {
namespace {

TEST(MetricsTest, HistogramRendersCumulativeBucketsSumAndCount) {
  MetricsRegistry registry;
  Histogram& h = registry.GetHistogram("lat_seconds", "Latency", {0.001, 0.01}, {{"op", "x"}});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(0.5);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{op=\"x\",le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{op=\"x\",le=\"0.01\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{op=\"x\",le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count{op=\"x\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_sum{op=\"x\"} 0.5055\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace chatshop::common
