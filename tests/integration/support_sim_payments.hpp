// Integration-test support for the crash loops against erp-sim (JSON in test_outbox_crash, XML in
// test_xml_push_crash; the loop itself is support_crash's post_while_killing): their portal and
// outbox settings, which invoices the portal pays, the i-th portal payment, and the end checks
// read from erp-sim's write ledger and the mirror (the wait for the pulled balances is shared
// with test_odbc_push). Thread contract: one per test.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/running_daemon.hpp"

namespace arsync::test {

// An open invoice of the mirror that takes portal payments of kSimPayment minor units.
struct PayableInvoice {
  std::int64_t invoice_id = 0, customer_id = 0, balance = 0;
  std::string currency;
};
inline constexpr std::int64_t kSimPayment = 100;  // 1.00 (JPY: 100 yen)

// Top-level YAML for a portal that takes payments and an outbox that pushes them: one token
// (`token`, scopes read and write) and `concurrency` workers, batches of 8, retries after 20 ms
// growing to 200 ms.
std::string portal_outbox_yaml(const std::string& token, int concurrency);

// The daemon settings of the crash tests: every stream polled every `poll`,
// portal_outbox_yaml(token, concurrency), and `lookup` as the payments stream's look-up read.
DaemonSettings crash_settings(const std::string& token, int concurrency, const std::string& poll,
                              const std::string& lookup);

// The mirror's open and partially paid invoices with a balance of at least `min_balance`.
std::vector<PayableInvoice> payable_invoices(const SyncDeployment& d, std::int64_t min_balance);

// Waits (60 s at most) for the running daemon's first sync to bring at least `invoices`
// invoices, then returns those that take 5 payments or more.
std::vector<PayableInvoice> payable_after_first_sync(const SyncDeployment& d, std::int64_t invoices);

// Portal payment i: kSimPayment applied in full to invoices[i % size], under the key
// "<key_prefix><i>", with `token` (write scope).
std::pair<std::string, HttpHeaders> sim_payment(const std::vector<PayableInvoice>& invoices, int i,
                                                const std::string& token, const std::string& key_prefix);

// Outbox items not yet done.
std::int64_t open_outbox_items(const SyncDeployment& d);

// The end of a crash loop of `payments` sim_payment()s, checked: the outbox drains; erp-sim
// created each payment exactly once (with --no-idempotency its /admin/writes counts any second
// delivery); the mirror holds each portal payment once, submitted, with its own ERP reference;
// and the pulls bring back every paid invoice at its old balance less the payments on it, and
// the ERP's payments.
void check_exactly_once(const SyncDeployment& d, const ErpSimProcess& sim, const std::vector<PayableInvoice>& invoices,
                        int payments, std::chrono::seconds timeout);

// Waits (`timeout` at most) until the pulls brought back what the ERP did with delivered portal
// payments: every invoice of `balances` (mirror id -> new balance) at its new balance and
// `payments` ERP payments that echo a portal reference; then checks that no invoice is left
// with a pending portal payment.
void wait_for_pulled_payments(const std::filesystem::path& mirror, const std::map<std::int64_t, std::int64_t>& balances,
                              std::int64_t payments, std::chrono::seconds timeout);

}  // namespace arsync::test
