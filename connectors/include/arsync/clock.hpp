// arsync SDK — Clock: the time source a connector waits on, handed to it in its
// ConnectorContext so that backoff and rate limiting are tested on a fake clock instead of
// real sleeps (LevelDB's Env idea).
//
// Thread-safe: the host's clock has no state; a fake clock used by tests guards its own.
#pragma once

#include <chrono>
#include <stop_token>

namespace arsync {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  // Waits `duration` unless `stop` is requested first. Returns false when stopped.
  virtual bool sleep_for(std::chrono::nanoseconds duration, std::stop_token stop) = 0;
};

// The real clock: steady_clock and an interruptible wait. Defined by the arsync host; a plugin
// uses the context's clock instead of calling this.
Clock& system_clock();

}  // namespace arsync
