// bench_outbox: outbox push throughput to erp-sim (DESIGN §9: >= 2,000 items/s with concurrency).
//
//   build/bench/bench_outbox [--items 10000] [--concurrency 8] [--batch 32]
//
// Syncs a demo company from erp-sim into a fresh mirror, commits N portal payments (1.00 each,
// spread over the open invoices) straight into the mirror and its outbox through the store,
// then starts the real `arsync run` and measures how long its outbox worker takes to deliver
// all of them to erp-sim over loopback HTTP: items/s, and from /admin/writes that erp-sim
// created exactly N payments.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "schema/mirror_store.hpp"
#include "bench/bench_harness.hpp"
#include "tests/integration/support.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace arsync::bench;
using Clock = std::chrono::steady_clock;

namespace {

// Commits `n` portal payments of 1.00 (100 minor units) over the open invoices, as the portal
// API would (one transaction each).
void queue_payments(const std::filesystem::path& mirror, long n) {
  auto store = MirrorStore::open(mirror);
  if (!store) die(store.error().describe());
  MirrorQuery q(mirror);
  std::vector<std::array<std::int64_t, 2>> invoices;  // id, customer
  std::vector<std::string> currencies;
  for (const auto& [row, customer] :
       q.pairs("SELECT id || '|' || currency, customer_id FROM invoices WHERE status IN ('open', 'partially_paid') "
               "AND balance >= 10000")) {
    invoices.push_back({std::stoll(row.substr(0, row.find('|'))), customer});
    currencies.push_back(row.substr(row.find('|') + 1));
  }
  if (invoices.empty()) die("no open invoices to pay");
  for (long i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % invoices.size();
    PortalPaymentWrite p{"bench-" + std::to_string(i), invoices[k][1], "card", "", "2026-11-22", currencies[k], 100,
                         {{invoices[k][0], 100}}};
    ApiWrite api{"bench", "bench-" + std::to_string(i), "h", "{}", {"demo"}};
    auto written = (*store)->write_portal_payment(api, p);
    if (!written || written->kind != PortalWriteResult::Kind::kCreated)
      die("payment " + std::to_string(i) + " was not queued" + (written ? ": invalid" : ": " + written.error().describe()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;  // the support code reports through doctest's macros
  struct {
    long items = 10'000, concurrency = 8, batch = 32;
  } args;
  parse_long_options(argc, argv, {{"--items", &args.items}, {"--concurrency", &args.concurrency}, {"--batch", &args.batch}});
  ErpSimProcess sim({"--customers", "1000", "--invoices", "20000", "--threads", "2"});
  DaemonSettings settings;
  settings.poll = "1h";
  settings.top_extra = "outbox:\n  concurrency: " + std::to_string(args.concurrency) +
                       "\n  batch: " + std::to_string(args.batch) + "\n";
  settings.stream_options["payments"] = "        lookup: \"payments?$filter=idempotencyKey eq '{key}'\"\n";
  SyncDeployment d(sim, {{"page_size", "5000"}}, settings);
  require_ok(d.run({"sync", "--once", "--quiet"}), "initial sync");
  queue_payments(d.mirror(), args.items);

  const auto started = Clock::now();
  auto daemon = d.start({"run"});
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!daemon->running()) die("arsync run exited: " + daemon->stderr_text());
    if (MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE status <> 'done'") == 0) break;
  }
  const double seconds = seconds_since(started);
  daemon->kill(SIGTERM);
  const auto writes = nlohmann::json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body);
  std::printf("outbox push to erp-sim: %ld payments in %.2f s (start-up included) = %.0f items/s "
              "(concurrency %ld, batch %ld); erp-sim created %s, duplicates %s\n",
              args.items, seconds, args.items / seconds, args.concurrency, args.batch,
              writes["payments"]["created"].dump().c_str(), writes["payments"]["duplicateCreations"].dump().c_str());
  return 0;
}
