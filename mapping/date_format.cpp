// Compiled date patterns (see date_format.hpp).
#include "mapping/date_format.hpp"

#include <array>

#include "mapping/serial_date.hpp"
#include "mapping/suggest.hpp"
#include "schema/timestamp.hpp"

namespace arsync::mapping {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"january",   "february", "march",    "april",
                                                      "may",       "june",     "july",     "august",
                                                      "september", "october",  "november", "december"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads between `min` and `max` digits at `pos`.
bool read_number(std::string_view s, std::size_t& pos, int min, int max, int& out) {
  out = 0;
  int n = 0;
  while (n < max && pos < s.size() && is_digit(s[pos])) out = out * 10 + (s[pos++] - '0'), ++n;
  return n >= min;
}

// Reads an English month name, full or abbreviated to at least three letters ("Mar", "Sept").
bool read_month_name(std::string_view s, std::size_t& pos, int& month) {
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    std::string_view full = kMonths[m];
    std::size_t n = 0;
    while (n < full.size() && pos + n < s.size() && lower(s[pos + n]) == full[n]) ++n;
    bool word_ends = pos + n == s.size() || lower(s[pos + n]) < 'a' || lower(s[pos + n]) > 'z';
    if (n >= 3 && word_ends) {
      month = static_cast<int>(m) + 1;
      pos += n;
      return true;
    }
  }
  return false;
}

std::unexpected<Error> bad_date(std::string_view text, const std::string& why) {
  std::string quoted = "\"";
  quoted += text;
  quoted += '"';
  return fail(ErrorKind::kInvalidInput, quoted + " " + why);
}

}  // namespace

Result<DateFormat> DateFormat::compile(std::string_view pattern) {
  DateFormat format;
  format.pattern_ = std::string(pattern);
  if (pattern == "iso8601") {
    format.steps_ = {{Op::kYear4},        {Op::kLiteral, '-'}, {Op::kMonth},
                     {Op::kLiteral, '-'}, {Op::kDay},          {Op::kIsoRest}};
    return format;
  }
  if (pattern == "excel" || pattern == "excel1904" || pattern == "ms_json") {
    format.steps_ = {{pattern == "excel"       ? Op::kExcelSerial
                      : pattern == "excel1904" ? Op::kExcelSerial1904
                                               : Op::kMsJson}};
    return format;
  }
  if (pattern.find('%') == std::string_view::npos) {  // a misspelt name, not a pattern
    constexpr std::string_view kNamed[] = {"iso8601", "excel", "excel1904", "ms_json"};
    return fail(ErrorKind::kInvalidInput, "date format \"" + std::string(pattern) +
                                              "\" is neither a pattern such as %d/%m/%Y nor one of iso8601, "
                                              "excel, excel1904, ms_json" +
                                              did_you_mean(pattern, kNamed));
  }
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      format.steps_.push_back({Op::kLiteral, pattern[i]});
      continue;
    }
    if (++i == pattern.size())
      return fail(ErrorKind::kInvalidInput,
                  "date format \"" + std::string(pattern) + "\" ends with a lone '%'");
    switch (pattern[i]) {
      case 'Y':
        format.steps_.push_back({Op::kYear4}), year = true;
        break;
      case 'y':
        format.steps_.push_back({Op::kYear2}), year = true;
        break;
      case 'm':
        format.steps_.push_back({Op::kMonth}), month = true;
        break;
      case 'b':
      case 'B':
        format.steps_.push_back({Op::kMonthName}), month = true;
        break;
      case 'd':
        format.steps_.push_back({Op::kDay}), day = true;
        break;
      case 'H':
      case 'M':
      case 'S':
        format.steps_.push_back({Op::kIgnoredNumber});
        break;
      case '%':
        format.steps_.push_back({Op::kLiteral, '%'});
        break;
      default:
        return fail(ErrorKind::kInvalidInput,
                    "date format \"" + std::string(pattern) + "\" has unknown directive '%" + pattern[i] +
                        "' (use %Y %y %m %d %b %B %H %M %S, or iso8601, excel, excel1904, ms_json)");
    }
  }
  if (!year || !month || !day)
    return fail(ErrorKind::kInvalidInput, "date format \"" + std::string(pattern) +
                                              "\" needs a year (%Y), a month (%m or %b) and a day (%d)");
  return format;
}

Result<std::string> DateFormat::parse_serial(std::string_view text) const {
  using namespace std::chrono;
  sys_days day;
  if (steps_.front().op == Op::kExcelSerial || steps_.front().op == Op::kExcelSerial1904) {
    auto serial =
        parse_excel_serial(text, steps_.front().op == Op::kExcelSerial ? ExcelBase::k1900 : ExcelBase::k1904);
    if (!serial) return std::unexpected(serial.error());
    day = *serial;
  } else {
    auto time = parse_ms_json(text);
    if (!time) return std::unexpected(time.error());
    // The date as the writer saw it: Xero's 2025-03-01 in New Zealand is 2025-02-28 in UTC.
    day = floor<days>(time->utc + minutes(time->offset_minutes));
  }
  int year = static_cast<int>(year_month_day(day).year());
  if (year < 1 || year > 9999) return bad_date(text, "is not a date between the years 1 and 9999");
  return format_day(day);
}

Result<std::string> DateFormat::parse(std::string_view text) const {
  if (steps_.size() == 1 && (steps_[0].op == Op::kExcelSerial || steps_[0].op == Op::kExcelSerial1904 ||
                             steps_[0].op == Op::kMsJson))
    return parse_serial(text);
  int year = 0, month = 0, day = 0, ignored = 0;
  std::size_t pos = 0;
  auto mismatch = [&] { return bad_date(text, "is not a date in the format " + pattern_); };
  for (const Step& step : steps_) {
    bool ok = true;
    switch (step.op) {
      case Op::kYear4:
        ok = read_number(text, pos, 4, 4, year);
        break;
      case Op::kYear2:
        ok = read_number(text, pos, 2, 2, year), year += 2000;
        break;
      case Op::kMonth:
        ok = read_number(text, pos, 1, 2, month);
        break;
      case Op::kMonthName:
        ok = read_month_name(text, pos, month);
        break;
      case Op::kDay:
        ok = read_number(text, pos, 1, 2, day);
        break;
      case Op::kIgnoredNumber:
        ok = read_number(text, pos, 1, 2, ignored);
        break;
      case Op::kLiteral:
        ok = pos < text.size() && text[pos] == step.literal, ++pos;
        break;
      case Op::kIsoRest:
        ok = pos == text.size() || text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ';
        pos = text.size();
        break;
      case Op::kExcelSerial:
      case Op::kExcelSerial1904:
      case Op::kMsJson:
        ok = false;  // handled by parse_serial
        break;
    }
    if (!ok) return mismatch();
  }
  if (pos != text.size()) return mismatch();
  if (!is_valid_date(year, month, day)) return bad_date(text, "is not a real calendar date");
  std::string out = "0000-00-00";  // filled by hand: this runs for every date of every record
  for (int i = 3, y = year; i >= 0; --i, y /= 10)
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + month / 10), out[6] = static_cast<char>('0' + month % 10);
  out[8] = static_cast<char>('0' + day / 10), out[9] = static_cast<char>('0' + day % 10);
  return out;
}

}  // namespace arsync::mapping
