#include "daemon/portal_query.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "schema/timestamp.hpp"

namespace arsync {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding ('+' is a space); nullopt on a broken escape.
std::optional<std::string> decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_digit(text[i + 1]);
      int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Error bad(std::string_view name, std::string message) {
  return Error{ErrorKind::kInvalidInput, "query parameter '" + std::string(name) + "': " + message,
               std::string(name)};
}

}  // namespace

Result<QueryParams> QueryParams::parse(std::string_view target, std::initializer_list<std::string_view> allowed) {
  QueryParams params;
  auto question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return fail(bad(pair.substr(0, eq), "broken percent-encoding"));
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return fail(bad(*name, "unknown parameter (this route takes: " + (known.empty() ? "none" : known) + ")"));
    }
    if (!params.values_.emplace(*name, *value).second) return fail(bad(*name, "given more than once"));
  }
  return params;
}

std::optional<std::string> QueryParams::text(std::string_view name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

Result<std::int64_t> QueryParams::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                          std::int64_t max) const {
  auto value = text(name);
  if (!value) return fallback;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < min || n > max)
    return fail(bad(name, "'" + *value + "' is not a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max)));
  return n;
}

Result<std::string> QueryParams::date(std::string_view name) const {
  auto value = text(name);
  if (!value) return std::string();
  int y = 0, m = 0, d = 0;
  const std::string& v = *value;
  bool shaped = v.size() == 10 && v[4] == '-' && v[7] == '-' &&
                std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
  if (shaped) {
    y = std::stoi(v.substr(0, 4));
    m = std::stoi(v.substr(5, 2));
    d = std::stoi(v.substr(8, 2));
  }
  if (!shaped || !is_valid_date(y, m, d)) return fail(bad(name, "'" + v + "' is not a date YYYY-MM-DD"));
  return v;
}

Result<bool> QueryParams::flag(std::string_view name) const {
  auto value = text(name);
  if (!value) return false;
  if (*value == "true" || *value == "1") return true;
  if (*value == "false" || *value == "0") return false;
  return fail(bad(name, "'" + *value + "' is not true or false"));
}

Result<std::vector<std::string>> QueryParams::list(std::string_view name,
                                                   std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> items;
  auto value = text(name);
  if (!value) return items;
  std::string_view rest = *value;
  while (true) {
    auto comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return fail(bad(name, "'" + item + "' is not one of " + known));
    }
    items.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return items;
}

std::string today_utc() {
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

std::optional<std::int64_t> parse_id(std::string_view segment) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (ec != std::errc() || end != segment.data() + segment.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace arsync
