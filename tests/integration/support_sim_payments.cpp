#include "tests/integration/support_sim_payments.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"

namespace arsync::test {

using json = nlohmann::json;

std::string portal_outbox_yaml(const std::string& token, int concurrency) {
  return "portal:\n  tokens:\n    - name: portal-web\n      sha256: " + to_hex(sha256(token)) +
         "\n      scopes: [read, write]\noutbox:\n  concurrency: " + std::to_string(concurrency) +
         "\n  batch: 8\n  retry_base: 20ms\n  retry_max: 200ms\n";
}

DaemonSettings crash_settings(const std::string& token, int concurrency, const std::string& poll,
                              const std::string& lookup) {
  DaemonSettings settings;
  settings.poll = poll;
  settings.top_extra = portal_outbox_yaml(token, concurrency);
  settings.stream_options["payments"] = "        lookup: \"" + lookup + "\"\n";
  return settings;
}

std::vector<PayableInvoice> payable_invoices(const SyncDeployment& d, std::int64_t min_balance) {
  MirrorQuery q(d.mirror());
  std::vector<PayableInvoice> out;
  for (const auto& [row, balance] :
       q.pairs("SELECT id || '|' || customer_id || '|' || currency, balance FROM invoices "
               "WHERE status IN ('open', 'partially_paid') AND balance >= ? ORDER BY id",
               {min_balance})) {
    PayableInvoice t;
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

std::vector<PayableInvoice> payable_after_first_sync(const SyncDeployment& d, std::int64_t invoices) {
  wait_until([&] { return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM invoices") >= invoices; },
             std::chrono::seconds(60), "the first sync");
  return payable_invoices(d, 5 * kSimPayment);
}

std::pair<std::string, HttpHeaders> sim_payment(const std::vector<PayableInvoice>& invoices, int i,
                                                const std::string& token, const std::string& key_prefix) {
  const PayableInvoice& t = invoices[static_cast<std::size_t>(i) % invoices.size()];
  const json amount{{"amount", format_amount(Money{kSimPayment, t.currency})}, {"currency", t.currency}};
  std::string body = json{{"customer_id", t.customer_id},
                          {"method", "card"},
                          {"amount", amount},
                          {"applications", json::array({{{"invoice_id", t.invoice_id}, {"amount", amount}}})}}
                         .dump();
  return {std::move(body), HttpHeaders{{"Authorization", "Bearer " + token},
                                       {"Idempotency-Key", key_prefix + std::to_string(i)},
                                       {"Content-Type", "application/json"}}};
}

std::int64_t open_outbox_items(const SyncDeployment& d) {
  return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE status <> 'done'");
}

void check_exactly_once(const SyncDeployment& d, const ErpSimProcess& sim, const std::vector<PayableInvoice>& invoices,
                        int payments, std::chrono::seconds timeout) {
  wait_until([&] { return open_outbox_items(d) == 0; }, timeout, "the outbox to deliver everything");
  const json writes = json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body)["payments"];
  INFO(writes.dump());
  CHECK(writes["created"] == payments);
  CHECK(writes["duplicateCreations"] == 0);
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM portal_payments") == payments);
  CHECK(q.scalar("SELECT count(*) FROM portal_payments WHERE status = 'submitted'") == payments);
  CHECK(q.scalar("SELECT count(DISTINCT erp_ref) FROM portal_payments") == payments);

  // Every invoice's balance, as the ERP now says (pulled back), is what it was less the payments.
  std::map<std::int64_t, std::int64_t> expected;
  for (int i = 0; i < payments; ++i) {
    const PayableInvoice& t = invoices[static_cast<std::size_t>(i) % invoices.size()];
    expected.emplace(t.invoice_id, t.balance);
    expected[t.invoice_id] -= kSimPayment;
  }
  wait_for_pulled_payments(d.mirror(), expected, payments, timeout);
}

void wait_for_pulled_payments(const std::filesystem::path& mirror, const std::map<std::int64_t, std::int64_t>& balances,
                              std::int64_t payments, std::chrono::seconds timeout) {
  wait_until(
      [&] {
        MirrorQuery now(mirror);
        for (const auto& [id, balance] : balances)
          if (now.scalar("SELECT balance FROM invoices WHERE id = ?", {id}) != balance) return false;
        return now.scalar("SELECT count(*) FROM payments WHERE portal_ref IS NOT NULL") == payments;
      },
      timeout, "the new balances and the ERP's payments to be pulled");
  CHECK(MirrorQuery(mirror).scalar("SELECT count(*) FROM invoice_pending_payments") == 0);
}

}  // namespace arsync::test
