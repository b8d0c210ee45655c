#include "connectors/token_bucket.hpp"

#include <algorithm>

namespace arsync {

TokenBucket::TokenBucket(double per_second, Clock& clock)
    : rate_(per_second), clock_(clock), tokens_(per_second), last_(clock.now()) {}

void TokenBucket::refill() {
  auto now = clock_.now();
  std::chrono::duration<double> elapsed = now - last_;
  last_ = now;
  tokens_ = std::min(rate_, tokens_ + elapsed.count() * rate_);
}

bool TokenBucket::acquire(std::stop_token stop) {
  if (rate_ <= 0) return !stop.stop_requested();
  refill();
  while (tokens_ < 1.0) {
    auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
    if (!clock_.sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(wait), stop)) return false;
    refill();
  }
  tokens_ -= 1.0;
  return true;
}

}  // namespace arsync
