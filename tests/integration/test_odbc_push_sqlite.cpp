// ODBC push through the SQLite ODBC driver (libsqliteodbc) by the real `arsync run`: a small AR
// database in SQLite (tests/fixtures/odbc/sqlite/erp.sql) is pulled into the mirror, portal
// payments are posted on /v1 and pushed by the outbox with tests/fixtures/odbc/sqlite/payments.yaml,
// and each ends up in the ERP's tables exactly once, then comes back by pull linked to its portal
// payment. The PostgreSQL counterpart, with kill -9, is test_odbc_push.cpp.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

const std::string kToken = "odbc-sqlite-token-0123456789";
const fs::path kFixtures = fs::path(ARSYNC_SOURCE_DIR) / "tests/fixtures/odbc/sqlite";

struct SqliteErp {
  TempDir dir{"arsync-odbc-sqlite"};
  fs::path db = dir.path() / "erp.db";

  SqliteErp() { exec(read_text_file(kFixtures / "erp.sql")); }
  void exec(const std::string& sql) const {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    char* error = nullptr;
    int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(h);
    REQUIRE_MESSAGE(rc == SQLITE_OK, message);
  }
  std::int64_t count(const std::string& sql) const {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::int64_t value = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return value;
  }
};

std::string payment_body(std::int64_t customer, std::int64_t invoice, const std::string& amount,
                         const std::string& currency) {
  const json money{{"amount", amount}, {"currency", currency}};
  return json{{"customer_id", customer},
              {"method", "ach"},
              {"reference", "ach-" + amount},
              {"amount", money},
              {"applications", json::array({{{"invoice_id", invoice}, {"amount", money}}})}}
      .dump();
}

}  // namespace

TEST_CASE("sqlite: portal payments pushed by `arsync run` are in the ERP exactly once and come back linked") {
  SqliteErp erp;
  const fs::path mirror = erp.dir.path() / "mirror.db";
  Daemon daemon(std::make_unique<ChildProcess>(
      ChildOptions{ARSYNC_BIN,
                   {"--config", (kFixtures / "arsync.yaml").string(), "run"},
                   {{"ARSYNC_MIRROR", mirror.string()},
                    {"ERP_DB", erp.db.string()},
                    {"PORTAL_TOKEN_SHA256", arsync::to_hex(arsync::sha256(kToken))}},
                   erp.dir.path()}));
  wait_until([&] { return MirrorQuery(mirror).scalar("SELECT count(*) FROM invoices WHERE status = 'open'") == 6; },
             60s, "the first sync");

  // One payment per invoice, in each invoice's currency (JPY has no decimals).
  struct Pay {
    const char* invoice;
    const char* amount;
    const char* currency;
  };
  const Pay pays[] = {{"INV-1", "8.25", "USD"}, {"INV-2", "50.00", "USD"}, {"INV-3", "0.10", "EUR"},
                      {"INV-4", "11.90", "EUR"}, {"INV-5", "1200", "JPY"}, {"INV-6", "1", "JPY"}};
  std::vector<std::string> answers;
  for (const Pay& p : pays) {
    MirrorQuery q(mirror);
    const SqlBinds invoice{std::string(p.invoice)};
    const std::string body = payment_body(q.scalar("SELECT customer_id FROM invoices WHERE erp_id = ?", invoice),
                                          q.scalar("SELECT id FROM invoices WHERE erp_id = ?", invoice), p.amount,
                                          p.currency);
    const HttpHeaders headers{{"Authorization", "Bearer " + kToken},
                              {"Idempotency-Key", std::string("sqlite-") + p.invoice},
                              {"Content-Type", "application/json"}};
    auto reply = daemon.post("/v1/payments", body, headers);
    INFO(reply.body);
    REQUIRE(reply.status == 201);
    CHECK(daemon.post("/v1/payments", body, headers).body == reply.body);  // the same key: nothing new
    answers.push_back(reply.body);
  }
  wait_until([&] { return MirrorQuery(mirror).scalar("SELECT count(*) FROM outbox WHERE status <> 'done'") == 0; },
             60s, "the outbox to deliver");

  CHECK(erp.count("SELECT count(*) FROM ar_payment WHERE portal_key IS NOT NULL") == 6);
  CHECK(erp.count("SELECT count(DISTINCT portal_key) FROM ar_payment") == 6);
  CHECK(erp.count("SELECT count(*) FROM ar_application a JOIN ar_payment p ON a.source_id = p.id "
                  "WHERE p.portal_key IS NOT NULL") == 6);
  // Amounts arrive as the currency's exact decimal text.
  CHECK(erp.count("SELECT count(*) FROM ar_payment WHERE amount IN ('8.25', '50.00', '0.10', '11.90', '1200', '1') "
                  "AND method = 'ACH'") == 6);
  MirrorQuery q(mirror);
  CHECK(q.scalar("SELECT count(DISTINCT erp_ref) FROM portal_payments WHERE erp_ref LIKE 'PP-%'") == 6);
  wait_until(
      [&] { return MirrorQuery(mirror).scalar("SELECT count(*) FROM payments WHERE portal_ref IS NOT NULL") == 6; },
      60s, "the ERP's payments to be pulled back, linked");
  CHECK(MirrorQuery(mirror).scalar("SELECT count(*) FROM payments") == 6);
}
