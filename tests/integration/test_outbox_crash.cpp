// Exactly once under crashes (issue 7): 1,000 portal payments are posted while the real
// `arsync run` is killed with SIGKILL at random moments and restarted, and erp-sim answers with
// errors, 429s and "committed, then dropped the answer". erp-sim ignores idempotency keys
// (--no-idempotency), so any payment arsync delivered twice would exist twice in the ERP.
// At the end, from erp-sim: every payment exists exactly once, and every invoice's balance
// (pulled back into the mirror) is its old balance less what the portal paid on it.
#include <doctest/doctest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support_crash.hpp"
#include "tests/integration/support.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "crash-test-token-0123456789";
constexpr int kPayments = 1000;

struct Target {
  std::int64_t invoice_id = 0, customer_id = 0, balance = 0, paid = 0;
  std::string currency;
};

// Open invoices with room for several 1.00 payments (100 minor units each; JPY: 100 yen).
std::vector<Target> targets(const SyncDeployment& d) {
  MirrorQuery q(d.mirror());
  std::vector<Target> out;
  for (const auto& [row, balance] :
       q.pairs("SELECT id || '|' || customer_id || '|' || currency, balance FROM invoices "
               "WHERE status IN ('open', 'partially_paid') AND balance >= 500")) {
    Target t;
    std::stringstream in(row);
    std::string part;
    std::getline(in, part, '|'), t.invoice_id = std::stoll(part);
    std::getline(in, part, '|'), t.customer_id = std::stoll(part);
    std::getline(in, t.currency, '|');
    t.balance = balance;
    out.push_back(t);
  }
  return out;
}

std::string body_for(const Target& t) {
  const json amount{{"amount", arsync::format_amount(arsync::Money{100, t.currency})}, {"currency", t.currency}};
  return json{{"customer_id", t.customer_id},
              {"method", "card"},
              {"amount", amount},
              {"applications", json::array({{{"invoice_id", t.invoice_id}, {"amount", amount}}})}}
      .dump();
}

}  // namespace

TEST_CASE("1,000 portal payments reach the ERP exactly once while arsync is killed -9 again and again") {
  ErpSimProcess sim({"--customers", "100", "--invoices", "2000", "--no-idempotency", "--error-rate", "0.03",
                     "--rate-429", "0.03", "--retry-after", "0", "--drop-after-commit-rate", "0.05"});
  DaemonSettings settings;
  settings.poll = "2s";
  settings.top_extra = "portal:\n  tokens:\n    - name: portal-web\n      sha256: " +
                       arsync::to_hex(arsync::sha256(kToken)) +
                       "\n      scopes: [read, write]\n"
                       "outbox:\n  concurrency: 4\n  batch: 8\n  retry_base: 20ms\n  retry_max: 200ms\n";
  settings.stream_options["payments"] = "        lookup: \"payments?$filter=idempotencyKey eq '{key}'\"\n";
  SyncDeployment d(sim, {}, settings);

  std::unique_ptr<Daemon> daemon = std::make_unique<Daemon>(d);
  wait_until([&] { return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM invoices") >= 2000; }, 60s,
             "the first sync");
  std::vector<Target> invoices = targets(d);
  REQUIRE(invoices.size() >= 200);

  std::vector<std::size_t> plan(kPayments);
  for (int i = 0; i < kPayments; ++i) plan[i] = static_cast<std::size_t>(i) % invoices.size();
  auto open_items = [&] {
    return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE status <> 'done'");
  };
  // The crashes: kill -9 at a random moment, restart, repeat until every payment was accepted,
  // then a few more while the outbox drains.
  const int kills = post_while_killing(
      daemon, [&] { return std::make_unique<Daemon>(d); }, {kPayments, 25, 20261122, 50, 700},
      [&](int i) {
        return std::pair{body_for(invoices[plan[i]]),
                         HttpHeaders{{"Authorization", "Bearer " + kToken},
                                     {"Idempotency-Key", "crash-pay-" + std::to_string(i)},
                                     {"Content-Type", "application/json"}}};
      },
      [&] { return open_items() == 0; });
  MESSAGE("killed arsync " << kills << " times during 1,000 payments");

  wait_until([&] { return open_items() == 0; }, 120s, "the outbox to deliver everything");
  const json writes = json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body)["payments"];
  INFO(writes.dump());
  CHECK(writes["created"] == kPayments);
  CHECK(writes["duplicateCreations"] == 0);
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM portal_payments") == kPayments);
  CHECK(q.scalar("SELECT count(*) FROM portal_payments WHERE status = 'submitted'") == kPayments);
  CHECK(q.scalar("SELECT count(DISTINCT erp_ref) FROM portal_payments") == kPayments);

  // Every invoice's balance, as the ERP now says (pulled back), is what it was less the payments.
  std::map<std::int64_t, std::int64_t> expected;
  for (int i = 0; i < kPayments; ++i) expected[invoices[plan[i]].invoice_id] = invoices[plan[i]].balance;
  for (int i = 0; i < kPayments; ++i) expected[invoices[plan[i]].invoice_id] -= 100;
  wait_until(
      [&] {
        MirrorQuery now(d.mirror());
        for (const auto& [id, balance] : expected)
          if (now.scalar("SELECT balance FROM invoices WHERE id = " + std::to_string(id)) != balance) return false;
        return now.scalar("SELECT count(*) FROM payments WHERE portal_ref IS NOT NULL") == kPayments;
      },
      120s, "the new balances and the ERP's payments to be pulled");
  CHECK(q.scalar("SELECT count(*) FROM invoice_pending_payments") == 0);
  daemon->process->kill(SIGTERM);
  check_mirror_matches_sim(d.mirror(), sim);
}
