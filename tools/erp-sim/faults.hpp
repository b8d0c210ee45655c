// faults: the simulator's fault injection (API.md "POST /admin/faults"): which /odata requests
// fail, are delayed, rate-limited or truncated, and which invoices are served malformed.
// Request-level decisions come from one seeded RNG (reproducible for a given request order);
// malformed records are a pure hash of (seed, id) so the same records are spoiled every time.
// Owned by tools/erp-sim. FaultInjector is thread-safe (one mutex around settings and RNG).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

#include "tools/erp-sim/record_json.hpp"

namespace arsync::sim {

// Rates are shares of requests (or records) in [0, 1]; never money.
struct FaultSettings {
  double error_rate = 0;
  double rate_429 = 0;
  int retry_after_s = 1;
  int latency_ms = 0;
  double truncate_rate = 0;
  double malformed_rate = 0;
  // Portal writes (API.md "Writes"): the share of committed writes whose answer is never sent
  // (the connection is closed instead), and whether Idempotency-Key is honoured at all.
  double drop_after_commit_rate = 0;
  bool honor_idempotency = true;
};

enum class FaultKind : uint8_t { kNone, kError500, kError503, kTooManyRequests };

// What to do to one /odata request.
struct FaultDecision {
  FaultKind kind = FaultKind::kNone;
  bool truncate = false;  // only meaningful when kind is kNone
  std::chrono::milliseconds delay{0};
  int retry_after_s = 0;
};

class FaultInjector {
 public:
  FaultInjector(uint64_t seed, const FaultSettings& settings);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  FaultSettings settings() const;
  void replace(const FaultSettings& settings);
  // Draws the fate of one /odata request.
  FaultDecision decide();
  // Whether to drop the answer of one committed write. Its own RNG: turning it on does not
  // shift the sequence decide() draws for reads.
  bool drop_after_commit();

 private:
  mutable std::mutex mutex_;
  // Touched only under mutex_
  FaultSettings settings_;
  std::mt19937_64 rng_;
  std::mt19937_64 drop_rng_;
};

// Whether (and how) an invoice is served malformed at `rate`. The caller checks the invoice
// has no applications (API.md: spoiling one then loses nothing else).
Spoil malformed_spoil(uint64_t seed, int64_t invoice_id, double rate);

}  // namespace arsync::sim
