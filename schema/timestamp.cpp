#include "schema/timestamp.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace arsync {
namespace {

// Reads exactly `width` digits at `pos`; false if any is not a digit.
bool read_digits(std::string_view s, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Result<std::chrono::minutes> parse_zone(std::string_view zone, std::string_view text) {
  using std::chrono::minutes;
  if (zone == "Z" || zone == "z") return minutes{0};
  int hours = 0, mins = 0;
  bool ok = (zone.size() == 6 && zone[3] == ':' && read_digits(zone, 1, 2, hours) &&
             read_digits(zone, 4, 2, mins)) ||
            (zone.size() == 5 && read_digits(zone, 1, 2, hours) && read_digits(zone, 3, 2, mins));
  if (!ok || (zone[0] != '+' && zone[0] != '-') || hours > 23 || mins > 59)
    return fail(ErrorKind::kInvalidInput,
                "timestamp \"" + std::string(text) +
                    "\" needs a zone: Z or +HH:MM (a time without zone is ambiguous)");
  minutes offset{hours * 60 + mins};
  return zone[0] == '-' ? -offset : offset;
}

}  // namespace

bool is_valid_date(int year, int month, int day) {
  using namespace std::chrono;
  return year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                        std::chrono::day{static_cast<unsigned>(day)}}
      .ok();
}

constexpr int kMinYear = 1700;
constexpr int kMaxYear = 2200;

Result<UtcTime> parse_iso8601(std::string_view text) {
  auto bad = [&](const char* why) {
    return fail(ErrorKind::kInvalidInput, "timestamp \"" + std::string(text) +
                                              "\" is not ISO 8601 (YYYY-MM-DDTHH:MM:SS[.fff]Z): " + why);
  };
  int y, mo, d, h, mi, s;
  if (!(read_digits(text, 0, 4, y) && text.size() > 4 && text[4] == '-' && read_digits(text, 5, 2, mo) &&
        text.size() > 7 && text[7] == '-' && read_digits(text, 8, 2, d)))
    return bad("bad date part");
  if (text.size() < 19 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':' || !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) ||
      !read_digits(text, 17, 2, s))
    return bad("bad time part");
  if (!is_valid_date(y, mo, d)) return bad("no such calendar date");
  // UtcTime counts nanoseconds in 64 bits: about 1678 to 2262. Business dates sit well inside.
  if (y < kMinYear || y > kMaxYear) return bad("year out of range (1700 to 2200)");
  if (h > 23 || mi > 59 || s > 60) return bad("time out of range");

  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    std::size_t start = ++pos;
    int scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) nanos += (text[pos] - '0') * static_cast<std::int64_t>(scale);
      scale /= 10;  // digits past nanoseconds are dropped (floored)
      ++pos;
    }
    if (pos == start) return bad("empty fraction");
  }
  auto zone = parse_zone(text.substr(pos), text);
  if (!zone) return std::unexpected(zone.error());

  using namespace std::chrono;
  sys_days day =
      year_month_day{year{y}, month{static_cast<unsigned>(mo)}, std::chrono::day{static_cast<unsigned>(d)}};
  // A leap second (":60") is folded into the next second, as POSIX time does.
  return UtcTime{day} + hours{h} + minutes{mi} + seconds{s} + nanoseconds{nanos} - *zone;
}

std::string format_iso8601(UtcTime time, int fraction_digits) {
  using namespace std::chrono;
  auto day = floor<days>(time);
  year_month_day ymd{day};
  auto since_midnight = time - day;
  auto h = duration_cast<hours>(since_midnight);
  auto mi = duration_cast<minutes>(since_midnight - h);
  auto s = duration_cast<seconds>(since_midnight - h - mi);
  auto ns = (since_midnight - h - mi - s).count();
  char buf[48];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(h.count()), static_cast<int>(mi.count()), static_cast<int>(s.count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (fraction_digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, "%09lld", static_cast<long long>(ns));
    out += '.';
    out.append(frac, static_cast<std::size_t>(std::min(fraction_digits, 9)));
  }
  out += 'Z';
  return out;
}

std::string now_iso8601() {
  return format_iso8601(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
}

}  // namespace arsync
