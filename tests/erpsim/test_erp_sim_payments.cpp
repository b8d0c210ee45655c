// erp-sim's payment writes (API.md "Writes"), against the real executable: idempotency,
// every validation rule, lookups by key, balances in the next delta page and /admin/stats,
// and the write faults (honor_idempotency, drop_after_commit, injected errors).
#include <doctest/doctest.h>

#include <future>
#include <map>
#include <set>

#include "tests/erpsim/write_helpers.hpp"

namespace {

using namespace arsync::test;
using namespace arsync::test::writes;

int64_t stat(const json& stats, const char* collection, const char* sum, const std::string& currency) {
  const json& sums = stats.at(collection).at(sum);
  if (!sums.contains(currency)) return 0;
  return decimal_to_minor(sums.at(currency).get<std::string>(), exponent_of(currency));
}

int64_t counter(const json& writes, const char* collection, const char* name) {
  return exact_integer(writes.at(collection).at(name));
}

json invoice_by_id(const std::vector<json>& records, const std::string& id) {
  for (const json& record : records)
    if (record.contains("id") && text(record, "id") == id) return record;
  FAIL("no record " << id);
  return {};
}

}  // namespace

TEST_CASE("a payment is created once: a replay answers the same bytes, a reused key with another body is refused") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  const std::string currency = text(invoice, "currencyCode");
  const int64_t remaining = amount(invoice, "remainingAmount");
  const json stats_before = get_json(sim, "/admin/stats");

  // Part of the balance, plus 1 minor unit left unapplied.
  const int64_t applied = remaining / 2;
  const json body = payment_body(invoice, applied + 1, applied, "portal-pay-1");
  const HttpReply created = post(sim, "payments", "key-1", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const json payment = parse_exact(created.body);
  CHECK(text(payment, "id").starts_with("PAY-"));
  CHECK(text(payment, "customerId") == text(invoice, "customerId"));
  CHECK(amount(payment, "amount") == applied + 1);
  CHECK(amount(payment, "unappliedAmount") == 1);
  CHECK(text(payment, "idempotencyKey") == "key-1");
  CHECK(text(payment, "portalRef") == "portal-pay-1");
  CHECK(text(payment.at("applications").at(0), "invoiceId") == text(invoice, "id"));

  const HttpReply replay = post(sim, "payments", "key-1", body);
  CHECK(replay.status == 201);
  CHECK(replay.body == created.body);
  json other = body;
  other["amount"] = decimal(applied + 2, exponent_of(currency));
  const HttpReply reused = post(sim, "payments", "key-1", other);
  CHECK(reused.status == 422);
  CHECK(json::parse(reused.body)["error"]["code"] == "IdempotencyKeyReused");

  const json writes = admin_writes(sim);
  CHECK(counter(writes, "payments", "created") == 1);
  CHECK(counter(writes, "payments", "replayed") == 1);
  CHECK(counter(writes, "payments", "rejected") == 1);

  // GET serves it exactly as it was answered, and the next delta pull shows the new balance.
  const std::string since = text(payment, "lastModifiedDateTime");
  const std::vector<json> payments = get_json(sim, "/odata/payments?$filter=lastModifiedDateTime%20ge%20" + since)
                                         .at("value")
                                         .get<std::vector<json>>();
  REQUIRE(payments.size() == 1);
  CHECK(payments[0] == payment);
  const std::vector<json> changed = get_json(sim, "/odata/invoices?$filter=lastModifiedDateTime%20ge%20" + since)
                                        .at("value")
                                        .get<std::vector<json>>();
  REQUIRE(changed.size() == 1);
  CHECK(amount(changed[0], "remainingAmount") == remaining - applied);
  CHECK(text(changed[0], "status") == "Partially Paid");
  CHECK(text(changed[0], "lastModifiedDateTime") == since);

  const json stats = get_json(sim, "/admin/stats");
  CHECK(exact_integer(stats["payments"]["count"]) == exact_integer(stats_before["payments"]["count"]) + 1);
  CHECK(stat(stats, "payments", "amount", currency) == stat(stats_before, "payments", "amount", currency) + applied + 1);
  CHECK(stat(stats, "payments", "unapplied", currency) == stat(stats_before, "payments", "unapplied", currency) + 1);
  CHECK(stat(stats, "invoices", "remaining", currency) ==
        stat(stats_before, "invoices", "remaining", currency) - applied);

  // Paying the rest makes it Paid, with a later time.
  const HttpReply rest = post(sim, "payments", "key-2", payment_body(invoice, remaining - applied, remaining - applied, "portal-pay-2"));
  REQUIRE(rest.status == 201);
  const json paid = invoice_by_id(all(sim, "invoices"), text(invoice, "id"));
  CHECK(amount(paid, "remainingAmount") == 0);
  CHECK(text(paid, "status") == "Paid");
  CHECK(text(paid, "lastModifiedDateTime") > since);
  CHECK(stat(get_json(sim, "/admin/stats"), "invoices", "remaining", currency) ==
        stat(stats_before, "invoices", "remaining", currency) - remaining);
}

TEST_CASE("every payment validation rule answers 422 with its code and the member at fault; nothing is written") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  const std::string customer = text(invoice, "customerId");
  const std::string currency = text(invoice, "currencyCode");
  const int exponent = exponent_of(currency);
  const int64_t remaining = amount(invoice, "remainingAmount");
  const json foreign = find_invoice(sim, [&](const json& i) { return text(i, "customerId") != customer && open_usd(i); });
  const json voided = find_invoice(sim, [](const json& i) { return text(i, "status") == "Canceled"; });
  const json stats_before = get_json(sim, "/admin/stats");
  const json base = payment_body(invoice, remaining, remaining, "ref");

  struct Case {
    const char* what;
    json body;
    const char* code;
    const char* target;
  };
  auto with = [&](const json::json_pointer& where, const json& value) {
    json body = base;
    body[where] = value;
    return body;
  };
  json own_voided = payment_body(voided, 100, 100, "ref");
  json too_many = base;
  too_many["applications"][0]["amount"] = decimal(remaining + 1, exponent);
  too_many["amount"] = decimal(remaining + 1, exponent);
  json missing = base;
  missing.erase("portalRef");
  json unknown_member = base;
  unknown_member["memo"] = "x";
  const std::vector<Case> cases = {
      {"unknown customer", with("/customerId"_json_pointer, "CUST-999999"), "UnknownCustomer", "customerId"},
      {"unknown invoice", with("/applications/0/invoiceId"_json_pointer, "INV-9999999"), "UnknownInvoice",
       "applications[0].invoiceId"},
      {"invoice of another customer", with("/applications/0/invoiceId"_json_pointer, text(foreign, "id")),
       "InvoiceOfAnotherCustomer", "applications[0].invoiceId"},
      {"currency mismatch", with("/currencyCode"_json_pointer, currency == "EUR" ? "USD" : "EUR"), "CurrencyMismatch",
       "currencyCode"},
      {"beyond the remaining amount", too_many, "ApplicationExceedsRemaining", "applications[0].amount"},
      {"applications over the amount", with("/amount"_json_pointer, decimal(remaining - 1, exponent)),
       "ApplicationsExceedAmount", "applications"},
      {"zero amount", with("/amount"_json_pointer, 0), "NonPositiveAmount", "amount"},
      {"negative application", with("/applications/0/amount"_json_pointer, "-1"), "NonPositiveAmount",
       "applications[0].amount"},
      {"voided invoice", own_voided, "InvoiceVoided", "applications[0].invoiceId"},
      {"excess precision", with("/amount"_json_pointer, decimal(remaining, exponent) + "1"), "InvalidAmount", "amount"},
      {"exponent notation", with("/amount"_json_pointer, "1e3"), "InvalidAmount", "amount"},
      {"unknown currency", with("/currencyCode"_json_pointer, "GBP"), "UnknownCurrency", "currencyCode"},
      {"missing member", missing, "MissingField", "portalRef"},
      {"unknown member", unknown_member, "UnknownField", "memo"},
      {"bad date", with("/paymentDate"_json_pointer, "2025-02-30"), "InvalidField", "paymentDate"},
      {"bad method", with("/paymentMethod"_json_pointer, "Bitcoin"), "InvalidField", "paymentMethod"},
      {"amount of the wrong type", with("/amount"_json_pointer, true), "InvalidField", "amount"},
  };
  int n = 0;
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const HttpReply reply = post(sim, "payments", "bad-" + std::to_string(++n), c.body);
    INFO(reply.body);
    CHECK(reply.status == 422);
    const json error = json::parse(reply.body).at("error");
    CHECK(error.at("code") == c.code);
    CHECK(error.at("target") == c.target);
    CHECK_FALSE(error.at("message").get<std::string>().empty());
  }
  // A float amount with the currency's exact decimals is fine; the same text with one more is not.
  const std::string exact = "{\"customerId\":\"" + customer + "\",\"paymentDate\":\"2025-12-02\",\"paymentMethod\":\"ACH\"," +
                            "\"reference\":\"\",\"portalRef\":\"r\",\"currencyCode\":\"" + currency + "\",\"amount\":";
  CHECK(send(sim, "POST", "/odata/payments", "num-1", exact + decimal(7, exponent) + "0}").status == 422);
  CHECK(send(sim, "POST", "/odata/payments", "num-2", exact + decimal(7, exponent) + "}").status == 201);

  CHECK(send(sim, "POST", "/odata/payments", "", base.dump()).status == 400);
  CHECK(json::parse(send(sim, "POST", "/odata/payments", "", base.dump()).body)["error"]["code"] == "IdempotencyKeyRequired");
  CHECK(send(sim, "POST", "/odata/payments", "k", "{not json").status == 400);
  CHECK(send(sim, "POST", "/odata/payments", "k", base.dump(), {{"Content-Type", "text/plain"}}).status == 415);
  CHECK(send(sim, "POST", "/odata/invoices", "k", base.dump()).status == 405);

  const json stats = get_json(sim, "/admin/stats");
  CHECK(exact_integer(stats["payments"]["count"]) == exact_integer(stats_before["payments"]["count"]) + 1);
  CHECK(stats["invoices"] == stats_before["invoices"]);
  CHECK(counter(admin_writes(sim), "payments", "created") == 1);
}

TEST_CASE("a lookup by Idempotency-Key finds the payment written with it and nothing else") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  const std::string key = "O''Brien-7";  // an OData literal: '' is one quote
  const HttpReply created = post(sim, "payments", "O'Brien-7", payment_body(invoice, 100, 100, "p-1"));
  REQUIRE(created.status == 201);
  const std::vector<json> found = lookup(sim, "payments", key);
  REQUIRE(found.size() == 1);
  CHECK(found[0] == parse_exact(created.body));
  CHECK(lookup(sim, "payments", "never-used").empty());
  // The natural key (for clients of ERPs without idempotency support): portalRef.
  const json by_ref = get_json(sim, "/odata/payments?$filter=portalRef%20eq%20'p-1'");
  CHECK(by_ref.at("value") == json::array({found[0]}));
  CHECK(get_json(sim, "/odata/payments?$filter=portalRef%20eq%20'p-2'").at("value").empty());
  CHECK(lookup(sim, "invoices", key).empty());
  const HttpReply bad = http_request("GET", "127.0.0.1", sim.port(), "/odata/payments?$filter=idempotencyKey%20eq%20'a'b'");
  CHECK(bad.status == 400);
}

TEST_CASE("concurrent POSTs with one key create exactly one payment") {
  ErpSimProcess sim({"--seed", "11", "--customers", "30", "--invoices", "400", "--threads", "4"});
  const json invoice = find_invoice(sim, open_usd);
  const json body = payment_body(invoice, 100, 100, "p-race");
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 8; ++i)
    replies.push_back(std::async(std::launch::async, [&] { return post(sim, "payments", "race", body); }));
  std::set<std::string> bodies;
  for (auto& reply : replies) {
    const HttpReply r = reply.get();
    CHECK(r.status == 201);
    bodies.insert(r.body);
  }
  CHECK(bodies.size() == 1);
  const json writes = admin_writes(sim);
  CHECK(counter(writes, "payments", "created") == 1);
  CHECK(counter(writes, "payments", "replayed") == 7);
  CHECK(amount(invoice_by_id(all(sim, "invoices"), text(invoice, "id")), "remainingAmount") ==
        amount(invoice, "remainingAmount") - 100);
}

TEST_CASE("honor_idempotency=false creates a payment per POST and /admin/writes lists the duplicated portalRef") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  set_faults(sim, {{"honor_idempotency", false}});
  const json body = payment_body(invoice, 10, 10, "dup-ref");
  const HttpReply first = post(sim, "payments", "same-key", body);
  const HttpReply second = post(sim, "payments", "same-key", body);
  REQUIRE(first.status == 201);
  REQUIRE(second.status == 201);
  CHECK(text(parse_exact(first.body), "id") != text(parse_exact(second.body), "id"));
  CHECK(post(sim, "payments", "other-key", payment_body(invoice, 10, 10, "single-ref")).status == 201);
  const json writes = admin_writes(sim);
  CHECK(counter(writes, "payments", "created") == 3);
  CHECK(counter(writes, "payments", "duplicateCreations") == 1);
  CHECK(writes["payments"]["duplicatePortalRefs"] == json::array({"dup-ref"}));
  // Both lookups name the first payment made with the key or the portalRef.
  CHECK(lookup(sim, "payments", "same-key") == std::vector<json>{parse_exact(first.body)});
  CHECK(get_json(sim, "/odata/payments?$filter=portalRef%20eq%20'dup-ref'").at("value") ==
        json::array({parse_exact(first.body)}));
  CHECK(amount(invoice_by_id(all(sim, "invoices"), text(invoice, "id")), "remainingAmount") ==
        amount(invoice, "remainingAmount") - 30);
  // Honoured again: the key replays its first payment.
  set_faults(sim, json::object());
  CHECK(post(sim, "payments", "same-key", body).body == first.body);
}

TEST_CASE("drop_after_commit closes the connection without an answer, but the payment exists") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  set_faults(sim, {{"drop_after_commit_rate", 1}});
  const json body = payment_body(invoice, 100, 100, "dropped");
  CHECK_THROWS_WITH_AS(post(sim, "payments", "drop-1", body), doctest::Contains("no response"), std::runtime_error);
  const std::vector<json> found = lookup(sim, "payments", "drop-1");
  REQUIRE(found.size() == 1);
  CHECK(text(found[0], "portalRef") == "dropped");
  // A replay is not a new commit, so it is answered even with the fault on.
  const HttpReply replay = post(sim, "payments", "drop-1", body);
  CHECK(replay.status == 201);
  CHECK(parse_exact(replay.body) == found[0]);
  CHECK(counter(admin_writes(sim), "payments", "created") == 1);
}

TEST_CASE("an injected 500 or 429 on a write commits nothing") {
  ErpSimProcess sim(kCompany);
  const json invoice = find_invoice(sim, open_usd);
  set_faults(sim, {{"error_rate", 0.5}, {"rate_429", 0.5}});
  for (int i = 0; i < 10; ++i) {
    const HttpReply reply = post(sim, "payments", "f-" + std::to_string(i), payment_body(invoice, 100, 100, "f"));
    CHECK((reply.status == 500 || reply.status == 503 || reply.status == 429));
  }
  set_faults(sim, json::object());
  CHECK(counter(admin_writes(sim), "payments", "created") == 0);
  CHECK(lookup(sim, "payments", "f-0").empty());
}

TEST_CASE("the write faults can be set on the command line and are reported by GET /admin/faults") {
  ErpSimProcess sim({"--invoices", "40", "--no-idempotency", "--drop-after-commit-rate", "0.25"});
  const json faults = json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/faults").body);
  CHECK(faults["honor_idempotency"] == false);
  CHECK(faults["drop_after_commit_rate"] == 0.25);
  const HttpReply bad = http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", R"({"honor_idempotency":1})");
  CHECK(bad.status == 400);
}

TEST_CASE("with --webhook-url a committed payment announces itself and its invoice; a replay announces nothing") {
  std::vector<std::string> flags = kCompany;
  flags.insert(flags.end(), {"--webhook-url", "http://127.0.0.1:9/hooks"});  // nobody listens: deliveries fail
  ErpSimProcess sim(flags);
  const json invoice = find_invoice(sim, open_usd);
  const json body = payment_body(invoice, 100, 100, "hooked");
  REQUIRE(post(sim, "payments", "h-1", body).status == 201);
  REQUIRE(post(sim, "payments", "h-1", body).status == 201);
  CHECK(exact_integer(get_json(sim, "/admin/webhooks").at("sent")) == 2);
  REQUIRE(send(sim, "PATCH", "/odata/customers/" + text(invoice, "customerId"), "h-2", R"({"phoneNumber":"1"})").status ==
          200);
  CHECK(exact_integer(get_json(sim, "/admin/webhooks").at("sent")) == 3);
}

// The protocol a correct client follows (arsync's outbox): on an answer, done or retry; on no
// answer, look the key up before sending again.
TEST_CASE("1,000 payments under dropped answers and injected errors land exactly once with exact balances") {
  ErpSimProcess sim(kCompany);
  std::vector<json> invoices;
  for (const json& invoice : all(sim, "invoices"))
    if (invoice.contains("id") && open_usd(invoice)) invoices.push_back(invoice);
  REQUIRE(invoices.size() >= 10);
  const json stats_before = get_json(sim, "/admin/stats");
  set_faults(sim, {{"drop_after_commit_rate", 0.3}, {"error_rate", 0.1}, {"rate_429", 0.1}, {"retry_after", 0}});
  std::map<std::string, int64_t> applied;  // invoice id -> minor units paid
  int dropped = 0, lookups_found = 0;
  for (int n = 0; n < 1000; ++n) {
    const json& invoice = invoices[n % invoices.size()];
    const std::string key = "bulk-" + std::to_string(n);
    const json body = payment_body(invoice, 3, 1, "bulk-ref-" + std::to_string(n));
    for (int attempt = 0;; ++attempt) {
      REQUIRE(attempt < 100);
      try {
        const HttpReply reply = post(sim, "payments", key, body);
        if (reply.status == 201) break;
        REQUIRE((reply.status == 500 || reply.status == 503 || reply.status == 429));
      } catch (const std::runtime_error&) {
        ++dropped;
        // Lookups are reads: they may meet an injected error too, so ask until one answers.
        HttpReply found;
        do found = http_request("GET", "127.0.0.1", sim.port(), "/odata/payments?$filter=idempotencyKey%20eq%20'" + key + "'");
        while (found.status != 200);
        if (!parse_exact(found.body).at("value").empty()) {
          ++lookups_found;
          break;
        }
      }
    }
    applied[text(invoice, "id")] += 1;
  }
  set_faults(sim, json::object());
  CHECK(dropped > 100);
  CHECK(lookups_found == dropped);  // every dropped answer was a committed payment

  const json writes = admin_writes(sim);
  CHECK(counter(writes, "payments", "created") == 1000);
  CHECK(counter(writes, "payments", "duplicateCreations") == 0);
  const std::vector<json> served = all(sim, "invoices");
  for (const json& invoice : invoices) {
    const json now = invoice_by_id(served, text(invoice, "id"));
    CHECK(amount(now, "remainingAmount") == amount(invoice, "remainingAmount") - applied[text(invoice, "id")]);
  }
  const json stats = get_json(sim, "/admin/stats");
  CHECK(stat(stats, "payments", "amount", "USD") == stat(stats_before, "payments", "amount", "USD") + 3000);
  CHECK(stat(stats, "payments", "unapplied", "USD") == stat(stats_before, "payments", "unapplied", "USD") + 2000);
  CHECK(stat(stats, "invoices", "remaining", "USD") == stat(stats_before, "invoices", "remaining", "USD") - 1000);
}
