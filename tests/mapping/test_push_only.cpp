// Push-only entities (disputes, promises to pay, messages, credit requests): what the portal
// creates and the ERP only receives. Their mappings are a push: section alone; the demo's
// render exactly the bodies erp-sim's write contract takes (tools/erp-sim/API.md, "Writes").
#include <doctest/doctest.h>

#include <string>

#include "mapping/mapping.hpp"
#include "mapping/record.hpp"
#include "tests/mapping/entity_text.hpp"

using namespace arsync;
using arsync::test::load_problems;

namespace {

const std::string kDemo = std::string(ARSYNC_SOURCE_DIR) + "/etc/mappings/demo/";

Entity make(std::string_view kind, std::initializer_list<std::pair<std::string_view, Value>> values) {
  Entity e(find_entity(kind));
  REQUIRE(e.spec);
  for (const auto& [field, value] : values) e.set(field, value);
  return e;
}

std::string rendered(const std::string& file, const Entity& entity) {
  auto mapping = Mapping::load(kDemo + file);
  REQUIRE(mapping);
  CHECK_FALSE(mapping->pulls());
  auto body = mapping->push(entity);
  REQUIRE_MESSAGE(body.has_value(), body.error().describe());
  CHECK(body->content_type == "application/json");
  return body->body;
}

}  // namespace

TEST_CASE("the demo's dispute, promise, message and credit request mappings render erp-sim's bodies") {
  using S = std::string;
  const Money usd{1050, "USD"};
  CHECK(rendered("disputes.yaml", make("dispute", {{"portal_ref", S("dsp_1")},
                                                   {"customer", S("CUST-000001")},
                                                   {"invoice", S("INV-0000007")},
                                                   {"reason_code", S("pricing")},
                                                   {"currency", S("USD")},
                                                   {"amount", usd},
                                                   {"text", S("")}})) ==
        R"({"invoiceId":"INV-0000007","reasonCode":"pricing","amount":10.50,"currencyCode":"USD","text":"",)"
        R"("portalRef":"dsp_1"})");
  // A whole-invoice dispute has no amount and no currency: both are left out.
  CHECK(rendered("disputes.yaml", make("dispute", {{"portal_ref", S("dsp_2")},
                                                   {"customer", S("CUST-000001")},
                                                   {"invoice", S("INV-0000007")},
                                                   {"reason_code", S("damaged")},
                                                   {"text", S("broken")}})) ==
        R"({"invoiceId":"INV-0000007","reasonCode":"damaged","text":"broken","portalRef":"dsp_2"})");

  Entity promise = make("promise_to_pay", {{"portal_ref", S("ptp_1")},
                                           {"customer", S("CUST-000003")},
                                           {"promised_date", S("2026-12-31")},
                                           {"currency", S("JPY")},
                                           {"amount", Money{1200, "JPY"}}});
  for (const char* invoice : {"INV-0000003", "INV-0000011"}) {
    Entity covered(promise.spec->children[0].entity);
    covered.set("invoice", S(invoice));
    promise.children[0].push_back(std::move(covered));
  }
  CHECK(rendered("promises_to_pay.yaml", promise) ==
        R"({"customerId":"CUST-000003","promisedDate":"2026-12-31","amount":1200,"currencyCode":"JPY",)"
        R"("invoiceIds":["INV-0000003","INV-0000011"],"portalRef":"ptp_1"})");

  CHECK(rendered("messages.yaml", make("message", {{"portal_ref", S("msg_1")},
                                                   {"customer", S("CUST-000001")},
                                                   {"body", S("call me \"today\"")}})) ==
        R"({"customerId":"CUST-000001","body":"call me \"today\"","portalRef":"msg_1"})");

  CHECK(rendered("credit_requests.yaml", make("credit_request", {{"portal_ref", S("crq_1")},
                                                                 {"customer", S("CUST-000004")},
                                                                 {"invoice", S("INV-0000004")},
                                                                 {"currency", S("KWD")},
                                                                 {"amount", Money{12345, "KWD"}},
                                                                 {"reason_code", S("goodwill")},
                                                                 {"text", S("")}})) ==
        R"({"customerId":"CUST-000004","invoiceId":"INV-0000004","amount":12.345,"currencyCode":"KWD",)"
        R"("reasonCode":"goodwill","text":"","portalRef":"crq_1"})");
}

TEST_CASE("a push-only mapping is a push: section alone, and reads nothing from the ERP") {
  CHECK(load_problems("entity: message\npush:\n  body:\n    b: { field: body }\n") == "");
  CHECK(load_problems("entity: message\nfields:\n  body: text\npush:\n  body:\n    b: { field: body }\n") ==
        "t.yaml:2:1: unknown key 'fields'; a message is only sent to the ERP, so its mapping has entity, "
        "description, push\n");
  CHECK(load_problems("entity: dispute\ndescription: x\n") ==
        "t.yaml:1:1: a dispute mapping needs push: (the ERP request that creates it)\n");
  CHECK(load_problems("entity: dispute\npush:\n  body:\n    r: { field: reason }\n").find(
            "push: unknown field 'reason' for dispute") != std::string::npos);
  // The child collection of a promise, and no entity named like a child.
  CHECK(load_problems("entity: promise_invoice\npush:\n  body: { i: { field: invoice } }\n").find("unknown entity") !=
        std::string::npos);

  auto m = Mapping::parse("entity: message\npush:\n  body:\n    b: { field: body }\n", "t.yaml");
  REQUIRE(m);
  Record record;
  auto mapped = m->map(record);
  REQUIRE_FALSE(mapped.has_value());
  CHECK(mapped.error().message == "a message mapping only pushes; it reads nothing from the ERP");
}
