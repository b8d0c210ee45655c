// Serial dates: the two ways ERPs write a point in time as a number rather than as a calendar
// text — Excel/OLE Automation serial days and Microsoft's JSON "/Date(ms±hhmm)/".
//
// Excel/OLE: days since 1899-12-30 (45000 = 2023-03-15), a fractional part is the time of day.
// Excel's 1900 leap-year bug makes serials below 61 ambiguous, so they are refused; no invoice
// is that old. Workbooks saved with the 1904 date system (old Mac Excel) count days since
// 1904-01-01 (0 = 1904-01-01), with no such bug. Excel keeps no time zone: a serial date-time
// is read as UTC. Microsoft JSON (WCF, ASP.NET, Xero): milliseconds since 1970-01-01 UTC, with an
// optional "+hhmm" giving the writer's zone ("/Date(1700000000000+0100)/"); the milliseconds are
// UTC either way (Xero API docs, "Date formats"). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string_view>

#include "schema/result.hpp"
#include "schema/timestamp.hpp"

namespace arsync::mapping {

struct MsJsonTime {
  UtcTime utc;
  int offset_minutes = 0;  // the writer's zone, 0 when absent
};

// "/Date(1700000000000)/", "/Date(1700000000000+0100)/", "/Date(-86400000)/". The message of
// an error starts with the quoted text.
Result<MsJsonTime> parse_ms_json(std::string_view text);

enum class ExcelBase : unsigned char { k1900, k1904 };

// The calendar day of an Excel/OLE serial ("45000", "45000.75", JSON number or text).
Result<std::chrono::sys_days> parse_excel_serial(std::string_view text, ExcelBase base = ExcelBase::k1900);

// The point in time of an Excel/OLE serial, its fraction the time of day to the nearest
// millisecond ("45000.75" = 2023-03-15T18:00:00.000Z). Fraction digits beyond the tenth
// (a double's noise, below a millisecond) are ignored.
Result<UtcTime> parse_excel_time(std::string_view text, ExcelBase base = ExcelBase::k1900);

// "YYYY-MM-DD" of a day.
std::string format_day(std::chrono::sys_days day);

}  // namespace arsync::mapping
