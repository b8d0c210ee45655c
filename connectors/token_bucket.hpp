// TokenBucket: a client-side rate limit, so a connector stays under an ERP's published request
// limit instead of discovering it through 429s (Business Central: 600 requests/min; QuickBooks
// Online: 500/min per realm; Xero: 60/min per tenant).
//
// Owned by one connector; not thread-safe. A rate of 0 means unlimited.
#pragma once

#include <chrono>
#include <stop_token>

#include "connectors/clock.hpp"

namespace arsync {

class TokenBucket {
 public:
  // `per_second` tokens are added each second, up to `per_second` (one second of burst).
  TokenBucket(double per_second, Clock& clock);

  // Takes one token, waiting for it if needed. False when stopped while waiting.
  bool acquire(std::stop_token stop);

 private:
  void refill();

  // Constant after construction
  double rate_;
  Clock& clock_;

  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace arsync
