#include "tests/integration/support_portal.hpp"

#include <sstream>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"

namespace arsync::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kPortalToken = "outbox-test-token-0123456789";

DaemonSettings portal_daemon(std::string poll) {
  DaemonSettings settings;
  settings.poll = std::move(poll);
  settings.top_extra = "portal:\n  tokens:\n    - name: portal-web\n      sha256: " +
                       to_hex(sha256(kPortalToken)) +
                       "\n      scopes: [read, write]\n"
                       "outbox:\n  concurrency: 4\n  retry_base: 20ms\n  retry_max: 300ms\n";
  settings.stream_options["payments"] = "        lookup: \"payments?$filter=idempotencyKey eq '{key}'\"\n";
  settings.stream_options["customers"] =
      "        push_method: PATCH\n        push_path: \"customers('{erp_id}')\"\n"
      "        lookup: \"customers?$filter=idempotencyKey eq '{key}'\"\n";
  return settings;
}

HttpHeaders portal_writer(const std::string& key) {
  return {{"Authorization", "Bearer " + kPortalToken}, {"Idempotency-Key", key}, {"Content-Type", "application/json"}};
}

std::vector<OpenInvoice> open_invoices(const SyncDeployment& d, std::int64_t min_balance, std::size_t limit) {
  MirrorQuery q(d.mirror());
  std::vector<OpenInvoice> out;
  const std::string sql =
      "SELECT id || '|' || customer_id || '|' || balance || '|' || total || '|' || erp_id || '|' || currency, 0 "
      "FROM invoices WHERE status IN ('open', 'partially_paid') AND balance >= ? ORDER BY id LIMIT ?";
  for (const auto& [row, unused] : q.pairs(sql, {min_balance, static_cast<std::int64_t>(limit)})) {
    OpenInvoice inv;
    std::stringstream in(row);
    std::string part;
    std::getline(in, part, '|'), inv.id = std::stoll(part);
    std::getline(in, part, '|'), inv.customer_id = std::stoll(part);
    std::getline(in, part, '|'), inv.balance = std::stoll(part);
    std::getline(in, part, '|'), inv.total = std::stoll(part);
    std::getline(in, inv.erp_id, '|');
    std::getline(in, inv.currency, '|');
    out.push_back(inv);
  }
  return out;
}

json money_json(std::int64_t minor, const std::string& currency) {
  return {{"amount", format_amount(Money{minor, currency})}, {"currency", currency}};
}

json sim_writes(const ErpSimProcess& sim) {
  return json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body);
}

void wait_synced(const SyncDeployment& d) {
  wait_until(
      [&] {
        MirrorQuery q(d.mirror());
        return q.scalar("SELECT count(*) FROM sync_runs WHERE stream = 'payments' AND outcome = 'succeeded'") > 0;
      },
      60s, "the first sync");
}

std::int64_t outbox_open(const SyncDeployment& d) {
  return MirrorQuery(d.mirror()).scalar(
      "SELECT count(*) FROM outbox WHERE status NOT IN ('done', 'failed', 'cancelled')");
}

}  // namespace arsync::test
