// Exactly once under crashes, over XML (issues 5 and 7): portal payments pushed through xml-http
// (create ARPYMT, the outbox key as a unique control id) to erp-sim's Intacct-style XML API while
// the real `arsync run` is killed with SIGKILL at random moments and restarted, and erp-sim
// answers with errors, 429s and "committed, then dropped the answer". erp-sim runs with
// --no-idempotency, so a create sent twice would exist twice (/admin/writes counts that); an
// item whose answer was lost is found again by its DESCRIPTION (the stream's lookup read).
// The loop and end checks are test_outbox_crash's (support_crash, support_sim_payments), sized
// to stay well under a minute.
#include <doctest/doctest.h>
#include <signal.h>

#include "tests/integration/support_crash.hpp"
#include "tests/integration/support_sim_payments.hpp"
#include "tests/integration/support_xml.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "xml-crash-test-token-0123456789";
constexpr int kPayments = 600;

}  // namespace

TEST_CASE("portal payments reach the XML ERP exactly once while arsync is killed -9 again and again") {
  ErpSimProcess sim({"--seed", "77", "--customers", "40", "--invoices", "1000", "--no-idempotency", "--error-rate",
                     "0.03", "--rate-429", "0.03", "--retry-after", "0", "--drop-after-commit-rate", "0.1"});
  SyncDeployment d(sim);
  DaemonSettings settings = crash_settings(kToken, 2, "1s",
                                           "<readByQuery><object>ARPYMT</object><fields>RECORDNO</fields>"
                                           "<query>DESCRIPTION = '{key}'</query><pagesize>2</pagesize></readByQuery>");
  use_xml_api(d, sim, {{"duplicate_codes", "SIM-DUPLICATE-CONTROLID"}}, &settings);

  std::unique_ptr<Daemon> daemon = std::make_unique<Daemon>(d);
  const std::vector<PayableInvoice> invoices = payable_after_first_sync(d, 1000);
  REQUIRE(invoices.size() >= 150);  // at most 4 payments an invoice

  const int kills = post_while_killing(
      daemon, [&] { return std::make_unique<Daemon>(d); }, {kPayments, 15, 20261123, 50, 700},
      [&](int i) { return sim_payment(invoices, i, kToken, "xml-crash-"); },
      [&] { return open_outbox_items(d) == 0; });
  MESSAGE("killed arsync " << kills << " times during " << kPayments << " XML payments");

  check_exactly_once(d, sim, invoices, kPayments, 60s);
  // The ERP's payments came back linked to the portal's (by RECORDNO and DESCRIPTION), once each.
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM payments p JOIN portal_payments pp ON p.portal_ref = pp.portal_id "
                 "AND p.erp_id = pp.erp_ref") == kPayments);
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  daemon->process->kill(SIGTERM);
}
