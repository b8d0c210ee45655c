// bench_odbc: the odbc connector reading 1,000,000 invoice rows from PostgreSQL via psqlODBC.
//
//   build/bench/bench_odbc [--rows 1000000] [--fetch-size 5000] [--declare-fetch 1000]
//
// The rows are generated server-side (generate_series) into the AR schema of
// tests/fixtures/odbc/ar_schema.sql, four currencies, ties in threes on `modified`. Prints:
//  1. connector only: pull() in a loop over the example config's invoice query (with its
//     child-lines query, here finding no lines), UseDeclareFetch=1: rows/s, peak RSS of this
//     process;
//  2. end to end: the real `arsync sync --once --stream invoices` with
//     etc/mappings/examples/odbc/arsync.example.yaml into a fresh mirror: rows/s, arsync's peak RSS;
//  3. connector only again with psqlODBC's default UseDeclareFetch=0 (the whole result buffered
//     by the driver), to show what that setting costs in memory. Run last: peak RSS only grows.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "connectors/odbc_connector.hpp"
#include "bench/bench_harness.hpp"
#include "tests/integration/support.hpp"
#include "tests/integration/support_odbc.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace arsync::bench;
using Steady = std::chrono::steady_clock;

namespace {

void generate(const PostgresProcess& pg, long rows) {
  pg.psql(read_text_file(std::filesystem::path(ARSYNC_SOURCE_DIR) / "tests/fixtures/odbc/ar_schema.sql") + R"(
INSERT INTO ar_customer
SELECT 'CUST-00000' || c, 'C' || c, 'Customer ' || c, (ARRAY['USD','EUR','JPY','KWD'])[c], 25000, 'NET30',
       'TAX' || c, 'ap@c' || c || '.example', '+1 555 0100', '', '1 Main St', 'Springfield', 'IL', '62701', 'US',
       timestamp '2024-01-01'
FROM generate_series(1, 4) c;
INSERT INTO ar_invoice
SELECT 'INV-' || lpad(g::text, 8, '0'), 'SI-' || g, 'CUST-00000' || (1 + g % 4), date '2025-01-01' + (g % 300),
       date '2025-02-01' + (g % 300), (ARRAY['USD','EUR','JPY','KWD'])[1 + g % 4], 100 + g % 1000, g % 7 * 10,
       100 + g % 1000 + g % 7 * 10, 100 + g % 1000 + g % 7 * 10, 'Open', 'PO-' || g, 'NET30',
       timestamp '2024-01-01' + (g / 3) * interval '1 millisecond'
FROM generate_series(1, :'rows'::bigint) g;
GRANT ALL ON ALL TABLES IN SCHEMA public TO arsync;
VACUUM ANALYZE;
)",
          {{"rows", std::to_string(rows)}});
}

// The example config's invoice stream, as the connector sees it.
std::unique_ptr<Connector> invoice_connector(const PostgresProcess& pg, const std::string& driver_options,
                                             long fetch_size) {
  ConnectorConfig config;
  config.name = "erpdb";
  config.type = "odbc";
  config.options = {{"connection_string", {pg.connection_string(driver_options), ""}},
                    {"fetch_size", {std::to_string(fetch_size), ""}}};
  config.streams.push_back(
      {"invoices",
       {{"query",
         {"SELECT id, number, customer_id, invoice_date, due_date, currency, amount_excl, tax, total, "
          "remaining, "
          "status, po_number, terms, modified, to_char(modified, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS "
          "modified_utc FROM ar_invoice WHERE (modified, id) > (?, ?) ORDER BY modified, id",
          ""}},
        {"cursor_columns", {"modified,id", ""}},
        {"initial_cursor", {"1900-01-01 00:00:00,", ""}},
        {"child_name", {"lines", ""}},
        {"child_key", {"invoice_id", ""}},
        {"child_query",
         {"SELECT invoice_id, line_no, item, description, quantity, unit_price, amount, tax FROM "
          "ar_invoice_line "
          "WHERE invoice_id IN ({keys}) ORDER BY invoice_id, line_no",
          ""}}},
       ""});
  auto connector = odbc_spec().create(config, ConnectorContext{});
  if (!connector) std::fprintf(stderr, "%s\n", connector.error().describe().c_str()), std::exit(1);
  return std::move(*connector);
}

// Pulls the whole stream; returns the rows read.
long pull_all(Connector& connector) {
  long rows = 0;
  PullRequest request{"invoices", "", ""};
  for (;;) {
    auto page = connector.pull(request);
    if (!page) std::fprintf(stderr, "pull failed: %s\n", page.error().describe().c_str()), std::exit(1);
    rows += static_cast<long>(page->records.size());
    if (page->next_page_token.empty()) return rows;
    request.page_token = std::move(page->next_page_token);
  }
}

void connector_only(const PostgresProcess& pg, const char* label, const std::string& driver_options,
                    long fetch) {
  auto connector = invoice_connector(pg, driver_options, fetch);
  auto start = Steady::now();
  long rows = pull_all(*connector);
  double s = seconds_since(start);
  std::printf("connector only, %s:\n  %ld rows in %.2f s: %.0f rows/s; peak RSS of this process %ld MB\n",
              label, rows, s, rows / s, peak_rss_mb(RUSAGE_SELF));
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;  // support code reports through doctest's macros
  struct {
    long rows = 1'000'000, fetch_size = 5000, declare_fetch = 1000;
  } args;
  parse_long_options(argc, argv,
                     {{"--rows", &args.rows}, {"--fetch-size", &args.fetch_size}, {"--declare-fetch", &args.declare_fetch}});
  std::printf("bench_odbc: %ld invoice rows from PostgreSQL 15 via psqlODBC, fetch_size %ld\n", args.rows,
              args.fetch_size);
  PostgresProcess pg;
  auto start = Steady::now();
  generate(pg, args.rows);
  std::printf("generated in %.1f s\n\n", seconds_since(start));
  std::string declare = "UseDeclareFetch=1;Fetch=" + std::to_string(args.declare_fetch) + ";";

  connector_only(
      pg, ("UseDeclareFetch=1;Fetch=" + std::to_string(args.declare_fetch) + " (server-side cursor)").c_str(),
      declare, args.fetch_size);

  OdbcDeployment deployment(pg, {{"ODBC_FETCH_SIZE", std::to_string(args.fetch_size)}});
  require_ok(deployment.run({"sync", "--once", "--stream", "customers", "--quiet"}), "customers sync");
  start = Steady::now();
  const auto run = deployment.run({"sync", "--once", "--stream", "invoices", "--quiet"}, std::chrono::minutes(60));
  double e2e = seconds_since(start);
  require_ok(run, "invoices sync");
  long mirrored = MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM invoices");
  std::printf(
      "end to end (PostgreSQL -> psqlODBC -> arsync sync --once -> mirror):\n"
      "  %ld invoices in %.2f s: %.0f rows/s; peak RSS of arsync %ld MB\n",
      mirrored, e2e, mirrored / e2e, peak_rss_mb(RUSAGE_CHILDREN));

  connector_only(pg, "psqlODBC default UseDeclareFetch=0 (driver buffers the result)", "", args.fetch_size);
  return mirrored == args.rows ? 0 : 1;
}
