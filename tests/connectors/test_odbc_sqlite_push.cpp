// The odbc connector's push and look-up against a real SQLite database through the SQLite ODBC
// driver (libsqliteodbc, "SQLite3"): a payment and its applications in one transaction, a
// re-send found by its key instead of written twice, a failing statement rolling everything
// back and named by its place in the mapping, and statements that would break exactly-once
// (no key stored, no lookup:) refused.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "connectors/odbc_connector.hpp"
#include "connectors/odbc_session.hpp"
#include "tests/support/sql_binds.hpp"

using namespace arsync;

namespace {

struct Erp {
  std::filesystem::path dir;
  std::unique_ptr<OdbcSession> session;

  Erp() {
    std::string pattern = (std::filesystem::temp_directory_path() / "odbc-push-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto s = OdbcSession::connect("Driver=SQLite3;Database=" + db() + ";", "", std::chrono::seconds(5));
    REQUIRE_MESSAGE(s, (s ? "" : s.error().describe()));
    session = std::move(*s);
    // Money as TEXT: SQLite's NUMERIC affinity would turn "0.10" into a double.
    sql("CREATE TABLE ar_payment(id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, amount TEXT NOT NULL, "
        "portal_key TEXT UNIQUE)");
    sql("CREATE TABLE ar_application(payment_id TEXT NOT NULL, invoice_id TEXT NOT NULL, amount TEXT NOT NULL, "
        "PRIMARY KEY (payment_id, invoice_id))");
  }
  ~Erp() {
    session.reset();
    std::filesystem::remove_all(dir);
  }
  std::string db() const { return (dir / "erp.db").string(); }
  void sql(const std::string& text) {
    auto ran = session->run(text);
    REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().describe()));
  }
  std::int64_t count(const std::string& table) {
    const std::string sql = "SELECT count(*) FROM " + test::allowed_name(table, {"ar_payment", "ar_application"});
    auto st = session->prepare(sql, std::chrono::seconds(5));
    REQUIRE(st);
    REQUIRE((*st)->execute({}, 1, 64));
    REQUIRE((*st)->fetch() == std::size_t{1});
    return std::stoll(std::string(*(*st)->cell(0, 0)));
  }
};

const char* kLookup = "SELECT id FROM ar_payment WHERE portal_key = ?";

std::unique_ptr<Connector> make(const Erp& erp, const char* lookup = kLookup) {
  ConnectorConfig config;
  config.name = "erp";
  config.type = "odbc";
  config.options = {{"connection_string", {"Driver=SQLite3;Database=" + erp.db() + ";NoCreat=1;", ""}}};
  OptionValues stream = {{"query", {"SELECT id FROM ar_payment", ""}}};
  if (*lookup) stream["lookup"] = {lookup, ""};
  config.streams.push_back({"payments", stream, ""});
  REQUIRE(check_options(config.streams[0].options, odbc_spec().stream_options, "stream").empty());
  auto connector = odbc_spec().create(config, ConnectorContext{});
  REQUIRE_MESSAGE(connector, (connector ? "" : connector.error().describe()));
  return std::move(*connector);
}

// A portal payment of 125.50 paying INV-1 and INV-2, as a mapping renders it: the ERP makes the
// payment's id; the application rows find their payment by its key.
PushRequest payment(const std::string& key, const std::string& second_invoice = "INV-2") {
  PushRequest r{.kind = "payment", .idempotency_key = key, .stream = "payments"};
  r.statements.push_back({"INSERT INTO ar_payment (id, customer_id, amount, portal_key) "
                          "VALUES ('P-' || lower(hex(randomblob(6))), ?, ?, ?)",
                          {"C-1", "125.50", key},
                          "payments.yaml:30:7"});
  const char* app =
      "INSERT INTO ar_application (payment_id, invoice_id, amount) "
      "SELECT id, ?, ? FROM ar_payment WHERE portal_key = ?";
  r.statements.push_back({app, {"INV-1", "100.00", key}, "payments.yaml:34:18"});
  r.statements.push_back({app, {second_invoice, "25.50", key}, "payments.yaml:34:18"});
  return r;
}

}  // namespace

TEST_CASE("sqlite push: a payment and its applications land in one transaction; a re-send finds it") {
  Erp erp;
  auto connector = make(erp);
  auto before = connector->lookup(payment("pp-1"));
  REQUIRE_MESSAGE(before, (before ? "" : before.error().describe()));
  CHECK_FALSE(before->has_value());

  PushResult first = connector->push(payment("pp-1"));
  INFO(first.message);
  REQUIRE(first.status == PushStatus::kDelivered);
  CHECK(first.erp_ref.rfind("P-", 0) == 0);
  CHECK(erp.count("ar_payment") == 1);
  CHECK(erp.count("ar_application") == 2);

  // The outbox's unknown item: looked up, found under the same ERP id.
  auto found = connector->lookup(payment("pp-1"));
  REQUIRE(found);
  CHECK(*found == first.erp_ref);
  // A blind re-send writes nothing: the key is checked first, in the same transaction.
  PushResult again = connector->push(payment("pp-1"));
  CHECK(again.status == PushStatus::kDelivered);
  CHECK(again.erp_ref == first.erp_ref);
  CHECK(again.message.find("already in the ERP") != std::string::npos);
  CHECK(erp.count("ar_payment") == 1);
  CHECK(erp.count("ar_application") == 2);

  CHECK(connector->push(payment("pp-2")).status == PushStatus::kDelivered);
  CHECK(erp.count("ar_payment") == 2);
  CHECK(erp.count("ar_application") == 4);
}

TEST_CASE("sqlite push: a failing statement rolls the whole item back and is named by its mapping place") {
  Erp erp;
  auto connector = make(erp);
  // The same invoice twice: the second application row breaks the primary key.
  PushResult dup = connector->push(payment("pp-dup", "INV-1"));
  INFO(dup.message);
  CHECK(dup.status == PushStatus::kReject);
  CHECK(dup.message.find("statement 3 of 3 (payments.yaml:34:18)") != std::string::npos);
  CHECK(dup.message.find("connector erp stream payments") != std::string::npos);
  CHECK(erp.count("ar_payment") == 0);
  CHECK(erp.count("ar_application") == 0);

  PushRequest typo = payment("pp-typo");
  typo.statements[1].sql = "INSERT INTO ar_aplication (payment_id) VALUES (?)";
  typo.statements[1].params = {"x"};
  PushResult bad = connector->push(typo);
  INFO(bad.message);
  CHECK(bad.status == PushStatus::kReject);
  CHECK(bad.message.find("statement 2 of 3 (payments.yaml:34:18)") != std::string::npos);
  CHECK(bad.message.find("ar_aplication") != std::string::npos);
  CHECK(erp.count("ar_payment") == 0);

  // The connection is still usable, in autocommit again.
  CHECK(connector->push(payment("pp-ok")).status == PushStatus::kDelivered);
  CHECK(erp.count("ar_payment") == 1);
}

TEST_CASE("sqlite push: statements that do not store the key where lookup: searches are refused") {
  Erp erp;
  PushRequest keyless = payment("pp-3");
  keyless.statements[0].params[2] = std::nullopt;  // portal_key not written
  keyless.statements.resize(1);
  PushResult result = make(erp)->push(keyless);
  INFO(result.message);
  CHECK(result.status == PushStatus::kReject);
  CHECK(result.message.find("lookup: finds no row for key pp-3") != std::string::npos);
  CHECK(erp.count("ar_payment") == 0);

  PushResult unkeyed = make(erp, "")->push(payment("pp-4"));
  CHECK(unkeyed.status == PushStatus::kReject);
  CHECK(unkeyed.message.find("has no lookup:") != std::string::npos);
  CHECK(erp.count("ar_payment") == 0);

  PushResult bad_lookup = make(erp, "SELECT id FROM ar_paymnt WHERE portal_key = ?")->push(payment("pp-5"));
  INFO(bad_lookup.message);
  CHECK(bad_lookup.status == PushStatus::kReject);
  CHECK(bad_lookup.message.find("ar_paymnt") != std::string::npos);
}
