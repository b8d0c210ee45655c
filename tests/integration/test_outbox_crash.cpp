// Exactly once under crashes (issue 7): 1,000 portal payments are posted while the real
// `arsync run` is killed with SIGKILL at random moments and restarted, and erp-sim answers with
// errors, 429s and "committed, then dropped the answer". erp-sim ignores idempotency keys
// (--no-idempotency), so any payment arsync delivered twice would exist twice in the ERP.
// At the end, from erp-sim: every payment exists exactly once, and every invoice's balance
// (pulled back into the mirror) is its old balance less what the portal paid on it.
#include <doctest/doctest.h>
#include <signal.h>

#include "tests/integration/support_crash.hpp"
#include "tests/integration/support_sim_payments.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "crash-test-token-0123456789";
constexpr int kPayments = 1000;

}  // namespace

TEST_CASE("1,000 portal payments reach the ERP exactly once while arsync is killed -9 again and again") {
  ErpSimProcess sim({"--customers", "100", "--invoices", "2000", "--no-idempotency", "--error-rate", "0.03",
                     "--rate-429", "0.03", "--retry-after", "0", "--drop-after-commit-rate", "0.05"});
  SyncDeployment d(sim, {}, crash_settings(kToken, 4, "2s", "payments?$filter=idempotencyKey eq '{key}'"));

  std::unique_ptr<Daemon> daemon = std::make_unique<Daemon>(d);
  const std::vector<PayableInvoice> invoices = payable_after_first_sync(d, 2000);
  REQUIRE(invoices.size() >= 200);

  // The crashes: kill -9 at a random moment, restart, repeat until every payment was accepted,
  // then a few more while the outbox drains.
  const int kills = post_while_killing(
      daemon, [&] { return std::make_unique<Daemon>(d); }, {kPayments, 25, 20261122, 50, 700},
      [&](int i) { return sim_payment(invoices, i, kToken, "crash-pay-"); },
      [&] { return open_outbox_items(d) == 0; });
  MESSAGE("killed arsync " << kills << " times during 1,000 payments");

  check_exactly_once(d, sim, invoices, kPayments, 120s);
  daemon->process->kill(SIGTERM);
  check_mirror_matches_sim(d.mirror(), sim);
}
