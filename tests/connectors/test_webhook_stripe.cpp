// Stripe-style signatures: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, several v1 allowed,
// a timestamp tolerance on a fixed clock (inside: accept; outside: ignore, acknowledged).
#include <doctest/doctest.h>

#include "tests/connectors/openssl_cli.hpp"
#include "tests/connectors/webhook_fixture.hpp"

namespace {

using namespace arsync;
using namespace arsync::test;
using std::chrono::seconds;

const std::string kSecret = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
const std::string kBody = R"({"id":"evt-9","type":"payments.created","ids":["PAY-0000003"]})";
const int64_t kT = 1'760'000'000;  // kWebhookNow

std::string header(int64_t t, const std::string& body, const std::string& key = kSecret) {
  return "t=" + std::to_string(t) + ",v1=" + openssl_hmac(key, std::to_string(t) + "." + body, "hex");
}

WebhookCheck check_at(const WebhookScheme& scheme, const std::string& value, const std::string& body,
                      seconds offset = seconds(0)) {
  return scheme.verify(webhook_post(body, {{"Stripe-Signature", value}}), kWebhookNow + offset);
}

}  // namespace

TEST_CASE("stripe accepts a valid signature inside the tolerance and ignores one outside it") {
  const auto scheme = make_scheme("stripe", {{"secret", kSecret}});
  const std::string value = header(kT, kBody);
  CHECK(check_at(*scheme, value, kBody).verdict == WebhookVerdict::kAccept);
  CHECK(check_at(*scheme, value, kBody, seconds(300)).verdict == WebhookVerdict::kAccept);
  CHECK(check_at(*scheme, value, kBody, seconds(-300)).verdict == WebhookVerdict::kAccept);
  const WebhookCheck late = check_at(*scheme, value, kBody, seconds(301));
  CHECK(late.verdict == WebhookVerdict::kIgnore);
  CHECK(late.status == 200);
  CHECK(check_at(*scheme, value, kBody, seconds(-301)).verdict == WebhookVerdict::kIgnore);

  // An absurd (but signed) timestamp is just outside the window.
  const std::string far = header(99'999'999'999'999'999, kBody);
  CHECK(check_at(*scheme, far, kBody).verdict == WebhookVerdict::kIgnore);
  CHECK(check_at(*scheme, header(-5, kBody), kBody).verdict == WebhookVerdict::kIgnore);

  const auto strict = make_scheme("stripe", {{"secret", kSecret}, {"tolerance", "10s"}});
  CHECK(check_at(*strict, value, kBody, seconds(10)).verdict == WebhookVerdict::kAccept);
  CHECK(check_at(*strict, value, kBody, seconds(11)).verdict == WebhookVerdict::kIgnore);
}

TEST_CASE("stripe accepts when any of several v1 signatures matches, and ignores other schemes") {
  const auto scheme = make_scheme("stripe", {{"secret", kSecret}});
  const std::string good = openssl_hmac(kSecret, std::to_string(kT) + "." + kBody, "hex");
  const std::string old = openssl_hmac("whsec_rotated_out", std::to_string(kT) + "." + kBody, "hex");
  const std::string t = "t=" + std::to_string(kT);
  CHECK(check_at(*scheme, t + ",v1=" + old + ",v1=" + good, kBody).verdict == WebhookVerdict::kAccept);
  CHECK(check_at(*scheme, t + ", v0=" + old + ", v1=" + good, kBody).verdict == WebhookVerdict::kAccept);
  CHECK(check_at(*scheme, t + ",v1=" + old + ",v0=" + good, kBody).verdict == WebhookVerdict::kReject);
}

TEST_CASE("stripe rejects a changed body, a wrong key, a changed timestamp and malformed headers") {
  const auto scheme = make_scheme("stripe", {{"secret", kSecret}});
  const std::string value = header(kT, kBody);
  CHECK(check_at(*scheme, value, tamper(kBody)).verdict == WebhookVerdict::kReject);
  CHECK(check_at(*scheme, header(kT, kBody, "whsec_other"), kBody).verdict == WebhookVerdict::kReject);
  // The timestamp is signed: moving it (to dodge the tolerance) breaks the signature.
  std::string moved = value;
  moved.replace(2, 10, std::to_string(kT + 1));
  CHECK(check_at(*scheme, moved, kBody).verdict == WebhookVerdict::kReject);
  // A stale replay with a bad signature is a reject, not an ignore.
  CHECK(check_at(*scheme, header(kT, kBody, "whsec_other"), kBody, seconds(3600)).verdict ==
        WebhookVerdict::kReject);
  const WebhookCheck no_t = check_at(*scheme, "v1=" + openssl_hmac(kSecret, kBody, "hex"), kBody);
  CHECK(no_t.verdict == WebhookVerdict::kReject);
  CHECK(no_t.reason == "Stripe-Signature has no t= timestamp");
  CHECK(check_at(*scheme, "t=" + std::to_string(kT), kBody).reason ==
        "Stripe-Signature has no v1= signature");
  CHECK(check_at(*scheme, "t=abc,v1=00", kBody).verdict == WebhookVerdict::kReject);
  const WebhookCheck missing = scheme->verify(webhook_post(kBody, {}), kWebhookNow);
  CHECK(missing.verdict == WebhookVerdict::kReject);
  CHECK(missing.reason == "missing Stripe-Signature header");
}

TEST_CASE("stripe bodies use the generic event format") {
  const auto scheme = make_scheme("stripe", {{"secret", kSecret}});
  auto events = scheme->read_events(kBody);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  CHECK(events->front().event_id == "evt-9");
  CHECK(events->front().entity == "payments");
  CHECK(events->front().operation == "create");
  CHECK(events->front().erp_ids == std::vector<std::string>{"PAY-0000003"});
  CHECK(scheme->read_events("{").error().kind == ErrorKind::kInvalidInput);
}
