// Xero webhooks: x-xero-signature (base64 HMAC-SHA256 of the raw body with the webhook key),
// intent-to-receive (200 for a correctly signed body, 401 otherwise) and thin events.
#include <doctest/doctest.h>

#include "tests/connectors/openssl_cli.hpp"
#include "tests/connectors/webhook_fixture.hpp"

namespace {

using namespace arsync;
using namespace arsync::test;

const std::string kKey = "xero+webhook/key==";

// Xero's documented intent-to-receive body.
const std::string kIntent =
    R"({"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"})";

const std::string kEvents =
    R"({"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777",)"
    R"("resourceId":"717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","eventDateUtc":"2017-06-21T01:15:39.902",)"
    R"("eventType":"Update","eventCategory":"CONTACT","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"},)"
    R"({"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/0e64a623-c2a1-446a-93ed-eb897f118cbc",)"
    R"("resourceId":"0e64a623-c2a1-446a-93ed-eb897f118cbc","eventDateUtc":"2017-06-21T01:16:00.000",)"
    R"("eventType":"CREATE","eventCategory":"INVOICE","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"}],)"
    R"("lastEventSequence":2,"firstEventSequence":1,"entropy":"RZLIDPFVAJPNTKGRHDKU"})";

}  // namespace

TEST_CASE("xero intent to receive: 200 with no body when correctly signed, 401 when not") {
  const auto scheme = make_scheme("xero", {{"webhook_key", kKey}});
  const std::string signature = openssl_hmac(kKey, kIntent, "base64");
  const WebhookCheck good =
      scheme->verify(webhook_post(kIntent, {{"x-xero-signature", signature}}), kWebhookNow);
  CHECK(good.verdict == WebhookVerdict::kAccept);
  CHECK(good.status == 200);
  CHECK(good.body.empty());
  const std::string wrong = openssl_hmac("not-the-key", kIntent, "base64");
  const WebhookCheck bad = scheme->verify(webhook_post(kIntent, {{"x-xero-signature", wrong}}), kWebhookNow);
  CHECK(bad.verdict == WebhookVerdict::kReject);
  CHECK(bad.status == 401);
  auto none = scheme->read_events(kIntent);
  REQUIRE(none.has_value());
  CHECK(none->empty());
}

TEST_CASE("xero rejects a changed body and a missing header") {
  const auto scheme = make_scheme("xero", {{"webhook_key", kKey}});
  const std::string signature = openssl_hmac(kKey, kEvents, "base64");
  CHECK(scheme->verify(webhook_post(kEvents, {{"X-Xero-Signature", signature}}), kWebhookNow).verdict ==
        WebhookVerdict::kAccept);
  CHECK(
      scheme->verify(webhook_post(tamper(kEvents), {{"x-xero-signature", signature}}), kWebhookNow).verdict ==
      WebhookVerdict::kReject);
  const WebhookCheck missing =
      scheme->verify(webhook_post(kEvents, {{"intuit-signature", signature}}), kWebhookNow);
  CHECK(missing.verdict == WebhookVerdict::kReject);
  CHECK(missing.reason == "missing x-xero-signature header");
}

TEST_CASE("xero events read as thin events with UTC times and derived ids") {
  const auto scheme = make_scheme("xero", {{"webhook_key", kKey}});
  auto events = scheme->read_events(kEvents);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  const WebhookEvent& contact = (*events)[0];
  CHECK(contact.entity == "CONTACT");
  CHECK(contact.operation == "update");
  CHECK(contact.erp_ids == std::vector<std::string>{"717f2bfc-c6d4-41fd-b238-3f2f0c0cf777"});
  CHECK(contact.occurred_at == "2017-06-21T01:15:39.902Z");
  CHECK(contact.payload.empty());
  CHECK(contact.event_id.size() == 64);
  CHECK((*events)[1].entity == "INVOICE");
  CHECK((*events)[1].operation == "create");
  CHECK((*events)[1].event_id != contact.event_id);
  CHECK(scheme->read_events(kEvents)->front().event_id == contact.event_id);
}

TEST_CASE("xero refuses malformed bodies") {
  const auto scheme = make_scheme("xero", {{"webhook_key", kKey}});
  for (const char* body : {"{\"events\":[", "[]", R"({"entropy":"x"})",
                           R"({"events":[{"eventType":"UPDATE"}]})", R"({"events":[1]})"}) {
    auto events = scheme->read_events(body);
    REQUIRE_FALSE(events.has_value());
    CHECK(events.error().kind == ErrorKind::kInvalidInput);
  }
}
