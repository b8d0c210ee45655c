// faults: see faults.hpp.
#include "tools/erp-sim/faults.hpp"

#include "tools/erp-sim/sim_hash.hpp"

namespace arsync::sim {
namespace {
constexpr uint64_t kMalformedStream = 77;
}  // namespace

FaultInjector::FaultInjector(uint64_t seed, const FaultSettings& settings)
    : settings_(settings), rng_(seed ^ 0xFA17FA17FA17FA17ULL), drop_rng_(seed ^ 0xD209D209D209D209ULL) {}

FaultSettings FaultInjector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void FaultInjector::replace(const FaultSettings& settings) {
  std::lock_guard lock(mutex_);
  settings_ = settings;
}

FaultDecision FaultInjector::decide() {
  std::lock_guard lock(mutex_);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  FaultDecision decision;
  decision.delay = std::chrono::milliseconds(settings_.latency_ms);
  // Always draw the same number of values so one setting does not shift another's sequence.
  const double fail = uniform(rng_);
  const double which = uniform(rng_);
  const double cut = uniform(rng_);
  if (fail < settings_.error_rate) {
    decision.kind = which < 0.5 ? FaultKind::kError500 : FaultKind::kError503;
  } else if (fail < settings_.error_rate + settings_.rate_429) {
    decision.kind = FaultKind::kTooManyRequests;
    decision.retry_after_s = settings_.retry_after_s;
  } else {
    decision.truncate = cut < settings_.truncate_rate;
  }
  return decision;
}

bool FaultInjector::drop_after_commit() {
  std::lock_guard lock(mutex_);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  return uniform(drop_rng_) < settings_.drop_after_commit_rate;
}

Spoil malformed_spoil(uint64_t seed, int64_t invoice_id, double rate) {
  if (rate <= 0) return Spoil::kNone;
  if (unit_interval(mix(seed, kMalformedStream, static_cast<uint64_t>(invoice_id))) >= rate)
    return Spoil::kNone;
  switch (invoice_id % 3) {
    case 0:
      return Spoil::kBadAmount;
    case 1:
      return Spoil::kBadDate;
    default:
      return Spoil::kMissingId;
  }
}

}  // namespace arsync::sim
