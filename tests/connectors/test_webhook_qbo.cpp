// QuickBooks Online webhooks: intuit-signature (base64 HMAC-SHA256 of the raw body with the
// verifier token), classic eventNotifications and CloudEvents payloads. Signatures come from
// the openssl command line.
#include <doctest/doctest.h>

#include "tests/connectors/openssl_cli.hpp"
#include "tests/connectors/webhook_fixture.hpp"

namespace {

using namespace arsync;
using namespace arsync::test;

const std::string kToken = "0a1b2c3d-verifier";

// The shape of Intuit's documented sample notification.
const std::string kClassic =
    R"({"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[)"
    R"({"name":"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"},)"
    R"({"name":"Invoice","id":"130","operation":"Update","lastUpdated":"2015-10-05T14:45:00-0700"},)"
    R"({"name":"Customer","id":"9","operation":"Merge","lastUpdated":"2015-10-05T14:46:00-0700","deletedId":"7"}]}}]})";

const std::string kCloudEvents =
    R"([{"specversion":"1.0","id":"88cd52a4-d1f8-4e4f-9e48-6d5c4f5f2e1a","source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",)"
    R"("type":"qbo.invoice.updated.v1","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179Z",)"
    R"("intuitentityid":"1234","intuitaccountid":"310687","data":{}},)"
    R"({"specversion":"1.0","id":"f1e2d3c4-0000-4000-8000-000000000001","source":"intuit.x","type":"qbo.customer.deleted.v1",)"
    R"("time":"2025-09-10T21:32:00.000Z","intuitentityid":"58","intuitaccountid":"310687"}])";

}  // namespace

TEST_CASE("qbo accepts a body signed with the verifier token and rejects any other") {
  const auto scheme = make_scheme("qbo", {{"verifier_token", kToken}});
  for (const std::string& body : {kClassic, kCloudEvents}) {
    const std::string signature = openssl_hmac(kToken, body, "base64");
    CHECK(scheme->verify(webhook_post(body, {{"intuit-signature", signature}}), kWebhookNow).verdict ==
          WebhookVerdict::kAccept);
    CHECK(scheme->verify(webhook_post(body, {{"Intuit-Signature", signature}}), kWebhookNow).status == 200);
    const WebhookCheck tampered =
        scheme->verify(webhook_post(tamper(body), {{"intuit-signature", signature}}), kWebhookNow);
    CHECK(tampered.verdict == WebhookVerdict::kReject);
    CHECK(tampered.status == 401);
    CHECK(tampered.reason.find(signature) == std::string::npos);
    const std::string wrong = openssl_hmac("another-token", body, "base64");
    CHECK(scheme->verify(webhook_post(body, {{"intuit-signature", wrong}}), kWebhookNow).verdict ==
          WebhookVerdict::kReject);
  }
  const WebhookCheck missing = scheme->verify(webhook_post(kClassic, {}), kWebhookNow);
  CHECK(missing.verdict == WebhookVerdict::kReject);
  CHECK(missing.reason == "missing intuit-signature header");
}

TEST_CASE("qbo reads a classic notification into thin events with derived, stable ids") {
  const auto scheme = make_scheme("qbo", {{"verifier_token", kToken}});
  auto events = scheme->read_events(kClassic);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 3);
  const WebhookEvent& customer = (*events)[0];
  CHECK(customer.entity == "Customer");
  CHECK(customer.operation == "create");
  CHECK(customer.erp_ids == std::vector<std::string>{"1"});
  CHECK(customer.occurred_at == "2015-10-05T21:42:19Z");
  CHECK(customer.payload.empty());
  CHECK((*events)[1].entity == "Invoice");
  CHECK((*events)[1].operation == "update");
  CHECK((*events)[1].erp_ids == std::vector<std::string>{"130"});
  CHECK((*events)[2].operation == "merge");
  CHECK((*events)[2].erp_ids == std::vector<std::string>{"9", "7"});
  // The derived id is the hex SHA-256 of the length-prefixed parts (checked with openssl).
  const std::string parts = "3:qbo10:11858834508:Customer1:16:Create24:2015-10-05T14:42:19-0700";
  CHECK(customer.event_id ==
        run_command("printf %s '" + parts + "' | openssl dgst -sha256 -r | cut -d' ' -f1"));
  auto again = scheme->read_events(kClassic);
  REQUIRE(again.has_value());
  CHECK((*again)[0].event_id == customer.event_id);
  CHECK((*events)[1].event_id != customer.event_id);
}

TEST_CASE("qbo reads the CloudEvents format, using each event's own id") {
  const auto scheme = make_scheme("qbo", {{"verifier_token", kToken}});
  auto events = scheme->read_events(kCloudEvents);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  const WebhookEvent& invoice = (*events)[0];
  CHECK(invoice.event_id == "88cd52a4-d1f8-4e4f-9e48-6d5c4f5f2e1a");
  CHECK(invoice.entity == "invoice");
  CHECK(invoice.operation == "update");
  CHECK(invoice.erp_ids == std::vector<std::string>{"1234"});
  CHECK(invoice.occurred_at == "2025-09-10T21:31:25.179Z");
  CHECK((*events)[1].entity == "customer");
  CHECK((*events)[1].operation == "delete");
  CHECK((*events)[1].erp_ids == std::vector<std::string>{"58"});
}

TEST_CASE("qbo refuses bodies that are not one of its two shapes") {
  const auto scheme = make_scheme("qbo", {{"verifier_token", kToken}});
  for (const char* body :
       {"{\"eventNotifications\":[", "{}", "\"text\"", R"({"eventNotifications":{}})",
        R"({"eventNotifications":[{"realmId":"1"}]})",
        R"({"eventNotifications":[{"dataChangeEvent":{"entities":[{"name":"Invoice"}]}}]})",
        R"([{"specversion":"1.0","id":"x","type":"xero.invoice.updated.v1","intuitentityid":"1"}])",
        R"([{"specversion":"1.0","type":"qbo.invoice.updated.v1","intuitentityid":"1"}])"}) {
    auto events = scheme->read_events(body);
    REQUIRE_FALSE(events.has_value());
    CHECK(events.error().kind == ErrorKind::kInvalidInput);
  }
  CHECK_FALSE(find_webhook_scheme("qbo")->create({{"verifier_token", {"", "x"}}}).has_value());
}
