// sim_hash: the one deterministic hash every simulated value derives from. A record's fields
// are mix(seed, stream, index): no RNG state, so record i is computed on demand in O(1) and
// the same seed gives the same company on every run and every page size. Owned by
// tools/erp-sim. Pure; thread-safe.
#pragma once

#include <cstdint>

namespace arsync::sim {

// SplitMix64's finaliser: a bijection with good avalanche, so consecutive indexes give
// unrelated values.
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Hash of (seed, stream, index); `stream` separates independent uses of the same index.
constexpr uint64_t mix(uint64_t seed, uint64_t stream, uint64_t index) {
  return splitmix64(splitmix64(seed ^ (stream * 0xD6E8FEB86659FD93ULL)) ^ index);
}

// A uniform value in [0, 1) from a hash, for comparing with fault rates (not money).
constexpr double unit_interval(uint64_t hash) { return static_cast<double>(hash >> 11) * 0x1.0p-53; }

}  // namespace arsync::sim
