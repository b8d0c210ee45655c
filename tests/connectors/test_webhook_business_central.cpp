// Business Central webhooks: the validationToken handshake, clientState as the shared secret,
// and thin notifications naming a resource (with the subscription's expiry).
#include <doctest/doctest.h>

#include "tests/connectors/webhook_fixture.hpp"

namespace {

using namespace arsync;
using namespace arsync::test;

const std::string kState = "portal-7f3c9a";

std::string notification(const std::string& state, const std::string& resource, const std::string& change) {
  return R"({"value":[{"subscriptionId":"webhook-customers","clientState":")" + state +
         R"(","expirationDateTime":"2026-11-25T18:00:00Z","resource":")" + resource + R"(","changeType":")" +
         change + R"(","lastModifiedDateTime":"2026-11-22T18:00:00.123Z"}]})";
}

const std::string kCustomer =
    "api/v2.0/companies(f64eba74-dacd-4854-a584-1834f68cfc3a)/"
    "customers(2ad11a2e-4a43-4b5e-a7b5-1e8f0b4d5a34)";

}  // namespace

TEST_CASE("business-central echoes the validationToken as text/plain with 200, storing nothing") {
  const auto scheme = make_scheme("business-central", {{"client_state", kState}});
  const WebhookCheck check =
      scheme->verify(webhook_post("", {}, "/webhooks/bc?validationToken=abc%2Bdef-123"), kWebhookNow);
  CHECK(check.verdict == WebhookVerdict::kChallenge);
  CHECK(check.status == 200);
  CHECK(check.body == "abc+def-123");
  CHECK(check.content_type == "text/plain");
  const WebhookCheck second =
      scheme->verify(webhook_post("", {}, "/webhooks/bc?x=1&validationToken=tok"), kWebhookNow);
  CHECK(second.body == "tok");
  CHECK(scheme->verify(webhook_post("", {}, "/webhooks/bc?validationToken=%zz"), kWebhookNow).verdict ==
        WebhookVerdict::kReject);
  CHECK(scheme->verify(webhook_post("", {}, "/webhooks/bc?validationToken="), kWebhookNow).verdict ==
        WebhookVerdict::kReject);
}

TEST_CASE("business-central accepts notifications whose every clientState matches") {
  const auto scheme = make_scheme("business-central", {{"client_state", kState}});
  CHECK(scheme->verify(webhook_post(notification(kState, kCustomer, "updated"), {}), kWebhookNow).verdict ==
        WebhookVerdict::kAccept);
  const WebhookCheck wrong =
      scheme->verify(webhook_post(notification("guess", kCustomer, "updated"), {}), kWebhookNow);
  CHECK(wrong.verdict == WebhookVerdict::kReject);
  CHECK(wrong.status == 401);
  CHECK(wrong.reason.find(kState) == std::string::npos);
  const std::string mixed = R"j({"value":[{"clientState":")j" + kState +
                            R"j(","resource":"a(1)","changeType":"updated"},)j"
                            R"j({"clientState":"nope","resource":"a(2)","changeType":"updated"}]})j";
  CHECK(scheme->verify(webhook_post(mixed, {}), kWebhookNow).verdict == WebhookVerdict::kReject);
  const std::string no_state = R"j({"value":[{"resource":"a(1)","changeType":"updated"}]})j";
  const WebhookCheck missing = scheme->verify(webhook_post(no_state, {}), kWebhookNow);
  CHECK(missing.verdict == WebhookVerdict::kReject);
  CHECK(missing.reason == "notification without clientState");
  CHECK(scheme->verify(webhook_post("not json", {}), kWebhookNow).verdict == WebhookVerdict::kReject);
}

TEST_CASE("business-central notifications read as thin events with the subscription's expiry") {
  const auto scheme = make_scheme("business-central", {{"client_state", kState}});
  auto events = scheme->read_events(notification(kState, kCustomer, "updated"));
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  const WebhookEvent& event = events->front();
  CHECK(event.entity == "customers");
  CHECK(event.operation == "update");
  CHECK(event.erp_ids == std::vector<std::string>{"2ad11a2e-4a43-4b5e-a7b5-1e8f0b4d5a34"});
  CHECK(event.occurred_at == "2026-11-22T18:00:00.123Z");
  CHECK(event.subscription_expires_at == "2026-11-25T18:00:00Z");
  CHECK(event.event_id.size() == 64);

  auto deleted = scheme->read_events(notification(kState, "companies(1)/salesInvoices('SI-9')", "deleted"));
  REQUIRE(deleted.has_value());
  CHECK(deleted->front().entity == "salesInvoices");
  CHECK(deleted->front().operation == "delete");
  CHECK(deleted->front().erp_ids == std::vector<std::string>{"SI-9"});

  // "collection": too many changes to list; no ids, so the daemon pulls the entity's delta.
  auto collection =
      scheme->read_events(notification(kState, "api/v2.0/companies(1)/customers", "collection"));
  REQUIRE(collection.has_value());
  CHECK(collection->front().entity == "customers");
  CHECK(collection->front().operation.empty());
  CHECK(collection->front().erp_ids.empty());
}

TEST_CASE("business-central refuses malformed notification bodies") {
  const auto scheme = make_scheme("business-central", {{"client_state", kState}});
  for (const char* body :
       {"{\"value\":[", "[]", R"({"value":{}})", R"({"value":[{"changeType":"updated"}]})"}) {
    auto events = scheme->read_events(body);
    REQUIRE_FALSE(events.has_value());
    CHECK(events.error().kind == ErrorKind::kInvalidInput);
  }
}
