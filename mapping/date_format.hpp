// DateFormat: an ERP's way of writing a calendar date, compiled once from a strftime-like
// pattern, that reads such text into the canonical "YYYY-MM-DD".
//
// Directives: %Y (4-digit year), %y (2-digit year, 2000-2099), %m (month 1-12, one or two
// digits), %d (day, one or two digits), %b / %B (English month name, abbreviated or full, any
// case), %H %M %S (read and ignored: a date field keeps the calendar date), %% (a percent
// sign); other characters must appear as written. "iso8601" accepts "YYYY-MM-DD" optionally
// followed by a time and zone, and keeps the calendar date as written (no zone conversion:
// an invoice dated 1 March in the ERP stays dated 1 March). Two patterns name number encodings
// (serial_date.hpp): "excel" (Excel/OLE serial days, 45000 = 2023-03-15; "excel1904" for
// workbooks in the 1904 date system) and "ms_json"
// ("/Date(1700000000000+0100)/", the calendar date in the writer's zone). Immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/result.hpp"

namespace arsync::mapping {

class DateFormat {
 public:
  // Refuses unknown directives and patterns lacking a year, a month or a day.
  static Result<DateFormat> compile(std::string_view pattern);

  // "YYYY-MM-DD", or an error whose message starts with the quoted text
  // ("\"31/02/2025\" is not a real calendar date").
  Result<std::string> parse(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  enum class Op : unsigned char {
    kYear4,
    kYear2,
    kMonth,
    kMonthName,
    kDay,
    kIgnoredNumber,
    kLiteral,
    kIsoRest,
    kExcelSerial,      // the whole text; only step
    kExcelSerial1904,  // the whole text; only step
    kMsJson,           // the whole text; only step
  };
  Result<std::string> parse_serial(std::string_view text) const;
  struct Step {
    Op op;
    char literal = 0;
  };

  std::string pattern_;
  std::vector<Step> steps_;
};

}  // namespace arsync::mapping
