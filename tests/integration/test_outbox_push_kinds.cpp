// Disputes, promises to pay, messages and credit requests reach the ERP (issue 7): each is
// posted on the real `arsync run`'s portal API, pushed by its outbox through the demo's
// push-only mappings to the real erp-sim, and must exist there exactly once, with the ERP's id
// recorded on the portal object. erp-sim runs with --no-idempotency, so a second delivery
// would be a second record (counted by /admin/writes as a duplicate creation).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/integration/support_portal.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A portal write of one kind, and where its portal object and the ERP's record live.
struct Kind {
  std::string route, table, collection, erp_prefix;
  json body;
};

// YYYY-MM-DD a month from today (UTC): a promise may not be in the past.
std::string in_a_month() {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                                        std::chrono::days(30)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return text;
}

std::vector<Kind> one_of_each(const OpenInvoice& inv) {
  return {
      {"/v1/disputes", "disputes", "disputes", "DSP-",
       {{"invoice_id", inv.id}, {"reason_code", "pricing"}, {"amount", money_json(100, inv.currency)},
        {"text", "unit price is not the quoted one"}}},
      {"/v1/promises-to-pay", "promises_to_pay", "promisesToPay", "PTP-",
       {{"customer_id", inv.customer_id}, {"promised_date", in_a_month()},
        {"amount", money_json(100, inv.currency)}, {"invoice_ids", {inv.id}}}},
      {"/v1/messages", "messages", "messages", "MSG-",
       {{"customer_id", inv.customer_id}, {"invoice_id", inv.id}, {"body", "please call me about this invoice"}}},
      {"/v1/credit-requests", "credit_requests", "creditRequests", "CRQ-",
       {{"customer_id", inv.customer_id}, {"amount", money_json(100, inv.currency)}, {"reason_code", "goodwill"}}},
  };
}

// erp-sim's record made with `key` (its look-up by idempotency key), or null.
json sim_lookup(const ErpSimProcess& sim, const std::string& collection, const std::string& key) {
  auto reply = http_request("GET", "127.0.0.1", sim.port(),
                            "/odata/" + collection + "?$filter=idempotencyKey%20eq%20%27" + key + "%27");
  REQUIRE(reply.status == 200);
  const json page = json::parse(reply.body);
  return page["value"].empty() ? json() : page["value"][0];
}

// Posts one of each kind (twice each: the replay must create nothing) and checks that every one
// reached the ERP exactly once, its outbox item done with the ERP's id, which the portal
// object carries too.
void post_and_check(Daemon& daemon, const SyncDeployment& d, const ErpSimProcess& sim, const OpenInvoice& inv,
                    const std::string& round) {
  std::vector<std::string> portal_ids;
  for (const Kind& kind : one_of_each(inv)) {
    const std::string key = round + "-" + kind.table;
    auto first = daemon.post(kind.route, kind.body.dump(), portal_writer(key));
    INFO(kind.route << ": " << first.body);
    REQUIRE(first.status == 201);
    CHECK(daemon.post(kind.route, kind.body.dump(), portal_writer(key)).body == first.body);
    portal_ids.push_back(json::parse(first.body)["id"]);
  }
  wait_until([&] { return outbox_open(d) == 0; }, 60s, "the outbox to deliver every kind");
  MirrorQuery q(d.mirror());
  const json writes = sim_writes(sim);
  const auto kinds = one_of_each(inv);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const Kind& kind = kinds[i];
    const std::string& portal_id = portal_ids[i];
    INFO(kind.table << " " << portal_id << ": " << q.text("SELECT coalesce(last_error, '') FROM outbox WHERE idempotency_key = ?", {portal_id}));
    CHECK(q.text("SELECT status FROM outbox WHERE idempotency_key = ?", {portal_id}) == "done");
    const std::string erp_ref = q.text("SELECT erp_ref FROM outbox WHERE idempotency_key = ?", {portal_id});
    CHECK(erp_ref.rfind(kind.erp_prefix, 0) == 0);
    const std::string table = allowed_name(kind.table, {"portal_payments", "disputes", "promises_to_pay",
                                                         "credit_requests", "messages"});
    CHECK(q.text("SELECT erp_ref FROM " + table + " WHERE portal_id = ?", {portal_id}) == erp_ref);
    const json record = sim_lookup(sim, kind.collection, portal_id);
    REQUIRE_FALSE(record.is_null());
    CHECK(record["id"] == erp_ref);
    CHECK(record["portalRef"] == portal_id);
    CHECK(writes[kind.collection]["duplicateCreations"] == 0);
  }
}

}  // namespace

TEST_CASE("disputes, promises to pay, messages and credit requests reach the ERP exactly once") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "200", "--no-idempotency"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const auto invoices = open_invoices(d, 1000, 1);
  REQUIRE(invoices.size() == 1);
  const OpenInvoice& inv = invoices[0];

  post_and_check(daemon, d, sim, inv, "answered");
  for (const char* collection : {"disputes", "promisesToPay", "messages", "creditRequests"})
    CHECK(sim_writes(sim)[collection]["created"] == 1);

  // The ERP commits every write and drops its answer: each item becomes unknown and is found
  // by its key, never sent again.
  http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", R"({"drop_after_commit_rate": 1, "honor_idempotency": false})");
  post_and_check(daemon, d, sim, inv, "dropped");
  for (const char* collection : {"disputes", "promisesToPay", "messages", "creditRequests"})
    CHECK(sim_writes(sim)[collection]["created"] == 2);
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE attempts > 1") >= 4);

  // The dispute that went to the ERP also shows on the invoice at once.
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM disputes WHERE invoice_id = ?", {inv.id}) == 2);
}
