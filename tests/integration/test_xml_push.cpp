// Portal payments reaching an XML ERP exactly once (issues 5 and 7): the real `arsync run` takes
// payments on /v1 and pushes them through xml-http (create ARPYMT, the outbox key as a unique
// control id) to erp-sim's Intacct-style XML API. erp-sim runs with --no-idempotency, so a
// payment sent twice would exist twice there (/admin/writes counts that), and drops the answer
// of some committed creates: those items are found by their DESCRIPTION (the `lookup` read)
// instead of being sent again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support_xml.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "xml-push-test-token-0123456789";
constexpr const char* kLookup =
    "<readByQuery><object>ARPYMT</object><fields>RECORDNO</fields><query>DESCRIPTION = '{key}'</query>"
    "<pagesize>2</pagesize></readByQuery>";

DaemonSettings xml_daemon() {
  DaemonSettings settings;
  settings.poll = "1s";
  settings.top_extra = "portal:\n  tokens:\n    - name: portal-web\n      sha256: " +
                       arsync::to_hex(arsync::sha256(kToken)) + "\n      scopes: [read, write]\n" +
                       "outbox:\n  concurrency: 2\n  retry_base: 20ms\n  retry_max: 300ms\n";
  settings.stream_options["payments"] = std::string("        lookup: \"") + kLookup + "\"\n";
  return settings;
}

std::int64_t scalar(const SyncDeployment& d, const std::string& sql, const SqlBinds& binds = {}) {
  return MirrorQuery(d.mirror()).scalar(sql, binds);
}

json sim_get(const ErpSimProcess& sim, const std::string& path) {
  return json::parse(http_request("GET", "127.0.0.1", sim.port(), path).body);
}

// Open invoices of the mirror, each paid in full by one portal payment: "id|customer|balance|currency".
std::vector<std::string> payable(const SyncDeployment& d, int count) {
  MirrorQuery q(d.mirror());
  std::vector<std::string> out;
  for (const auto& [row, unused] :
       q.pairs("SELECT id || '|' || customer_id || '|' || balance || '|' || currency, 0 FROM invoices "
               "WHERE status = 'open' AND balance > 0 ORDER BY id LIMIT ?",
               {count}))
    out.push_back(row);
  return out;
}

std::string full_payment(const std::string& row) {
  const auto a = row.find('|'), b = row.find('|', a + 1), c = row.find('|', b + 1);
  const std::string currency = row.substr(c + 1);
  const json amount{{"amount", arsync::format_amount(arsync::Money{std::stoll(row.substr(b + 1, c - b - 1)), currency})},
                    {"currency", currency}};
  return json{{"customer_id", std::stoll(row.substr(a + 1, b - a - 1))},
              {"method", "ach"},
              {"reference", "ach-" + row.substr(0, a)},
              {"amount", amount},
              {"applications", json::array({{{"invoice_id", std::stoll(row.substr(0, a))}, {"amount", amount}}})}}
      .dump();
}

}  // namespace

TEST_CASE("portal payments reach the XML ERP exactly once, dropped answers resolved by lookup") {
  ErpSimProcess sim({"--seed", "31", "--customers", "20", "--invoices", "300", "--no-idempotency"});
  SyncDeployment d(sim);
  const DaemonSettings settings = xml_daemon();
  use_xml_api(d, sim, {{"duplicate_codes", "SIM-DUPLICATE-CONTROLID"}}, &settings);
  Daemon daemon(d);
  wait_until([&] { return scalar(d, "SELECT count(*) FROM sync_runs WHERE stream = 'payments' AND "
                                    "outcome = 'succeeded'") > 0; },
             60s, "the first sync");
  const std::int64_t balance_before = scalar(d, "SELECT sum(balance) FROM invoices WHERE currency = 'USD'");
  const auto invoices = payable(d, 24);
  REQUIRE(invoices.size() == 24);
  std::int64_t usd_paid = 0;
  for (const std::string& row : invoices)
    if (row.ends_with("|USD")) usd_paid += std::stoll(row.substr(row.find('|', row.find('|') + 1) + 1));

  // Half of the committed creates lose their answer: those items become unknown and are looked up.
  REQUIRE(http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", R"({"drop_after_commit_rate":0.5})")
              .status == 200);
  for (std::size_t i = 0; i < invoices.size(); ++i) {
    auto reply = daemon.post("/v1/payments", full_payment(invoices[i]),
                             {{"Authorization", "Bearer " + kToken},
                              {"Idempotency-Key", "xml-pay-" + std::to_string(i)},
                              {"Content-Type", "application/json"}});
    INFO(reply.body);
    REQUIRE(reply.status == 201);
  }
  wait_until([&] { return scalar(d, "SELECT count(*) FROM outbox WHERE status = 'done'") == 24; }, 90s,
             "every payment to be delivered");
  CHECK(daemon.logged("outcome=unknown"));  // some answers were dropped ...
  const json writes = sim_get(sim, "/admin/writes")["payments"];
  CHECK(writes["created"] == 24);  // ... yet each payment exists once in the ERP
  CHECK(writes["duplicateCreations"] == 0);
  CHECK(scalar(d, "SELECT count(*) FROM portal_payments WHERE erp_ref IS NULL OR erp_ref = ''") == 0);

  // The next pulls bring the ERP's payments back linked (by RECORDNO and DESCRIPTION) and the
  // invoices' new balances; nothing is held twice.
  wait_until([&] { return scalar(d, "SELECT count(*) FROM payments p JOIN portal_payments pp ON "
                                    "p.portal_ref = pp.portal_id AND p.erp_id = pp.erp_ref") == 24; },
             60s, "the ERP's payments to be pulled and linked");
  json paid_ids = json::array();  // bound as one JSON array, read back with json_each
  for (const std::string& row : invoices) paid_ids.push_back(std::stoll(row.substr(0, row.find('|'))));
  wait_until([&] { return scalar(d, "SELECT count(*) FROM invoices WHERE status = 'paid' AND id IN "
                                    "(SELECT value FROM json_each(?))", {paid_ids.dump()}) == 24; },
             60s, "the paid invoices");
  CHECK(scalar(d, "SELECT sum(balance) FROM invoices WHERE currency = 'USD'") == balance_before - usd_paid);
  CHECK(scalar(d, "SELECT count(*) FROM invoice_pending_payments") == 0);
  CHECK(scalar(d, "SELECT count(*) FROM rejects") == 0);
}

// Intacct's ARPYMT is the sum of its details and creates no advance; demo-xml/payments.yaml says
// so with push: cannot_carry: unapplied, and the portal refuses what the ERP would silently lose.
TEST_CASE("a portal payment with an unapplied part is refused (422) for an ERP whose push cannot carry it") {
  ErpSimProcess sim({"--seed", "32", "--customers", "10", "--invoices", "60"});
  SyncDeployment d(sim);
  const DaemonSettings settings = xml_daemon();
  use_xml_api(d, sim, {}, &settings);
  Daemon daemon(d);
  wait_until([&] { return scalar(d, "SELECT count(*) FROM sync_runs WHERE stream = 'payments' AND "
                                    "outcome = 'succeeded'") > 0; },
             60s, "the first sync");
  const auto invoices = payable(d, 1);
  REQUIRE(invoices.size() == 1);
  const HttpHeaders headers = {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}};
  auto with_key = [&](const std::string& key) {
    HttpHeaders h = headers;
    h.emplace_back("Idempotency-Key", key);
    return h;
  };

  // The whole balance applied, plus 5.00 (JPY: 500; KWD: 0.500) applied to nothing.
  json over = json::parse(full_payment(invoices[0]));
  const std::string currency = over["amount"]["currency"];
  const auto balance = std::stoll(invoices[0].substr(invoices[0].find('|', invoices[0].find('|') + 1) + 1));
  over["amount"]["amount"] = arsync::format_amount(arsync::Money{balance + 500, currency});
  auto refused = daemon.post("/v1/payments", over.dump(), with_key("unapplied-1"));
  INFO(refused.body);
  REQUIRE(refused.status == 422);
  const json errors = json::parse(refused.body)["error"]["fields"];
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["field"] == "amount");
  const std::string message = errors[0]["message"];
  CHECK(message.find(arsync::format_amount(arsync::Money{500, currency}) + " " + currency +
                     " of the payment is applied to no invoice, and this customer's ERP ('demo-xml') cannot "
                     "record an unapplied amount: an ARPYMT's amount is the sum of its ARPYMTDETAILs") == 0);
  CHECK(scalar(d, "SELECT count(*) FROM portal_payments") == 0);
  CHECK(scalar(d, "SELECT count(*) FROM outbox") == 0);

  // Fully applied, the same payment is taken and reaches the ERP.
  auto taken = daemon.post("/v1/payments", full_payment(invoices[0]), with_key("unapplied-2"));
  INFO(taken.body);
  REQUIRE(taken.status == 201);
  wait_until([&] { return scalar(d, "SELECT count(*) FROM outbox WHERE status = 'done'") == 1; }, 60s,
             "the payment to be delivered");
  CHECK(sim_get(sim, "/admin/writes")["payments"]["created"] == 1);
}
