// erp-sim's other portal writes (API.md "Writes"): disputes, promises to pay, messages, credit
// requests and customer profile changes, against the real executable: stored, served back as
// collections (delta order, lookup by key), replayed by key, and refused per rule.
#include <doctest/doctest.h>

#include "tests/erpsim/write_helpers.hpp"

namespace {

using namespace arsync::test;
using namespace arsync::test::writes;

std::string usd(int64_t minor) { return decimal(minor, 2); }

// Creates one record, checks the replay and the lookup, and returns it.
json create(const ErpSimProcess& sim, const std::string& collection, const std::string& key, const json& body) {
  const HttpReply created = post(sim, collection, key, body);
  INFO(collection << " " << body.dump() << " -> " << created.body);
  REQUIRE(created.status == 201);
  const HttpReply replay = post(sim, collection, key, body);
  CHECK(replay.status == 201);
  CHECK(replay.body == created.body);
  const json record = parse_exact(created.body);
  const std::vector<json> found = lookup(sim, collection, key);
  REQUIRE(found.size() == 1);
  CHECK(found[0] == record);
  const std::string ref = body.at("portalRef").get<std::string>();
  CHECK(get_json(sim, "/odata/" + collection + "?$filter=portalRef%20eq%20'" + ref + "'").at("value") ==
        json::array({record}));
  CHECK(text(record, "idempotencyKey") == key);
  CHECK(text(record, "portalRef") == body.at("portalRef").get<std::string>());
  return record;
}

std::string refusal(const HttpReply& reply) {
  INFO(reply.body);
  CHECK(reply.status == 422);
  return json::parse(reply.body).at("error").at("code").get<std::string>();
}

}  // namespace

TEST_CASE("disputes, promises to pay, messages and credit requests are stored, replayed and served back") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  const std::string customer = text(invoice, "customerId");
  const std::string invoice_id = text(invoice, "id");
  const int64_t remaining = amount(invoice, "remainingAmount");

  const json dispute = create(sim, "disputes", "d-1",
                              {{"invoiceId", invoice_id}, {"reasonCode", "PRICE"}, {"amount", usd(remaining)},
                               {"currencyCode", "USD"}, {"text", "Billed twice"}, {"portalRef", "disp-1"}});
  CHECK(text(dispute, "id") == "DSP-0000001");
  CHECK(text(dispute, "customerId") == customer);
  CHECK(text(dispute, "invoiceId") == invoice_id);
  CHECK(amount(dispute, "amount") == remaining);
  CHECK(text(dispute, "status") == "Open");
  const json whole = create(sim, "disputes", "d-2",
                            {{"invoiceId", invoice_id}, {"reasonCode", "QUALITY"}, {"text", ""}, {"portalRef", "disp-2"}});
  CHECK(whole.at("amount").is_null());
  CHECK(text(whole, "currencyCode") == "USD");

  const json promise = create(sim, "promisesToPay", "p-1",
                              {{"customerId", customer}, {"promisedDate", "2025-12-20"}, {"amount", 1},
                               {"currencyCode", "USD"}, {"invoiceIds", {invoice_id}}, {"portalRef", "ptp-1"}});
  CHECK(text(promise, "promisedDate") == "2025-12-20");
  CHECK(promise.at("invoiceIds") == json::array({invoice_id}));
  CHECK(amount(promise, "amount") == 100);

  const json message = create(sim, "messages", "m-1",
                              {{"customerId", customer}, {"body", "Please send a copy \"now\""}, {"portalRef", "msg-1"}});
  CHECK(text(message, "body") == "Please send a copy \"now\"");
  CHECK(message.at("invoiceId").is_null());

  const json credit = create(sim, "creditRequests", "c-1",
                             {{"customerId", customer}, {"invoiceId", invoice_id}, {"amount", "5.25"},
                              {"currencyCode", "USD"}, {"reasonCode", "DAMAGED"}, {"text", "Box crushed"},
                              {"portalRef", "crq-1"}});
  CHECK(amount(credit, "amount") == 525);
  CHECK(text(credit, "status") == "Pending");

  // Served as collections in (lastModifiedDateTime, id) order, with delta filters and paging.
  const std::vector<json> disputes = all(sim, "disputes");
  REQUIRE(disputes.size() == 2);
  CHECK(disputes[0] == dispute);
  const json later = get_json(sim, "/odata/disputes?$top=1&$filter=lastModifiedDateTime%20gt%20" +
                                       text(dispute, "lastModifiedDateTime"));
  REQUIRE(later.at("value").size() == 1);
  CHECK(later.at("value")[0] == whole);
  const json first_page = get_json(sim, "/odata/disputes?$top=1");
  REQUIRE(first_page.contains("@odata.nextLink"));
  const std::string next = first_page["@odata.nextLink"].get<std::string>().substr(sim.base_url().size());
  CHECK(get_json(sim, next).at("value") == json::array({whole}));
  CHECK(all(sim, "promisesToPay") == std::vector<json>{promise});
  CHECK(all(sim, "messages") == std::vector<json>{message});
  CHECK(all(sim, "creditRequests") == std::vector<json>{credit});
  CHECK(text(dispute, "lastModifiedDateTime") < text(credit, "lastModifiedDateTime"));

  const json writes = admin_writes(sim);
  for (const char* collection : {"promisesToPay", "messages", "creditRequests"}) {
    CAPTURE(collection);
    CHECK(exact_integer(writes[collection]["created"]) == 1);
    CHECK(exact_integer(writes[collection]["replayed"]) == 1);
  }
  CHECK(exact_integer(writes["disputes"]["created"]) == 2);
  // These writes change no balance.
  CHECK(amount(find_invoice(sim, [&](const json& i) { return text(i, "id") == invoice_id; }), "remainingAmount") ==
        remaining);
}

TEST_CASE("portal writes are refused per rule with the member at fault") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  const std::string customer = text(invoice, "customerId");
  const std::string invoice_id = text(invoice, "id");
  const int64_t remaining = amount(invoice, "remainingAmount");
  const json foreign = find_invoice(sim, [&](const json& i) { return text(i, "customerId") != customer; });
  const json voided = find_invoice(sim, [](const json& i) { return text(i, "status") == "Canceled"; });
  const json promise{{"customerId", customer}, {"promisedDate", "2025-12-20"}, {"amount", "1.00"},
                     {"currencyCode", "USD"}, {"invoiceIds", {invoice_id}}, {"portalRef", "p"}};
  int n = 0;
  const auto refused = [&](const std::string& collection, const json& body) {
    return refusal(post(sim, collection, "bad-" + std::to_string(++n), body));
  };
  const auto changed = [](json body, const std::string& member, const json& value) {
    body[member] = value;
    return body;
  };

  CHECK(refused("disputes", {{"invoiceId", "INV-9999999"}, {"reasonCode", "X"}, {"text", ""}, {"portalRef", "d"}}) ==
        "UnknownInvoice");
  CHECK(refused("disputes", {{"invoiceId", text(voided, "id")}, {"reasonCode", "X"}, {"text", ""}, {"portalRef", "d"}}) ==
        "InvoiceVoided");
  CHECK(refused("disputes", {{"invoiceId", invoice_id}, {"reasonCode", "X"}, {"amount", usd(remaining + 1)},
                             {"currencyCode", "USD"}, {"text", ""}, {"portalRef", "d"}}) == "AmountExceedsRemaining");
  CHECK(refused("disputes", {{"invoiceId", invoice_id}, {"reasonCode", "X"}, {"amount", "1.00"},
                             {"currencyCode", "EUR"}, {"text", ""}, {"portalRef", "d"}}) == "CurrencyMismatch");
  CHECK(refused("disputes", {{"invoiceId", invoice_id}, {"reasonCode", "X"}, {"amount", "1.00"}, {"text", ""},
                             {"portalRef", "d"}}) == "MissingField");
  CHECK(refused("promisesToPay", changed(promise, "customerId", "CUST-999999")) == "UnknownCustomer");
  CHECK(refused("promisesToPay", changed(promise, "invoiceIds", {invoice_id, text(foreign, "id")})) ==
        "InvoiceOfAnotherCustomer");
  CHECK(refused("promisesToPay", changed(promise, "invoiceIds", {invoice_id, invoice_id})) == "DuplicateInvoice");
  CHECK(refused("promisesToPay", changed(promise, "invoiceIds", json::array())) == "InvalidField");
  CHECK(refused("promisesToPay", changed(promise, "amount", "-1")) == "NonPositiveAmount");
  CHECK(refused("promisesToPay", changed(promise, "amount", "1.001")) == "InvalidAmount");
  CHECK(refused("promisesToPay", changed(promise, "promisedDate", "20/12/2025")) == "InvalidField");
  CHECK(refused("messages", {{"customerId", customer}, {"body", ""}, {"portalRef", "m"}}) == "InvalidField");
  CHECK(refused("messages", {{"customerId", customer}, {"invoiceId", text(foreign, "id")}, {"body", "hi"},
                             {"portalRef", "m"}}) == "InvoiceOfAnotherCustomer");
  CHECK(refused("creditRequests", {{"customerId", customer}, {"invoiceId", invoice_id}, {"amount", "1"},
                                   {"currencyCode", "JPY"}, {"reasonCode", "X"}, {"text", ""}, {"portalRef", "c"}}) ==
        "CurrencyMismatch");
  CHECK(refused("creditRequests",
                {{"customerId", customer}, {"invoiceId", invoice_id}, {"amount", usd(amount(invoice, "totalAmountIncludingTax") + 1)},
                 {"currencyCode", "USD"}, {"reasonCode", "X"}, {"text", ""}, {"portalRef", "c"}}) == "AmountExceedsInvoice");

  const json writes = admin_writes(sim);
  for (const char* collection : {"disputes", "promisesToPay", "messages", "creditRequests"}) {
    CAPTURE(collection);
    CHECK(exact_integer(writes[collection]["created"]) == 0);
    CHECK(all(sim, collection).empty());
  }
  CHECK(exact_integer(writes["promisesToPay"]["rejected"]) == 7);
}

TEST_CASE("a customer PATCH changes the profile and lastModifiedDateTime in later GETs; a replay answers the same") {
  ErpSimProcess sim(kCompany);
  const json before = all(sim, "customers").at(2);
  const std::string id = text(before, "id");
  const std::string patch = R"({"email":"billing@new.example","address":{"city":"Dayton","postalCode":"45402"},"portalRef":"prof-1"})";
  const HttpReply updated = send(sim, "PATCH", "/odata/customers('" + id + "')", "u-1", patch);
  INFO(updated.body);
  REQUIRE(updated.status == 200);
  const json customer = parse_exact(updated.body);
  CHECK(text(customer, "email") == "billing@new.example");
  CHECK(text(customer.at("address"), "city") == "Dayton");
  CHECK(text(customer.at("address"), "postalCode") == "45402");
  CHECK(customer.at("address").at("street") == before.at("address").at("street"));
  CHECK(customer.at("phoneNumber") == before.at("phoneNumber"));
  CHECK(text(customer, "lastModifiedDateTime") > text(before, "lastModifiedDateTime"));

  const std::vector<json> changed = get_json(sim, "/odata/customers?$filter=lastModifiedDateTime%20ge%20" +
                                                      text(customer, "lastModifiedDateTime"))
                                        .at("value")
                                        .get<std::vector<json>>();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0] == customer);
  CHECK(lookup(sim, "customers", "u-1") == std::vector<json>{customer});

  // The other URL form, same key and body: a replay; another body with that key: refused.
  const HttpReply replay = send(sim, "PATCH", "/odata/customers('" + id + "')", "u-1", patch);
  CHECK(replay.status == 200);
  CHECK(replay.body == updated.body);
  CHECK(refusal(send(sim, "PATCH", "/odata/customers/" + id, "u-1", R"({"phoneNumber":"+1 555 0199"})")) ==
        "IdempotencyKeyReused");
  const HttpReply phone = send(sim, "PATCH", "/odata/customers/" + id, "u-2", R"({"phoneNumber":"+1 555 0199"})");
  REQUIRE(phone.status == 200);
  CHECK(text(parse_exact(phone.body), "phoneNumber") == "+1 555 0199");
  CHECK(text(parse_exact(phone.body), "email") == "billing@new.example");

  CHECK(send(sim, "PATCH", "/odata/customers('CUST-999999')", "u-3", patch).status == 404);
  CHECK(refusal(send(sim, "PATCH", "/odata/customers/" + id, "u-4", R"({"displayName":"X"})")) == "UnknownField");
  CHECK(refusal(send(sim, "PATCH", "/odata/customers/" + id, "u-5", R"({"email":"no-at-sign"})")) == "InvalidField");
  CHECK(refusal(send(sim, "PATCH", "/odata/customers/" + id, "u-6", R"({})")) == "MissingField");
  CHECK(send(sim, "POST", "/odata/customers", "u-7", patch).status == 405);
  CHECK(send(sim, "GET", "/odata/customers('" + id + "')", "", "").status == 405);
  const json writes = admin_writes(sim);
  CHECK(exact_integer(writes["customers"]["created"]) == 2);
  CHECK(exact_integer(writes["customers"]["replayed"]) == 1);
}
