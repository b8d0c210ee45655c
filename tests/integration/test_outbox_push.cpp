// Portal writes reaching the ERP (issue 7): the real `arsync run` takes them on /v1, commits them
// with their outbox items, and pushes them to the real erp-sim. erp-sim runs with
// --no-idempotency wherever it matters, so a payment arsync sent twice would exist twice there:
// /admin/writes counts such duplicates, and the tests require none.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"
#include "tests/integration/support_portal.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string payment_body(const OpenInvoice& inv, std::int64_t minor) {
  const std::string amount = arsync::format_amount(arsync::Money{minor, inv.currency});
  return json{{"customer_id", inv.customer_id},
              {"method", "card"},
              {"reference", "ch_test"},
              {"amount", {{"amount", amount}, {"currency", inv.currency}}},
              {"applications", json::array({{{"invoice_id", inv.id}, {"amount", {{"amount", amount}, {"currency", inv.currency}}}}})}}
      .dump();
}

}  // namespace

TEST_CASE("a portal payment reaches the ERP once, and the ERP's payment comes back linked to it") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "200", "--no-idempotency"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const auto invoices = open_invoices(d, 500, 1);
  REQUIRE(invoices.size() == 1);
  const OpenInvoice& inv = invoices[0];

  const std::string body = payment_body(inv, 300);
  auto first = daemon.post("/v1/payments", body, portal_writer("pay-once-1"));
  INFO(first.body);
  REQUIRE(first.status == 201);
  const std::string portal_id = json::parse(first.body)["id"];
  auto replay = daemon.post("/v1/payments", body, portal_writer("pay-once-1"));
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  auto reused = daemon.post("/v1/payments", payment_body(inv, 200), portal_writer("pay-once-1"));
  CHECK(reused.status == 422);
  CHECK(reused.body.find("IdempotencyKeyReused") != std::string::npos);

  wait_until([&] { return outbox_open(d) == 0; }, 30s, "the outbox to deliver");
  MirrorQuery q(d.mirror());
  CHECK(q.text("SELECT status FROM outbox") == "done");
  const std::string erp_ref = q.text("SELECT erp_ref FROM portal_payments WHERE portal_id = ?", {portal_id});
  CHECK(erp_ref.rfind("PAY-", 0) == 0);
  CHECK(sim_writes(sim)["payments"]["created"] == 1);

  // The next pull brings the ERP's payment (echoing the portal id) and the invoice's new balance.
  wait_until(
      [&] {
        return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM payments WHERE portal_ref = ?", {portal_id}) == 1;
      },
      30s, "the ERP's payment to be pulled");
  wait_until(
      [&] {
        return MirrorQuery(d.mirror()).scalar("SELECT balance FROM invoices WHERE id = ?", {inv.id}) ==
               inv.balance - 300;
      },
      30s, "the invoice's new balance");
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM invoice_pending_payments") == 0);
}

TEST_CASE("portal writes are validated with every bad field named, and nothing is stored") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "200"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const auto invoices = open_invoices(d, 200, 200);
  REQUIRE(invoices.size() >= 2);
  const OpenInvoice& inv = invoices[0];
  const OpenInvoice* other = nullptr;
  for (const auto& i : invoices)
    if (i.customer_id != inv.customer_id && i.currency == inv.currency) other = &i;
  REQUIRE(other);

  auto post = [&](const std::string& path, const json& body, const std::string& key) {
    return daemon.post(path, body.dump(), portal_writer(key));
  };
  auto money = [](std::int64_t minor, const std::string& currency) {
    return json{{"amount", arsync::format_amount(arsync::Money{minor, currency})}, {"currency", currency}};
  };
  SUBCASE("a missing Idempotency-Key is a 400") {
    auto reply = daemon.post("/v1/payments", "{}", {{"Authorization", "Bearer " + kPortalToken}});
    CHECK(reply.status == 400);
    CHECK(reply.body.find("IdempotencyKeyRequired") != std::string::npos);
  }
  SUBCASE("shape: negative amount, unknown method, unknown member, amount as a JSON number") {
    auto reply = post("/v1/payments",
                      {{"customer_id", inv.customer_id},
                       {"method", "bitcoin"},
                       {"amount", {{"amount", "-5.00"}, {"currency", inv.currency}}},
                       {"colour", "blue"},
                       {"applications", json::array({{{"invoice_id", inv.id}, {"amount", {{"amount", 5}, {"currency", inv.currency}}}}})}},
                      "bad-shape");
    INFO(reply.body);
    CHECK(reply.status == 422);
    const json fields = json::parse(reply.body)["error"]["fields"];
    std::set<std::string> named;
    for (const json& f : fields) named.insert(f["field"].get<std::string>());
    CHECK(named == std::set<std::string>{"method", "amount", "colour", "applications[0].amount"});
  }
  SUBCASE("against the mirror: over-application, another customer's invoice, unknown invoice") {
    json applications = json::array();
    applications.push_back({{"invoice_id", inv.id}, {"amount", money(inv.balance + 100, inv.currency)}});
    applications.push_back({{"invoice_id", other->id}, {"amount", money(1, other->currency)}});
    applications.push_back({{"invoice_id", 99999999}, {"amount", money(1, inv.currency)}});
    auto reply = post("/v1/payments",
                      {{"customer_id", inv.customer_id},
                       {"method", "ach"},
                       {"amount", money(inv.balance + 100, inv.currency)},
                       {"applications", applications}},
                      "bad-mirror");
    INFO(reply.body);
    CHECK(reply.status == 422);
    CHECK(reply.body.find("over-application") != std::string::npos);
    CHECK(reply.body.find("no such invoice: 99999999") != std::string::npos);
  }
  SUBCASE("a promise to pay in the past") {
    auto reply = post("/v1/promises-to-pay",
                      {{"customer_id", inv.customer_id},
                       {"promised_date", "2001-01-01"},
                       {"amount", money(100, inv.currency)},
                       {"invoice_ids", {inv.id}}},
                      "promise-past");
    CHECK(reply.status == 422);
    CHECK(reply.body.find("is in the past") != std::string::npos);
  }
  SUBCASE("a dispute marks its invoice; a message and a credit request are kept") {
    CHECK(post("/v1/disputes", {{"invoice_id", inv.id}, {"reason_code", "pricing"}, {"text", "wrong price"}}, "d1").status == 201);
    CHECK(post("/v1/messages", {{"customer_id", inv.customer_id}, {"invoice_id", inv.id}, {"body", "call me"}}, "m1").status == 201);
    CHECK(post("/v1/credit-requests",
               {{"customer_id", inv.customer_id}, {"invoice_id", inv.id}, {"amount", money(100, inv.currency)},
                {"reason_code", "damaged"}},
               "c1").status == 201);
    MirrorQuery q(d.mirror());
    CHECK(q.scalar("SELECT count(*) FROM disputes WHERE invoice_id = ?", {inv.id}) == 1);
    CHECK(q.scalar("SELECT count(*) FROM messages") == 1);
    CHECK(q.scalar("SELECT count(*) FROM credit_requests") == 1);
    return;
  }
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM portal_payments") == 0);
  CHECK(q.scalar("SELECT count(*) FROM outbox") == 0);
  CHECK(q.scalar("SELECT count(*) FROM promises_to_pay") == 0);
}

TEST_CASE("a payment the ERP refuses is parked as failed with the ERP's words; a 429 is retried") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "200"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const auto invoices = open_invoices(d, 200, 1);
  REQUIRE(invoices.size() == 1);
  const OpenInvoice& inv = invoices[0];
  // Unapplied, in a currency that is not the customer's: arsync has no invoice to compare it
  // with, the ERP refuses it (422 CurrencyMismatch).
  const std::string foreign = inv.currency == "EUR" ? "USD" : "EUR";
  json unapplied{{"customer_id", inv.customer_id},
                 {"method", "check"},
                 {"amount", {{"amount", "1.00"}, {"currency", foreign}}}};
  REQUIRE(daemon.post("/v1/payments", unapplied.dump(), portal_writer("refused-1")).status == 201);
  wait_until([&] { return outbox_open(d) == 0; }, 30s, "the refusal");
  MirrorQuery q(d.mirror());
  CHECK(q.text("SELECT status FROM outbox") == "failed");
  INFO(q.text("SELECT last_error FROM outbox"));
  CHECK(q.text("SELECT last_error FROM outbox").find("CurrencyMismatch") != std::string::npos);
  CHECK(q.text("SELECT status FROM portal_payments") == "failed");

  // Every request answered 429 with Retry-After: 1; the item waits, then goes through.
  http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", R"({"rate_429": 1, "retry_after": 1})");
  REQUIRE(daemon.post("/v1/payments", payment_body(inv, 100), portal_writer("limited-1")).status == 201);
  wait_until(
      [&] {
        return MirrorQuery(d.mirror()).text("SELECT coalesce(last_error, '') FROM outbox WHERE idempotency_key IN "
                                            "(SELECT portal_id FROM portal_payments WHERE status = 'pending')")
                   .find("429") != std::string::npos;
      },
      30s, "a 429 to be recorded");
  CHECK(sim_writes(sim)["payments"]["created"] == 0);
  http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", "{}");
  wait_until([&] { return outbox_open(d) == 0; }, 30s, "the delivery after the 429s");
  CHECK(sim_writes(sim)["payments"]["created"] == 1);
  auto list = d.run({"outbox", "list", "--state", "failed"});
  CHECK(list.status.ok());
  CHECK(list.out.find("CurrencyMismatch") != std::string::npos);
}
