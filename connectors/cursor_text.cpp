#include "connectors/cursor_text.hpp"

#include <chrono>

namespace arsync {
namespace {

int fraction_digits(std::string_view iso) {
  auto dot = iso.find('.');
  if (dot == std::string_view::npos) return 0;
  int n = 0;
  while (dot + 1 + n < iso.size() && iso[dot + 1 + n] >= '0' && iso[dot + 1 + n] <= '9') ++n;
  return n;
}

bool known_directive(char c) { return c == 'Y' || c == 'm' || c == 'd' || c == 'H' || c == 'M' || c == 'S'; }

}  // namespace

Result<CursorFormat> CursorFormat::compile(std::string_view pattern) {
  CursorFormat f;
  f.pattern_ = std::string(pattern);
  if (pattern == "iso8601") return f;
  f.iso_ = false;
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (i + 1 == pattern.size() || !known_directive(pattern[i + 1]))
      return fail(ErrorKind::kInvalidInput,
                  "cursor_format \"" + std::string(pattern) +
                      "\": only %Y %m %d %H %M %S are understood (or write iso8601)");
    year |= pattern[i + 1] == 'Y', month |= pattern[i + 1] == 'm', day |= pattern[i + 1] == 'd';
    ++i;
  }
  if (!year || !month || !day)
    return fail(ErrorKind::kInvalidInput,
                "cursor_format \"" + std::string(pattern) + "\" needs a year, a month and a day (%Y %m %d)");
  return f;
}

Result<UtcTime> CursorFormat::parse(std::string_view text) const {
  if (iso_) return parse_iso8601(text);
  int v[6] = {0, 1, 1, 0, 0, 0};  // Y m d H M S
  std::size_t at = 0;
  auto bad = [&] {
    return fail(ErrorKind::kInvalidInput,
                "\"" + std::string(text) + "\" does not match cursor_format \"" + pattern_ + "\"");
  };
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    if (pattern_[i] != '%') {
      if (at >= text.size() || text[at] != pattern_[i]) return bad();
      ++at;
      continue;
    }
    const char d = pattern_[++i];
    const std::size_t width = d == 'Y' ? 4 : 2;
    int n = 0;
    for (std::size_t k = 0; k < width; ++k, ++at) {
      if (at >= text.size() || text[at] < '0' || text[at] > '9') return bad();
      n = n * 10 + (text[at] - '0');
    }
    v[std::string_view("YmdHMS").find(d)] = n;
  }
  if (at != text.size() || !is_valid_date(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 59)
    return bad();
  using namespace std::chrono;
  const sys_days day = year_month_day(year(v[0]), month(static_cast<unsigned>(v[1])),
                                      std::chrono::day(static_cast<unsigned>(v[2])));
  return UtcTime(day) + hours(v[3]) + minutes(v[4]) + seconds(v[5]);
}

std::string CursorFormat::format(UtcTime time, std::string_view like) const {
  if (iso_) return format_iso8601(time, fraction_digits(like));
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(time - day));
  const int v[6] = {int(ymd.year()),          int(unsigned(ymd.month())), int(unsigned(ymd.day())),
                    int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count())};
  std::string out;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    if (pattern_[i] != '%') {
      out += pattern_[i];
      continue;
    }
    const char d = pattern_[++i];
    const int n = v[std::string_view("YmdHMS").find(d)];
    std::string digits = std::to_string(n);
    out.append((d == 'Y' ? 4 : 2) - std::min<std::size_t>(digits.size(), d == 'Y' ? 4 : 2), '0');
    out += digits;
  }
  return out;
}

void RunCursor::begin(const CursorFormat& format, const std::string& committed) {
  committed_ = committed;
  best_.reset();
  best_text_ = committed;
  if (!committed.empty())
    if (auto t = format.parse(committed)) best_ = *t;
}

void RunCursor::see(const CursorFormat& format, std::string_view text) {
  auto t = format.parse(text);
  if (t && (!best_ || *t > *best_)) best_ = *t, best_text_ = std::string(text);
}

std::string RunCursor::page_cursor(bool ordered, bool last_page) const {
  return ordered || last_page ? best_text_ : committed_;
}

}  // namespace arsync
