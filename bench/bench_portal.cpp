// bench_portal: portal API read latency (issue 7) for the invoice list of a large mirror.
//
//   build/bench/bench_portal [--invoices 1000000] [--customers 1000] [--seconds 10] [--connections 16]
//                            [--writes 1]
//   ARSYNC=/path/to/arsync build/bench/bench_portal ...   (A/B against another build)
//
// Builds a mirror of N invoices over C customers directly in SQLite (the portal reads, so how
// the rows arrived does not matter; bench_sync measures that), starts the real `arsync run`
// with a read token, then measures GET /v1/customers/{id}/invoices:
//  1. one request at a time over loopback (a new connection each): p50/p99/max latency of
//     first pages with filters and of deep pages (a keyset token in the middle of the list);
//  2. wrk (Debian's `wrk`, scripts/install-deps.sh) with --latency for throughput and
//     p50/p90/p99 under concurrent load, random customers, first and deep pages;
//  3. with --writes 1, wrk POSTing messages to the AR team, each with its own Idempotency-Key:
//     portal writes/s and their p50/p99, every write durable (committed with synchronous=FULL,
//     as `arsync run` opens the mirror) before its 201.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/hmac.hpp"
#include "schema/mirror_reader.hpp"
#include "schema/mirror_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync;
using namespace arsync::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kToken = "bench-portal-token";

struct Args {
  long invoices = 1'000'000, customers = 1000, seconds = 10, connections = 16;
  bool writes = false;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    long v = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--invoices")) a.invoices = v;
    else if (!std::strcmp(argv[i], "--customers")) a.customers = v;
    else if (!std::strcmp(argv[i], "--seconds")) a.seconds = v;
    else if (!std::strcmp(argv[i], "--connections")) a.connections = v;
    else if (!std::strcmp(argv[i], "--writes")) a.writes = v != 0;
    else std::fprintf(stderr, "unknown option %s\n", argv[i]), std::exit(2);
  }
  return a;
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n%s\n", err, sql.c_str());
    std::exit(1);
  }
}

// Invoices spread over 900 issue days, due 30 days later; of each customer's invoices a quarter
// are paid, a quarter partially paid, half open; totals vary. updated_seq follows insertion, as the store's would.
void build_mirror(const std::filesystem::path& mirror, const Args& a) {
  auto store = MirrorStore::open(mirror);
  if (!store) std::fprintf(stderr, "%s\n", store.error().describe().c_str()), std::exit(1);
  store->reset();
  sqlite3* db = nullptr;
  sqlite3_open(mirror.c_str(), &db);
  auto started = Clock::now();
  const std::string c = std::to_string(a.customers);
  exec(db, "PRAGMA journal_mode = WAL; BEGIN;");
  exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(a.customers) +
               ") INSERT INTO customers (id, source, erp_id, number, name, currency, row_hash, updated_seq)"
               " SELECT i, 'bench', 'C' || i, 'C-' || i, 'Customer ' || i, 'USD', 0, i FROM n;");
  exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(a.invoices) +
               ") INSERT INTO invoices (id, source, erp_id, number, customer_id, issue_date, due_date, currency,"
               " total, balance, status, row_hash, updated_seq)"
               " SELECT i, 'bench', 'I' || i, 'INV-' || i, (i % " + std::to_string(a.customers) + ") + 1,"
               " date('2023-01-01', '+' || (i * 7 % 900) || ' days'),"
               " date('2023-01-01', '+' || (i * 7 % 900 + 30) || ' days'), 'USD',"
               " 1000 + (i * 7919 % 500000), CASE (i / " + c + ") % 4 WHEN 0 THEN 0 WHEN 1 THEN 500 ELSE 1000 + (i * 7919 % 500000) END,"
               " CASE (i / " + c + ") % 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'partially_paid' ELSE 'open' END, 0, " +
               std::to_string(a.customers) + " + i FROM n;");
  exec(db, "UPDATE mirror_state SET last_seq = " + std::to_string(a.customers + a.invoices) + "; COMMIT; ANALYZE;");
  sqlite3_close(db);
  std::printf("mirror: %ld invoices over %ld customers built in %.1f s\n", a.invoices, a.customers,
              std::chrono::duration<double>(Clock::now() - started).count());
}

std::string hex(const std::string& text) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}

// A keyset position in the middle of a customer's list: the API's own token shape.
std::string deep_after(std::mt19937& rng) {
  int day = std::uniform_int_distribution<int>(100, 800)(rng);
  std::tm t{};
  t.tm_year = 123, t.tm_mon = 0, t.tm_mday = 31 + day;  // 2023-01-01 + 30 + day
  std::mktime(&t);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &t);
  return hex(std::string(date) + "/0");
}

void print_percentiles(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s %zu requests: p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", what, ms.size(), ms[ms.size() / 2],
              ms[ms.size() * 99 / 100], ms.back());
}

void sequential(std::uint16_t port, const Args& a, bool deep) {
  std::mt19937 rng(7);
  std::vector<double> ms;
  for (int i = 0; i < 2000; ++i) {
    long customer = std::uniform_int_distribution<long>(1, a.customers)(rng);
    std::string target = "/v1/customers/" + std::to_string(customer) + "/invoices?limit=50";
    if (deep) target += "&after=" + deep_after(rng);
    else if (i % 2) target += "&status=open,partially_paid&overdue=true";
    auto started = Clock::now();
    auto reply = http_request("GET", "127.0.0.1", port, target, {}, {{"Authorization", "Bearer " + kToken}});
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    if (reply.status != 200) std::fprintf(stderr, "%s -> %u %s\n", target.c_str(), reply.status, reply.body.c_str()), std::exit(1);
  }
  print_percentiles(deep ? "HTTP one at a time, deep pages" : "HTTP one at a time, first pages", ms);
}

// The query alone (MirrorReader in this process, no HTTP, no JSON): what the index buys.
void in_process(const std::filesystem::path& mirror, const Args& a) {
  auto reader = MirrorReader::open(mirror);
  if (!reader) std::fprintf(stderr, "%s\n", reader.error().describe().c_str()), std::exit(1);
  std::mt19937 rng(11);
  for (bool deep : {false, true}) {
    std::vector<double> ms;
    for (int i = 0; i < 2000; ++i) {
      InvoiceFilter filter;
      filter.today = "2025-06-01";
      if (deep) filter.after = deep_after(rng);
      else if (i % 2) filter.statuses = {"open", "partially_paid"}, filter.overdue = true;
      auto started = Clock::now();
      auto page = (*reader)->invoices(std::uniform_int_distribution<long>(1, a.customers)(rng), filter);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      if (!page || page->items.empty())
        std::fprintf(stderr, "empty or failed page: %s\n", page ? "no rows" : page.error().describe().c_str()), std::exit(1);
    }
    print_percentiles(deep ? "query only, deep pages (50 rows)" : "query only, first pages (50 rows)", ms);
  }
}

bool have_wrk() {
  if (std::system("command -v wrk >/dev/null") == 0) return true;
  std::printf("wrk not installed (scripts/install-deps.sh installs it): concurrent figures skipped\n");
  return false;
}

void run_wrk(const std::filesystem::path& script, std::uint16_t port, const Args& a) {
  std::string command = "wrk -t2 -c" + std::to_string(a.connections) + " -d" + std::to_string(a.seconds) +
                        "s --latency -s " + script.string() + " http://127.0.0.1:" + std::to_string(port);
  std::printf("$ %s\n", command.c_str());
  std::fflush(stdout);
  std::system(command.c_str());
}

void with_wrk(const std::filesystem::path& dir, std::uint16_t port, const Args& a) {
  if (!have_wrk()) return;
  std::ofstream(dir / "portal.lua") << "math.randomseed(7)\n"
                                    << "local hex = function(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end\n"
                                    << "request = function()\n"
                                    << "  local c = math.random(1, " << a.customers << ")\n"
                                    << "  local path = '/v1/customers/' .. c .. '/invoices?limit=50'\n"
                                    << "  if math.random() < 0.5 then\n"
                                    << "    path = path .. '&after=' .. hex(os.date('!%Y-%m-%d', 1675209600 + math.random(0, 700) * 86400) .. '/0')\n"
                                    << "  end\n"
                                    << "  return wrk.format('GET', path, {['Authorization'] = 'Bearer " << kToken << "'})\n"
                                    << "end\n";
  run_wrk(dir / "portal.lua", port, a);
}

// POST /v1/messages (the lightest write: the message row, the answer kept under its
// Idempotency-Key, the change sequence) under wrk. Each thread numbers its own keys, so no key
// repeats; done() prints writes/s, p50/p99 and every answer that was not a 201.
void writes_with_wrk(const std::filesystem::path& dir, std::uint16_t port, const Args& a) {
  if (!have_wrk()) return;
  std::ofstream(dir / "writes.lua")
      << "local threads, counter = {}, 0\n"
      << "setup = function(thread) counter = counter + 1; thread:set('id', counter); table.insert(threads, thread) end\n"
      << "n, refused = 0, 0  -- globals, so done() can read each thread's\n"
      << "request = function()\n"
      << "  n = n + 1\n"
      << "  local body = '{\"customer_id\": ' .. ((n * 7919 + id) % " << a.customers << " + 1) .. ', \"body\": \"please call me\"}'\n"
      << "  return wrk.format('POST', '/v1/messages', {['Authorization'] = 'Bearer " << kToken
      << "', ['Content-Type'] = 'application/json', ['Idempotency-Key'] = 'bench-' .. id .. '-' .. n}, body)\n"
      << "end\n"
      << "response = function(status) if status ~= 201 then refused = refused + 1 end end\n"
      << "done = function(summary, latency)\n"
      << "  local other = 0\n"
      << "  for _, t in ipairs(threads) do other = other + t:get('refused') end\n"
      << "  io.write(string.format('portal writes: %d in %.1f s = %.0f writes/s  p50 %.2f ms  p99 %.2f ms  "
         "not 201: %d  socket errors: %d\\n', summary.requests, summary.duration / 1e6, "
         "summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, "
         "other, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\n"
      << "end\n";
  run_wrk(dir / "writes.lua", port, a);
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;  // the support code's REQUIREs need a doctest runtime
  Args a = parse_args(argc, argv);
  TempDir dir("arsync-bench-portal");
  build_mirror(dir / "mirror.db", a);
  in_process(dir / "mirror.db", a);
  std::ofstream(dir / "arsync.yaml") << "mirror: " << (dir / "mirror.db").string() << "\n"
                                     << "server:\n  listen: 127.0.0.1:0\n  max_connections: 1024\n"
                                     << "portal:\n  read_threads: 2\n  tokens:\n    - name: bench\n      sha256: "
                                     << to_hex(sha256(kToken)) << "\n      scopes: [read, write]\n";
  const char* other = std::getenv("ARSYNC");
  ChildProcess arsync({other ? other : ARSYNC_BIN, {"--config", (dir / "arsync.yaml").string(), "run"}, {}, dir.path()});
  std::smatch match;
  static const std::regex ready(R"(event=daemon_ready listen=127\.0\.0\.1:(\d+))");
  auto deadline = Clock::now() + std::chrono::seconds(60);
  std::string err;
  while (!std::regex_search(err = arsync.stderr_text(), match, ready)) {
    if (!arsync.running() || Clock::now() > deadline) std::fprintf(stderr, "arsync run: %s\n", err.c_str()), std::exit(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto port = static_cast<std::uint16_t>(std::stoi(match[1]));
  sequential(port, a, false);
  sequential(port, a, true);
  with_wrk(dir.path(), port, a);
  if (a.writes) writes_with_wrk(dir.path(), port, a);
  return 0;
}
