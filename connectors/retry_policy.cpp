#include "connectors/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace arsync {

RetryPolicy RetryPolicy::from_options(const OptionReader& options) {
  RetryPolicy policy;
  policy.max_attempts = static_cast<int>(std::max<std::int64_t>(1, options.integer("retries")));
  policy.base = options.duration("backoff_base");
  policy.cap = options.duration("backoff_max");
  return policy;
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt, std::mt19937_64& rng) const {
  using std::chrono::milliseconds;
  int exponent = std::min(attempt - 1, 30);  // 2^30 · base overflows nothing and exceeds any cap
  long long ceiling = std::min<long long>(cap.count(), base.count() * (1LL << exponent));
  std::uniform_int_distribution<long long> jitter(0, std::max(0LL, ceiling));
  return milliseconds{jitter(rng)};
}

std::chrono::milliseconds RetryPolicy::honour(std::chrono::milliseconds retry_after) const {
  return std::clamp(retry_after, std::chrono::milliseconds{0}, max_retry_after);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header,
                                                           std::chrono::system_clock::time_point now) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::nullopt;

  long long seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec == std::errc() && end == header.data() + header.size() && seconds >= 0)
    return std::chrono::milliseconds{seconds * 1000};

  // RFC 9110 IMF-fixdate; strptime/timegm are the C library's, not a hand-written parser.
  std::tm tm{};
  std::string text(header);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!parsed || *parsed != '\0') return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  return std::max(delta, std::chrono::milliseconds{0});
}

}  // namespace arsync
