// webhook_schemes: the one table of built-in webhook schemes, and the building blocks they
// share (header lookup, verdicts, derived event ids, UTC normalisation). Adding a scheme is a
// file pair plus one row here; nothing registers itself (STYLE.md, "Connectors are
// descriptors").
#include <charconv>
#include <chrono>
#include <cstdio>

#include "connectors/business_central_webhook.hpp"
#include "connectors/hmac.hpp"
#include "connectors/hmac_webhook.hpp"
#include "connectors/qbo_webhook.hpp"
#include "connectors/stripe_webhook.hpp"
#include "connectors/webhook.hpp"
#include "connectors/xero_webhook.hpp"

namespace arsync {
namespace {

const WebhookSchemeSpec* const kSchemes[] = {
    &qbo_webhook_spec(),    &xero_webhook_spec(),        &business_central_webhook_spec(),
    &stripe_webhook_spec(), &hmac_sha256_webhook_spec(),
};

bool read_number(std::string_view text, size_t at, size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  const char* begin = text.data() + at;
  const auto [end, ec] = std::from_chars(begin, begin + digits, out);
  return ec == std::errc() && end == begin + digits;
}

// Minutes east of UTC from "Z", "+HH:MM", "+HHMM", "-HH", or "" (UTC); nullopt otherwise.
std::optional<int> zone_minutes(std::string_view zone) {
  if (zone.empty() || zone == "Z" || zone == "z") return 0;
  if (zone[0] != '+' && zone[0] != '-') return std::nullopt;
  int hours = 0, minutes = 0;
  std::string_view rest = zone.substr(1);
  if (!read_number(rest, 0, 2, hours)) return std::nullopt;
  rest.remove_prefix(2);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  if (!rest.empty() && (rest.size() != 2 || !read_number(rest, 0, 2, minutes))) return std::nullopt;
  const int total = hours * 60 + minutes;
  return zone[0] == '-' ? -total : total;
}

}  // namespace

std::span<const WebhookSchemeSpec* const> webhook_schemes() { return kSchemes; }

const WebhookSchemeSpec* find_webhook_scheme(std::string_view name) {
  for (const WebhookSchemeSpec* spec : kSchemes)
    if (spec->name == name) return spec;
  return nullptr;
}

std::optional<std::string_view> webhook_header(const WebhookRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers)
    if (ascii_lower(key) == ascii_lower(name)) return std::string_view(value);
  return std::nullopt;
}

WebhookCheck webhook_accept() {
  return WebhookCheck{WebhookVerdict::kAccept, 200, {}, "text/plain", "verified"};
}

WebhookCheck webhook_reject(std::string reason) {
  return WebhookCheck{WebhookVerdict::kReject, 401, {}, "text/plain", std::move(reason)};
}

std::string derived_event_id(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (std::string_view part : parts) joined.append(std::to_string(part.size())).append(":").append(part);
  return to_hex(sha256(joined));
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string utc_timestamp(std::string_view text) {
  using namespace std::chrono;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':' || !read_number(text, 0, 4, year) ||
      !read_number(text, 5, 2, month) || !read_number(text, 8, 2, day) || !read_number(text, 11, 2, hour) ||
      !read_number(text, 14, 2, minute) || !read_number(text, 17, 2, second))
    return std::string(text);
  size_t zone_at = 19;
  if (zone_at < text.size() && text[zone_at] == '.')
    for (++zone_at; zone_at < text.size() && text[zone_at] >= '0' && text[zone_at] <= '9';) ++zone_at;
  const std::string_view fraction = text.substr(19, zone_at - 19);  // ".902" or ""
  const auto offset = zone_minutes(text.substr(zone_at));
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!offset || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::string(text);
  const auto local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
  const auto utc = local - minutes(*offset);
  const auto utc_day = floor<days>(utc);
  const year_month_day d{utc_day};
  const hh_mm_ss<seconds> t{utc - utc_day};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                static_cast<int>(t.hours().count()), static_cast<int>(t.minutes().count()),
                static_cast<int>(t.seconds().count()));
  return std::string(out) + std::string(fraction) + "Z";
}

Result<void> check_webhook_options(const OptionValues& values, std::span<const OptionSpec> schema,
                                   std::string_view scheme) {
  const std::vector<Error> problems =
      check_options(values, schema, "webhook scheme '" + std::string(scheme) + "'");
  if (problems.empty()) return {};
  std::string message;
  for (const Error& problem : problems) message += (message.empty() ? "" : "; ") + problem.describe();
  return fail(ErrorKind::kInvalidInput, message);
}

}  // namespace arsync
