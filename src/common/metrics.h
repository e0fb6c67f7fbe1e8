#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace chatshop::common {

// A monotonically increasing count. Lock-free; safe from any thread.
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Lock-free; safe from any thread.
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t by) { value_.fetch_add(by, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Counts of observations by upper bound, plus their sum, in Prometheus' cumulative form.
// Lock-free; safe from any thread.
class Histogram {
 public:
  // `bounds` in seconds, ascending; an implicit +Inf bucket follows.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double seconds);
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= bounds()[i] (cumulative); index bounds().size() is the total count.
  uint64_t CumulativeCount(size_t i) const;
  double sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<uint64_t>> buckets_;  // per bucket, not cumulative; last is +Inf
  std::atomic<uint64_t> sum_micros_{0};
};

// Latency buckets from 100 µs to 10 s, for request and round-trip timings.
std::vector<double> LatencyBuckets();

using Labels = std::vector<std::pair<std::string, std::string>>;

// Named metrics rendered in the Prometheus text format. Get* returns a reference that stays
// valid for the registry's life: look it up once, then increment on the hot path.
// Thread-safe.
class MetricsRegistry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, const Labels& labels = {});

  // The whole registry in Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string help;
    std::string type;                                          // "counter" | "gauge" | "histogram"
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const std::string& type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace chatshop::common
