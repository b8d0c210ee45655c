#include <doctest/doctest.h>

#include "connectors/retry_policy.hpp"
#include "connectors/url.hpp"

using namespace arsync;
using namespace std::chrono_literals;

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after(" 0 ", now) == 0ms);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30000ms);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0ms);  // in the past: now
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("-5", now));
}

TEST_CASE("backoff stays within base·2^n and the cap; Retry-After is capped") {
  RetryPolicy policy;
  policy.base = 100ms;
  policy.cap = 1000ms;
  std::mt19937_64 rng(7);
  for (int attempt = 1; attempt < 40; ++attempt)
    for (int i = 0; i < 50; ++i) {
      auto d = policy.backoff(attempt, rng);
      CHECK(d >= 0ms);
      CHECK(d <= std::min<std::chrono::milliseconds>(1000ms, 100ms * (1LL << std::min(attempt - 1, 20))));
    }
  CHECK(policy.honour(std::chrono::hours(48)) == policy.max_retry_after);
}

TEST_CASE("URLs split into origin and target; links resolve against the base") {
  auto url = parse_url("https://Erp.Example.com/api/v2.0?company=1");
  REQUIRE(url);
  CHECK(url->host == "Erp.Example.com");
  CHECK(url->port == "443");
  CHECK(url->target == "/api/v2.0?company=1");
  auto next = resolve_url(*url, "/api/v2.0/invoices?$skiptoken=x");
  REQUIRE(next);
  CHECK(next->same_origin(*url));
  CHECK(parse_url("http://[::1]:8080/x")->host == "::1");
  CHECK_FALSE(parse_url("ftp://x/y"));
  CHECK_FALSE(parse_url("https://user:pw@host/"));
  CHECK(percent_encode("a b:c/$") == "a%20b%3Ac%2F%24");
}
