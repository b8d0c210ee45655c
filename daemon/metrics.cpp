#include "daemon/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace arsync {
namespace {

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
void append_labels(std::string& out, const Labels& labels, const char* extra_key = nullptr,
                   const std::string& extra_value = {}) {
  if (labels.empty() && !extra_key) return;
  out += '{';
  bool first = true;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra_key) add(extra_key, extra_value);
  out += '}';
}

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

const char* type_name(Metrics::Type type) {
  switch (type) {
    case Metrics::Type::kCounter:
      return "counter";
    case Metrics::Type::kGauge:
      return "gauge";
    case Metrics::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

void Metrics::declare(const std::string& name, Type type, const std::string& help) {
  std::lock_guard lock(mutex_);
  for (const Family& f : families_)
    if (f.name == name) return;
  families_.push_back({name, help, type, {}, {}});
}

// An undeclared family is created on first use (with an empty HELP): a metrics slip must
// never take the daemon down.
Metrics::Family& Metrics::family(const std::string& name, Type type) {
  for (Family& f : families_)
    if (f.name == name) return f;
  return families_.emplace_back(Family{name, "", type, {}, {}});
}

void Metrics::add(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, Type::kCounter).values[labels] += value;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name, Type::kGauge).values[labels] = value;
}

void Metrics::observe(const std::string& name, const Labels& labels, double seconds) {
  std::lock_guard lock(mutex_);
  Histogram& h = family(name, Type::kHistogram).histograms[labels];
  h.buckets.resize(std::size(kLatencyBuckets));
  for (std::size_t i = 0; i < std::size(kLatencyBuckets); ++i)
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const Family& f : families_) {
    if (!f.help.empty()) out += "# HELP " + f.name + " " + f.help + "\n";
    out += "# TYPE " + f.name + " " + type_name(f.type) + "\n";
    for (const auto& [labels, value] : f.values) {
      out += f.name;
      append_labels(out, labels);
      out += " " + number(value) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        out += f.name + "_bucket";
        append_labels(out, labels, "le", number(kLatencyBuckets[i]));
        out += " " + std::to_string(h.buckets[i]) + "\n";
      }
      out += f.name + "_bucket";
      append_labels(out, labels, "le", "+Inf");
      out += " " + std::to_string(h.count) + "\n" + f.name + "_sum";
      append_labels(out, labels);
      out += " " + number(h.sum) + "\n" + f.name + "_count";
      append_labels(out, labels);
      out += " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace arsync
