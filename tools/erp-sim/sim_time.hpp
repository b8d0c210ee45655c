// sim_time: the simulator's calendar. Times are int64 milliseconds since the Unix epoch (UTC),
// dates are int32 days since the epoch; both are rendered as ISO 8601 text by hand (the hot
// collection pages format one timestamp per record, so no <chrono> formatting or locale).
// Owned by tools/erp-sim. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace arsync::sim {

inline constexpr int64_t kMillisPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int year, unsigned month, unsigned day);

// Writes "YYYY-MM-DD" (10 chars) into out; returns out + 10.
char* write_date(char* out, int64_t days);

// Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars) into out; returns out + 24.
char* write_timestamp(char* out, int64_t millis);

// A lower bound for `$filter=lastModifiedDateTime ge|gt T`, normalised to "time >= min_millis".
struct TimeBound {
  int64_t min_millis = 0;
};

// Parses an ISO 8601 UTC timestamp ("2025-03-01T08:00:00Z", fraction of 0-9 digits, suffix
// "Z" or "+00:00") into a bound. `strictly_after` is true for `gt`. Sub-millisecond fractions
// are honoured exactly: records carry whole milliseconds, so "ge .1234" means ">= .124".
std::optional<TimeBound> parse_time_bound(std::string_view text, bool strictly_after);

}  // namespace arsync::sim
