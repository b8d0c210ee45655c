// RetryPolicy: how long a connector waits between attempts at a failed ERP request.
//
// Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base·2^n)]),
// so a fleet of daemons retrying the same ERP does not synchronise into a retry storm; an
// ERP's own Retry-After wins over the computed delay (capped, so a bogus header cannot park a
// stream for a day). Plain value; the RNG is the caller's.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "connectors/connector_spec.hpp"

namespace arsync {

struct RetryPolicy {
  int max_attempts = 8;  // attempts in all, the first one included
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{30'000};
  std::chrono::milliseconds max_retry_after{300'000};  // cap on an ERP's Retry-After

  // The policy a connector's config asks for (the kRetryOptions below, with their defaults).
  static RetryPolicy from_options(const OptionReader& options);

  // The delay before attempt `attempt` + 1 (attempt counts from 1).
  std::chrono::milliseconds backoff(int attempt, std::mt19937_64& rng) const;
  // The delay to honour for a Retry-After value, capped by max_retry_after.
  std::chrono::milliseconds honour(std::chrono::milliseconds retry_after) const;
};

// The options of every connector that retries, declared once so their names and defaults agree
// across connectors: join them into a connector's table with join_options().
inline constexpr OptionSpec kRetryOptions[] = {
    {"retries", OptionType::kInteger, "8", false, "attempts at one request (or page) before the run fails"},
    {"backoff_base", OptionType::kDuration, "200ms", false,
     "first retry delay (doubles each time, with jitter)"},
    {"backoff_max", OptionType::kDuration, "30s", false, "longest computed retry delay"},
};

// Parses a Retry-After header: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
// 07:28:00 GMT", relative to `now`). nullopt when the header is absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header,
                                                           std::chrono::system_clock::time_point now);

}  // namespace arsync
