// The odbc connector for real: erp-sim's company loaded into a PostgreSQL 15 cluster started
// for the test, read through psqlODBC by the real `arsync sync --once` with the example config
// (etc/mappings/examples/odbc/), and by the connector in-process for fault tests.
#include <doctest/doctest.h>

#include <set>

#include "connectors/odbc_connector.hpp"
#include "tests/integration/support_odbc.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

const std::vector<std::string> kSimFlags = {"--seed", "7", "--customers", "40", "--invoices", "400"};

struct Erp {
  ErpSimProcess sim{kSimFlags};
  PostgresProcess pg;
  std::int64_t invoices = load_company(pg, sim);
};

void require_ok(const SyncDeployment::Run& run) {
  INFO("stdout:\n" << run.out << "\nstderr:\n" << run.err);
  REQUIRE(run.status.ok());
}

std::int64_t last_run(const OdbcDeployment& d, const char* column, const char* stream) {
  return MirrorQuery(d.mirror())
      .scalar("SELECT " + allowed_name(column, {"inserted", "updated", "unchanged", "rejected", "tombstoned", "pages"}) +
                  " FROM sync_runs WHERE stream = ? ORDER BY id DESC LIMIT 1",
              {stream});
}

const char* kInvoiceQuery =
    "SELECT id, total, currency, modified FROM ar_invoice WHERE (modified, id) > (?, ?) ORDER BY modified, "
    "id";

std::unique_ptr<Connector> invoice_connector(const PostgresProcess& pg, const char* query = kInvoiceQuery) {
  ConnectorConfig config;
  config.name = "erpdb";
  config.type = "odbc";
  config.options = {{"connection_string", {pg.connection_string("UseDeclareFetch=1;Fetch=5;"), ""}},
                    {"fetch_size", {"25", ""}},
                    {"retries", {"20", ""}},
                    {"backoff_base", {"20ms", ""}},
                    {"backoff_max", {"500ms", ""}}};
  config.streams.push_back({"invoices",
                            {{"query", {query, ""}},
                             {"cursor_columns", {"modified,id", ""}},
                             {"initial_cursor", {"1900-01-01 00:00:00,", ""}}},
                            ""});
  auto connector = odbc_spec().create(config, ConnectorContext{});
  REQUIRE_MESSAGE(connector, (connector ? "" : connector.error().describe()));
  return std::move(*connector);
}

}  // namespace

TEST_CASE("postgres: a full sync through psqlODBC matches erp-sim's counts and exact sums") {
  Erp erp;
  OdbcDeployment deployment(erp.pg, {{"ODBC_FETCH_SIZE", "97"}});
  require_ok(deployment.run({"sync", "--once"}));
  check_mirror_matches_sim(deployment.mirror(), erp.sim);
  CHECK(last_run(deployment, "inserted", "invoices") == erp.invoices);
  CHECK(last_run(deployment, "pages", "invoices") == (erp.invoices + 96) / 97);
}

TEST_CASE("postgres: an incremental sync reads exactly the updated rows, ties on the cursor included") {
  Erp erp;
  // Pages of 7 split the tied rows across pages; no overlap, so only the keyset finds the ties.
  OdbcDeployment deployment(erp.pg, {{"ODBC_FETCH_SIZE", "7"}, {"ODBC_OVERLAP", "0s"}});
  require_ok(deployment.run({"sync", "--once"}));
  const char* stamp = "'2025-12-01 00:00:00.000'";
  erp.pg.psql(std::string("UPDATE ar_invoice SET po_number = 'PO-R1-' || id, modified = ") + stamp +
              " WHERE id IN (SELECT id FROM ar_invoice ORDER BY id LIMIT 10)");
  require_ok(deployment.run({"sync", "--once"}));
  CHECK(last_run(deployment, "updated", "invoices") == 10);
  CHECK(last_run(deployment, "inserted", "invoices") == 0);
  CHECK(last_run(deployment, "unchanged", "invoices") == 0);

  // Five more rows get the very timestamp the committed cursor holds (a late commit in the same
  // millisecond); their ids sort after the cursor's id, so the keyset must still read them.
  erp.pg.psql(std::string("UPDATE ar_invoice SET po_number = 'PO-R2-' || id, modified = ") + stamp +
              " WHERE id IN (SELECT id FROM ar_invoice ORDER BY id OFFSET 10 LIMIT 5)");
  require_ok(deployment.run({"sync", "--once"}));
  CHECK(last_run(deployment, "updated", "invoices") == 5);
  CHECK(last_run(deployment, "unchanged", "invoices") == 0);
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE po_number LIKE 'PO-R1-%'") == 10);
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE po_number LIKE 'PO-R2-%'") == 5);
  CHECK(q.scalar("SELECT count(*) FROM invoices") == erp.invoices);

  // With the default overlap the re-read rows are absorbed: nothing counts as updated.
  OdbcDeployment overlapping(erp.pg, {{"ODBC_FETCH_SIZE", "7"}});
  require_ok(overlapping.run({"sync", "--once"}));
  require_ok(overlapping.run({"sync", "--once"}));
  CHECK(last_run(overlapping, "updated", "invoices") == 0);
  CHECK(last_run(overlapping, "unchanged", "invoices") == 15);
}

TEST_CASE("postgres: a row with a bad value is rejected with its reason and the rest lands") {
  Erp erp;
  // Two invoices nothing refers to: an unknown currency and a status the mapping has no entry for.
  std::string pick =
      "SELECT id FROM ar_invoice i WHERE NOT EXISTS (SELECT 1 FROM ar_application a WHERE a.invoice_id = "
      "i.id) "
      "ORDER BY id";
  std::string first = erp.pg.psql(pick + " LIMIT 1"), second = erp.pg.psql(pick + " OFFSET 1 LIMIT 1");
  erp.pg.psql("UPDATE ar_invoice SET currency = 'ZZZ' WHERE id = :'first';"
              "UPDATE ar_invoice SET status = 'Disputed?' WHERE id = :'second'",
              {{"first", first}, {"second", second}});
  OdbcDeployment deployment(erp.pg, {{"ODBC_FETCH_SIZE", "50"}});
  require_ok(deployment.run({"sync", "--once"}));
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM invoices") == erp.invoices - 2);
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE stream = 'invoices'") == 2);
  std::string reasons = q.text("SELECT group_concat(record_key || ': ' || error, ' | ') FROM rejects");
  INFO(reasons);
  CHECK(reasons.find(first) != std::string::npos);
  CHECK(reasons.find("ZZZ") != std::string::npos);
  CHECK(reasons.find("Disputed?") != std::string::npos);
  CHECK(q.text("SELECT raw FROM rejects WHERE record_key = ?", {first}).find("\"currency\":\"ZZZ\"") !=
        std::string::npos);
}

TEST_CASE("postgres: a connection lost between pages is replaced and the read completes, nothing twice") {
  Erp erp;
  auto connector = invoice_connector(erp.pg);
  std::vector<std::string> ids;
  PullRequest request{"invoices", "", ""};
  int page_number = 0;
  for (;;) {
    auto page = connector->pull(request);
    REQUIRE_MESSAGE(page, (page ? "" : page.error().describe()));
    for (const Record& r : page->records) ids.push_back(r.root.find("id")->text());
    if (page->next_page_token.empty()) break;
    request.page_token = page->next_page_token;
    ++page_number;
    if (page_number == 2)  // the server kills our backend mid-result
      CHECK(erp.pg.psql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'arsync'") ==
            "1");
    if (page_number == 5) erp.pg.restart();  // every connection dies; the port stays
  }
  CHECK(static_cast<std::int64_t>(ids.size()) == erp.invoices);
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
}

TEST_CASE("postgres: a SQL error names the connector, stream and query, never the password") {
  Erp erp;
  auto connector = invoice_connector(
      erp.pg,
      "SELECT id, totl, modified FROM ar_invoice WHERE (modified, id) > (?, ?) ORDER BY modified, id");
  auto page = connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  INFO(page.error().describe());
  CHECK(page.error().kind == ErrorKind::kPermanent);
  CHECK(page.error().message.find("connector erpdb stream invoices") != std::string::npos);
  CHECK(page.error().message.find("totl") != std::string::npos);
  CHECK(page.error().message.find("42703") != std::string::npos);  // undefined_column
  CHECK(page.error().describe().find(erp.pg.password()) == std::string::npos);
}

TEST_CASE("postgres: non-ASCII text arrives as the same UTF-8 bytes") {
  Erp erp;
  erp.pg.psql(
      "UPDATE ar_invoice SET po_number = 'Müller GmbH – Köln ✓' WHERE id = (SELECT min(id) FROM ar_invoice)");
  auto connector =
      invoice_connector(erp.pg,
                        "SELECT id, po_number, modified FROM ar_invoice WHERE (modified, id) > (?, ?) "
                        "AND po_number LIKE 'M%' ORDER BY modified, id");
  auto page = connector->pull({"invoices", "", ""});
  REQUIRE_MESSAGE(page, (page ? "" : page.error().describe()));
  REQUIRE(page->records.size() == 1);
  CHECK(page->records[0].root.find("po_number")->text() == "Müller GmbH – Köln ✓");
}
