// Serial dates (see serial_date.hpp). Digits are read by hand: no locale, no double.
#include "mapping/serial_date.hpp"

#include <charconv>
#include <string>

namespace arsync::mapping {
namespace {

std::unexpected<Error> bad(std::string_view text, std::string_view why) {
  return fail(ErrorKind::kInvalidInput, "\"" + std::string(text) + "\" " + std::string(why));
}

bool read_int(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow int64
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<MsJsonTime> parse_ms_json(std::string_view text) {
  constexpr std::string_view kOpen = "/Date(", kClose = ")/";
  auto why = "is not a Microsoft JSON date such as /Date(1700000000000+0000)/";
  if (!text.starts_with(kOpen) || !text.ends_with(kClose) || text.size() < kOpen.size() + kClose.size())
    return bad(text, why);
  std::string_view inner = text.substr(kOpen.size(), text.size() - kOpen.size() - kClose.size());
  // The zone is a sign after the first character (which may be the millisecond's own sign).
  std::size_t zone = inner.find_first_of("+-", 1);
  std::string_view millis = inner.substr(0, zone);
  std::int64_t ms = 0;
  bool negative = millis.starts_with('-');
  if (!read_int(negative ? millis.substr(1) : millis, ms)) return bad(text, why);
  if (negative) ms = -ms;
  MsJsonTime out;
  if (zone != std::string_view::npos) {
    std::string_view z = inner.substr(zone + 1);
    std::int64_t hhmm = 0;
    if (z.size() != 4 || !read_int(z, hhmm) || hhmm % 100 >= 60 || hhmm / 100 > 14) return bad(text, why);
    out.offset_minutes = static_cast<int>(hhmm / 100 * 60 + hhmm % 100) * (inner[zone] == '-' ? -1 : 1);
  }
  // UtcTime counts nanoseconds in 64 bits (years 1678 to 2262): keep to 1700..2200.
  if (ms > 7'258'118'400'000 || ms < -8'520'336'000'000) return bad(text, "is out of range (years 1700 to 2200)");
  out.utc = UtcTime(std::chrono::milliseconds(ms));
  return out;
}

namespace {

struct Serial {
  std::chrono::sys_days day;
  std::int64_t millis = 0;  // time of day
};

Result<Serial> parse_serial(std::string_view text, ExcelBase base) {
  std::string_view whole = text.substr(0, text.find('.'));
  std::string_view fraction = whole.size() < text.size() ? text.substr(whole.size() + 1) : std::string_view();
  std::int64_t days = 0;
  if (whole.starts_with('-') || !read_int(whole, days) ||
      fraction.find_first_not_of("0123456789") != std::string_view::npos)
    return bad(text, "is not an Excel serial date (a day number such as 45000)");
  if (base == ExcelBase::k1900 && days < 61)
    return bad(text, "is before 1900-03-01, where Excel serial dates are ambiguous");
  if (days > 2958465) return bad(text, "is after 9999-12-31");
  // Ten digits of a day are below a millisecond; 10^10 * 86,400,000 fits an int64.
  fraction = fraction.substr(0, 10);
  std::int64_t numerator = 0, denominator = 1;
  for (char c : fraction) numerator = numerator * 10 + (c - '0'), denominator *= 10;
  Serial out;
  out.millis = (numerator * 86'400'000 + denominator / 2) / denominator;  // half up
  const auto epoch =
      base == ExcelBase::k1900 ? std::chrono::year(1899) / 12 / 30 : std::chrono::year(1904) / 1 / 1;
  out.day = std::chrono::sys_days(epoch) + std::chrono::days(days);
  return out;
}

}  // namespace

Result<std::chrono::sys_days> parse_excel_serial(std::string_view text, ExcelBase base) {
  auto serial = parse_serial(text, base);
  if (!serial) return std::unexpected(serial.error());
  return serial->day;
}

Result<UtcTime> parse_excel_time(std::string_view text, ExcelBase base) {
  auto serial = parse_serial(text, base);
  if (!serial) return std::unexpected(serial.error());
  // A date-time is a UtcTime, nanoseconds in 64 bits: keep to the years arsync parses (to 2200).
  if (serial->day >= std::chrono::sys_days(std::chrono::year(2200) / 1 / 1))
    return bad(text, "is after 2199-12-31");
  return UtcTime(serial->day) + std::chrono::milliseconds(serial->millis);
}

std::string format_day(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if (y < 0 || y > 9999) return "0000-00-00";  // callers bound the range; never reached
  std::string out = "0000-00-00";
  for (int i = 3; i >= 0; --i, y /= 10) out[static_cast<std::size_t>(i)] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10), out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + d / 10), out[9] = static_cast<char>('0' + d % 10);
  return out;
}

}  // namespace arsync::mapping
