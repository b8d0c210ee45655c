// The crypto wrappers (connectors/hmac.hpp) against published vectors, the scheme table, and
// the generic hmac-sha256 scheme with its fat event format; signatures come from the openssl
// command line (tests/connectors/openssl_cli.hpp), never from the code under test.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "connectors/hmac.hpp"
#include "connectors/hmac_webhook.hpp"
#include "connectors/webhook.hpp"
#include "tests/connectors/openssl_cli.hpp"

namespace {

using namespace arsync;
using arsync::test::openssl_hmac;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'760'000'000));

std::unique_ptr<WebhookScheme> make(std::string_view name, std::map<std::string, std::string> options) {
  const WebhookSchemeSpec* spec = find_webhook_scheme(name);
  REQUIRE(spec != nullptr);
  OptionValues values;
  for (auto& [key, value] : options) values[key] = OptionValue{value, "test"};
  auto scheme = spec->create(values);
  REQUIRE_MESSAGE(scheme.has_value(), (scheme ? "" : scheme.error().describe()));
  return std::move(*scheme);
}

WebhookRequest post(std::string body, HttpHeaders headers) {
  return WebhookRequest{"POST", "/webhooks/erp", std::move(headers), std::move(body)};
}

const std::string kKey = "s3cret-key";
const std::string kFat =
    R"({"id":"evt-1","type":"invoices.updated","time":"2025-12-01T00:00:01.000Z","ids":["INV-0000042"],)"
    R"("data":{"id":"INV-0000042","totalAmountIncludingTax":108.25,"status":"Open"}})";

}  // namespace

TEST_CASE("HMAC-SHA256 and SHA-256 match the published vectors (RFC 4231 case 2, FIPS 180-2)") {
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(hmac_sha256("", "")) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("base64 and hex round-trip the RFC 4648 vectors and refuse malformed text") {
  const std::pair<std::string, std::string> kVectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}};
  for (const auto& [plain, encoded] : kVectors) {
    CHECK(to_base64(plain) == encoded);
    if (!encoded.empty()) CHECK(from_base64(encoded) == plain);
  }
  CHECK_FALSE(from_base64("Zm9").has_value());
  CHECK_FALSE(from_base64("Zm9*").has_value());
  CHECK(from_hex("00fFaB") == std::string("\x00\xff\xab", 3));
  CHECK_FALSE(from_hex("0g").has_value());
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
}

TEST_CASE("the scheme table lists each built-in once, by name, with secrets typed as secrets") {
  std::set<std::string_view> names;
  for (const WebhookSchemeSpec* spec : webhook_schemes()) {
    CHECK(names.insert(spec->name).second);
    CHECK(find_webhook_scheme(spec->name) == spec);
    int secrets = 0;
    for (const OptionSpec& option : spec->options) secrets += option.type == OptionType::kSecret;
    // The signing secret; business-central also has its subscription endpoint's token.
    CHECK(secrets == (spec->name == "business-central" ? 2 : 1));
  }
  CHECK(names == std::set<std::string_view>{"qbo", "xero", "business-central", "stripe", "hmac-sha256"});
  CHECK(find_webhook_scheme("github") == nullptr);
}

TEST_CASE("a scheme's options are checked: unknown keys, missing secrets, bad values") {
  const WebhookSchemeSpec* spec = find_webhook_scheme("hmac-sha256");
  auto missing = spec->create({});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("secret") != std::string::npos);
  auto typo = spec->create({{"secret", {"k", "a.yaml:3:5"}}, {"heder", {"X", "a.yaml:4:5"}}});
  REQUIRE_FALSE(typo.has_value());
  CHECK(typo.error().message.find("did you mean 'header'") != std::string::npos);
  auto encoding = spec->create({{"secret", {"k", ""}}, {"encoding", {"base32", ""}}});
  REQUIRE_FALSE(encoding.has_value());
  CHECK(encoding.error().message.find("hex or base64") != std::string::npos);
  auto tolerance =
      find_webhook_scheme("stripe")->create({{"secret", {"k", ""}}, {"tolerance", {"5 min", ""}}});
  CHECK_FALSE(tolerance.has_value());
}

TEST_CASE("hmac-sha256 accepts the hex HMAC of the raw body, with or without a sha256= prefix") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  const std::string hex = openssl_hmac(kKey, kFat, "hex");
  for (const std::string& value : {hex, "sha256=" + hex}) {
    const WebhookCheck check = scheme->verify(post(kFat, {{"x-signature", value}}), kNow);
    CHECK(check.verdict == WebhookVerdict::kAccept);
    CHECK(check.status == 200);
  }
}

TEST_CASE("hmac-sha256 rejects a changed body, a wrong key and a missing header, naming the header") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  const std::string hex = openssl_hmac(kKey, kFat, "hex");
  std::string changed = kFat;
  changed[changed.find("108.25") + 3] = '9';
  const WebhookCheck tampered = scheme->verify(post(changed, {{"X-Signature", hex}}), kNow);
  CHECK(tampered.verdict == WebhookVerdict::kReject);
  CHECK(tampered.status == 401);
  CHECK(tampered.reason.find(hex) == std::string::npos);
  CHECK(tampered.reason.find(kKey) == std::string::npos);
  const std::string wrong = openssl_hmac("other-key", kFat, "hex");
  CHECK(scheme->verify(post(kFat, {{"X-Signature", wrong}}), kNow).verdict == WebhookVerdict::kReject);
  CHECK(scheme->verify(post(kFat, {{"X-Signature", "not hex"}}), kNow).verdict == WebhookVerdict::kReject);
  const WebhookCheck missing = scheme->verify(post(kFat, {{"X-Other", hex}}), kNow);
  CHECK(missing.verdict == WebhookVerdict::kReject);
  CHECK(missing.reason == "missing X-Signature header");
}

TEST_CASE("hmac-sha256 with base64 encoding, a custom header and an event-id header") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey},
                                           {"header", "X-Hub-Signature-256"},
                                           {"encoding", "base64"},
                                           {"event_id_header", "X-Event-Id"}});
  const std::string b64 = openssl_hmac(kKey, kFat, "base64");
  const WebhookCheck check =
      scheme->verify(post(kFat, {{"x-hub-signature-256", b64}, {"x-event-id", "delivery-77"}}), kNow);
  CHECK(check.verdict == WebhookVerdict::kAccept);
  CHECK(check.event_id == "delivery-77");
  const std::string hex = openssl_hmac(kKey, kFat, "hex");
  CHECK(scheme->verify(post(kFat, {{"X-Hub-Signature-256", hex}}), kNow).verdict == WebhookVerdict::kReject);
}

TEST_CASE("generic events: a fat event carries the record, a thin one only ids") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  auto fat = scheme->read_events(kFat);
  REQUIRE(fat.has_value());
  REQUIRE(fat->size() == 1);
  const WebhookEvent& event = fat->front();
  CHECK(event.event_id == "evt-1");
  CHECK(event.entity == "invoices");
  CHECK(event.operation == "update");
  CHECK(event.erp_ids == std::vector<std::string>{"INV-0000042"});
  CHECK(event.occurred_at == "2025-12-01T00:00:01.000Z");
  CHECK(nlohmann::json::parse(event.payload) ==
        nlohmann::json::parse(R"({"id":"INV-0000042","totalAmountIncludingTax":108.25,"status":"Open"})"));

  auto thin = scheme->read_events(R"([{"id":"evt-2","type":"customers.created","ids":["CUST-000201"]},)"
                                  R"({"id":"evt-3","type":"invoices.deleted","ids":["INV-1","INV-2"]}])");
  REQUIRE(thin.has_value());
  REQUIRE(thin->size() == 2);
  CHECK((*thin)[0].operation == "create");
  CHECK((*thin)[0].payload.empty());
  CHECK((*thin)[1].operation == "delete");
  CHECK((*thin)[1].erp_ids == std::vector<std::string>{"INV-1", "INV-2"});
}

TEST_CASE("generic events: an event without an id gets a stable derived one") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  const std::string body = R"({"type":"invoices.updated","ids":["INV-7"],"time":"2025-01-01T00:00:00Z"})";
  auto first = scheme->read_events(body);
  auto again = scheme->read_events(body);
  auto other =
      scheme->read_events(R"({"type":"invoices.updated","ids":["INV-8"],"time":"2025-01-01T00:00:00Z"})");
  REQUIRE((first && again && other));
  CHECK(first->front().event_id.size() == 64);
  CHECK(first->front().event_id == again->front().event_id);
  CHECK(first->front().event_id != other->front().event_id);
}

TEST_CASE("generic events: malformed bodies are kInvalidInput") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  for (const char* body :
       {R"({"id":"e","type":"invoices.updated","ids":["I")", "", "42",
        R"({"id":"e","type":"noverb","ids":["I"]})", R"({"id":"e","type":"invoices.updated"})",
        R"([{"id":"e","type":"invoices.updated","ids":["I"]}, 7])"}) {
    auto events = scheme->read_events(body);
    REQUIRE_FALSE(events.has_value());
    CHECK(events.error().kind == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("utc_timestamp normalises zone offsets and keeps fractions") {
  CHECK(utc_timestamp("2015-10-05T14:42:19-0700") == "2015-10-05T21:42:19Z");
  CHECK(utc_timestamp("2015-12-31T23:30:00.5-01:00") == "2016-01-01T00:30:00.5Z");
  CHECK(utc_timestamp("2017-06-21T01:15:39.902") == "2017-06-21T01:15:39.902Z");
  CHECK(utc_timestamp("2025-09-10T21:31:25.179Z") == "2025-09-10T21:31:25.179Z");
  CHECK(utc_timestamp("yesterday") == "yesterday");
  CHECK(utc_timestamp("") == "");
}

TEST_CASE("generic events hand a fat record on byte for byte: amounts keep their decimal text") {
  const auto scheme = make("hmac-sha256", {{"secret", kKey}});
  const std::string record_a =
      R"({"id":"INV-1","total":17553.60,"note":"a \"}\" and a ] inside","lines":[{"q":0.50}]})";
  const std::string record_b = R"({ "id" : "INV-2", "remaining" : 0.00 })";
  const std::string body = R"([ {"data": )" + record_a + R"(, "type":"invoices.updated","id":"e1"},)" +
                           R"({"id":"e2","type":"invoices.created","data" :)" + record_b + " } ]";
  auto events = scheme->read_events(body);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].payload == record_a);
  CHECK((*events)[0].erp_ids == std::vector<std::string>{"INV-1"});
  CHECK((*events)[1].payload == record_b);
  CHECK((*events)[1].erp_ids == std::vector<std::string>{"INV-2"});
}
