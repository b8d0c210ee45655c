// sim_time: see sim_time.hpp.
#include "tools/erp-sim/sim_time.hpp"

#include <charconv>

namespace arsync::sim {
namespace {

struct Civil {
  int year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

char* put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

char* put_civil(char* out, const Civil& c) {
  const unsigned y = static_cast<unsigned>(c.year);
  out = put2(out, y / 100);
  out = put2(out, y % 100);
  *out++ = '-';
  out = put2(out, c.month);
  *out++ = '-';
  return put2(out, c.day);
}

// Reads exactly `n` digits at text[pos..]; advances pos.
std::optional<int> read_digits(std::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char ch = text[pos + i];
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  pos += n;
  return value;
}

bool expect(std::string_view text, size_t& pos, char ch) {
  if (pos >= text.size() || text[pos] != ch) return false;
  ++pos;
  return true;
}

}  // namespace

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

char* write_date(char* out, int64_t days) { return put_civil(out, civil_from_days(days)); }

char* write_timestamp(char* out, int64_t millis) {
  int64_t days = millis / kMillisPerDay;
  int64_t rest = millis % kMillisPerDay;
  if (rest < 0) {
    rest += kMillisPerDay;
    --days;
  }
  out = put_civil(out, civil_from_days(days));
  const auto secs = static_cast<unsigned>(rest / 1000);
  const auto ms = static_cast<unsigned>(rest % 1000);
  *out++ = 'T';
  out = put2(out, secs / 3600);
  *out++ = ':';
  out = put2(out, secs / 60 % 60);
  *out++ = ':';
  out = put2(out, secs % 60);
  *out++ = '.';
  *out++ = static_cast<char>('0' + ms / 100);
  out = put2(out, ms % 100);
  *out++ = 'Z';
  return out;
}

std::optional<TimeBound> parse_time_bound(std::string_view text, bool strictly_after) {
  size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  const auto month = read_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  const auto day = read_digits(text, pos, 2);
  if (!day || !expect(text, pos, 'T')) return std::nullopt;
  const auto hour = read_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  const auto minute = read_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  const auto second = read_digits(text, pos, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  int millis = 0;
  bool sub_milli = false;  // digits beyond the millisecond that are not zero
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3)
        millis = millis * 10 + (text[pos] - '0');
      else if (text[pos] != '0')
        sub_milli = true;
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  const int64_t days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const int64_t at = days * kMillisPerDay + ((*hour * 60 + *minute) * 60 + *second) * 1000LL + millis;
  // Records carry whole milliseconds: "gt t" and "ge t" with a sub-millisecond part both mean
  // ">= the next whole millisecond".
  return TimeBound{(strictly_after || sub_milli) ? at + 1 : at};
}

}  // namespace arsync::sim
