// Test support for the portal's writes against `arsync run` and erp-sim (issue 7): a deployment
// with a write token and a fast outbox, the request headers, the mirror's open invoices, and
// erp-sim's write counters. Thread contract: one per test.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"

namespace arsync::test {

// The bearer token the portal deployment accepts for reads and writes.
extern const std::string kPortalToken;

// A deployment whose streams poll every `poll`, with kPortalToken and an outbox that retries
// within a fraction of a second; payments and customers (profile changes, PATCHed) can be
// looked up by key.
DaemonSettings portal_daemon(std::string poll = "1s");

// Authorization, Idempotency-Key and Content-Type for a portal POST.
HttpHeaders portal_writer(const std::string& key);

// An open invoice of the mirror and what can still be paid on it.
struct OpenInvoice {
  std::int64_t id = 0, customer_id = 0, balance = 0, total = 0;
  std::string erp_id, currency;
};
std::vector<OpenInvoice> open_invoices(const SyncDeployment& d, std::int64_t min_balance, std::size_t limit);

// {"amount": "12.50", "currency": "USD"}
nlohmann::json money_json(std::int64_t minor, const std::string& currency);

// erp-sim's GET /admin/writes.
nlohmann::json sim_writes(const ErpSimProcess& sim);

// Waits for the first successful pull of every stream up to payments.
void wait_synced(const SyncDeployment& d);

// Outbox items not yet done, failed or cancelled.
std::int64_t outbox_open(const SyncDeployment& d);

}  // namespace arsync::test
