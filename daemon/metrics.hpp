// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics. Debian 12 packages no C++ Prometheus
// client, so this is the small part of one that a daemon needs.
//
// Thread-safe: one mutex; updates are a map lookup and an add.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace arsync {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Declares a family (its HELP and TYPE lines); families render in declaration order.
  void declare(const std::string& name, Type type, const std::string& help);

  void add(const std::string& name, const Labels& labels, double value = 1);
  void set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, double seconds);

  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative: observations <= kLatencyBuckets[i]
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string name, help;
    Type type;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  Family& family(const std::string& name, Type type);

  mutable std::mutex mutex_;
  std::vector<Family> families_;
};

// Latency bucket bounds in seconds: 0.5 ms to 10 s.
inline constexpr double kLatencyBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};

}  // namespace arsync
