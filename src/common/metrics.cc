#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace chatshop::common {
namespace {

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

// "{a="1",le="0.005"}" from the rendered labels "{a="1"}" (or "") and a bound.
std::string WithLe(const std::string& labels, const std::string& le) {
  if (labels.empty()) return "{le=\"" + le + "\"}";
  return labels.substr(0, labels.size() - 1) + ",le=\"" + le + "\"}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::Observe(double seconds) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, seconds) * 1e6)),
                        std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b) {
    total += buckets_[b].load(std::memory_order_relaxed);
  }
  return total;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help,
                                                    const std::string& type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "counter").counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "gauge").gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "histogram").histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, family] : families_) {
    out << "# HELP " << name << " " << family.help << "\n";
    out << "# TYPE " << name << " " << family.type << "\n";
    for (const auto& [labels, counter] : family.counters) {
      out << name << labels << " " << counter->value() << "\n";
    }
    for (const auto& [labels, gauge] : family.gauges) {
      out << name << labels << " " << gauge->value() << "\n";
    }
    for (const auto& [labels, histogram] : family.histograms) {
      const auto& bounds = histogram->bounds();
      for (size_t i = 0; i < bounds.size(); ++i) {
        std::ostringstream le;
        le << bounds[i];
        out << name << "_bucket" << WithLe(labels, le.str()) << " " << histogram->CumulativeCount(i)
            << "\n";
      }
      out << name << "_bucket" << WithLe(labels, "+Inf") << " "
          << histogram->CumulativeCount(bounds.size()) << "\n";
      out << name << "_sum" << labels << " " << histogram->sum() << "\n";
      out << name << "_count" << labels << " " << histogram->CumulativeCount(bounds.size()) << "\n";
    }
  }
  return out.str();
}

}  // namespace chatshop::common
