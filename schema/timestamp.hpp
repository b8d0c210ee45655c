// Canonical timestamps: ISO 8601 text at the edges, std::chrono time points inside.
//
// ERPs write times as "2025-03-01T08:00:00.123Z", "2025-03-01T09:00:00+01:00" or with up to
// 7 fractional digits (SQL Server datetime2). Parsing keeps nanosecond precision so cursor
// comparisons are exact at the ERP's own precision; the canonical mirror form is UTC with
// milliseconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace arsync {

using UtcTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)". A time without a zone is refused
// (the ERP's zone would be a guess); a calendar-invalid date (2025-02-29) is refused.
Result<UtcTime> parse_iso8601(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.sssZ" with `fraction_digits` (0..9) digits, truncated (never rounded up,
// so a formatted cursor never lies after the real one).
std::string format_iso8601(UtcTime time, int fraction_digits = 3);

// The current UTC time as canonical text (ms precision).
std::string now_iso8601();

// True when year/month/day is a real calendar date (leap years included).
bool is_valid_date(int year, int month, int day);

}  // namespace arsync
