#include <gtest/gtest.h>

#include "common/logging.h"
#include "common/metrics.h"
#include "common/url.h"

namespace chatshop::common {
namespace {

TEST(MaskPhoneTest, HidesTheMiddleDigits) {
  EXPECT_EQ(MaskPhone("919876543210"), "9198****3210");
  EXPECT_EQ(MaskPhone("12345"), "*****");
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
