// bench_erp_sim_writes: what portal writes cost the demo ERP (tools/erp-sim API.md "Writes").
//
//   build/bench/bench_erp_sim_writes [--payments 100000] [--clients 4]
//
// Starts erp-sim (1,000 customers, 400,000 invoices), then `clients` threads POST `payments`
// distinct payments (each applies 0.01-1 minor unit to an open invoice of the first page,
// round-robin, so invoice balances change too; one connection per request, as
// tests/support/http_client does). Prints: creates/s, replays/s (10% of the keys again), the
// sim's resident memory growth per written payment (VmRSS before/after), and checks that
// /admin/writes counted every payment once and that the key lookup finds one.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
  return -1;
}

struct Target {
  std::string invoice, customer, currency;
};

// Open invoices of the first page, in a currency with decimals (so 1 minor unit is "0.01").
std::vector<Target> open_invoices(const ErpSimProcess& sim) {
  const HttpReply page = http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices?$top=20000");
  const json records = parse_exact(page.body);
  std::vector<Target> out;
  for (const json& invoice : records.at("value")) {
    if (!invoice.contains("id") || invoice["status"] != "Open" || invoice["currencyCode"] != "USD") continue;
    out.push_back({invoice["id"], invoice["customerId"], invoice["currencyCode"]});
  }
  return out;
}

std::string body(const Target& t, long n) {
  return json{{"customerId", t.customer},
              {"paymentDate", "2025-12-02"},
              {"paymentMethod", "Card"},
              {"reference", "ch_" + std::to_string(n)},
              {"portalRef", "pp-" + std::to_string(n)},
              {"currencyCode", t.currency},
              {"amount", "0.05"},
              {"applications", {{{"invoiceId", t.invoice}, {"amount", "0.01"}}}}}
      .dump();
}

// A UUID-shaped key (36 characters, as portals send them), unique per payment.
std::string key(long n) {
  char text[48];  // 24 + up to 20 digits + NUL
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012ld", n);
  return text;
}

// Sends payments [0, count) over `clients` threads; returns the seconds it took.
double send_all(const ErpSimProcess& sim, const std::vector<Target>& targets, long count, int clients,
                unsigned expected_status) {
  std::atomic<long> next{0}, wrong{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      for (long n = next++; n < count; n = next++) {
        const HttpReply reply = http_request("POST", "127.0.0.1", sim.port(), "/odata/payments",
                                             body(targets[n % targets.size()], n), {{"Idempotency-Key", key(n)}});
        if (reply.status != expected_status) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  if (wrong > 0) std::fprintf(stderr, "%ld answers were not %u\n", wrong.load(), expected_status);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  long payments = 100'000;
  int clients = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--payments")) payments = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
  }
  ErpSimProcess sim({"--customers", "1000", "--invoices", "400000", "--threads", "2"});
  const std::vector<Target> targets = open_invoices(sim);
  const long before = rss_kib(sim.process().pid());
  const double create_s = send_all(sim, targets, payments, clients, 201);
  const long after = rss_kib(sim.process().pid());
  const double replay_s = send_all(sim, targets, payments / 10, clients, 201);

  const json writes = json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/writes").body)["payments"];
  const HttpReply found =
      http_request("GET", "127.0.0.1", sim.port(), "/odata/payments?$filter=idempotencyKey%20eq%20'" + key(7) + "'");
  std::printf("erp-sim writes: %ld payments over %zu open invoices, %d clients (one connection per request)\n",
              payments, targets.size(), clients);
  std::printf("  creates:  %.0f/s (%.1f s)\n", payments / create_s, create_s);
  std::printf("  replays:  %.0f/s (%ld keys again)\n", (payments / 10) / replay_s, payments / 10);
  std::printf("  memory:   VmRSS %ld -> %ld KiB: %.0f bytes per written payment\n", before, after,
              (after - before) * 1024.0 / payments);
  std::printf("  /admin/writes payments: %s\n", writes.dump().c_str());
  const bool ok = writes["created"] == payments && writes["replayed"] == payments / 10 &&
                  writes["duplicateCreations"] == 0 && found.body.find(key(7)) != std::string::npos;
  std::printf("  counts and lookup: %s\n", ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
