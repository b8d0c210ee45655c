// The odbc connector against a real SQLite database through the SQLite ODBC driver
// (libsqliteodbc, "SQLite3"): the same connector code as on PostgreSQL, on another driver.
// Keyset paging with ties, child rows, the stored cursor, incremental reads, and errors.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "connectors/odbc_connector.hpp"
#include "connectors/odbc_session.hpp"

using namespace arsync;

namespace {

struct ScratchFile {
  std::filesystem::path dir;
  ScratchFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "odbc-sqlite-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~ScratchFile() { std::filesystem::remove_all(dir); }
  std::string db() const { return (dir / "erp.db").string(); }
};

const char* kInvoiceQuery =
    "SELECT id, customer_id, modified, total, currency, line_count FROM ar_invoice "
    "WHERE (modified, id) > (?, ?) ORDER BY modified, id";

struct Erp {
  ScratchFile file;
  std::unique_ptr<OdbcSession> session;

  Erp() {
    auto s = OdbcSession::connect("Driver=SQLite3;Database=" + file.db() + ";", "", std::chrono::seconds(5));
    REQUIRE_MESSAGE(s, (s ? "" : s.error().describe()));
    session = std::move(*s);
    sql("CREATE TABLE ar_invoice(id TEXT PRIMARY KEY, customer_id TEXT, modified TEXT NOT NULL, "
        "total TEXT, currency TEXT, line_count INTEGER)");
    sql("CREATE TABLE ar_invoice_line(invoice_id TEXT, line_no INTEGER, amount TEXT, "
        "PRIMARY KEY(invoice_id, line_no))");
    // Five invoices; INV-2..INV-4 share one millisecond (a tie across a page boundary).
    sql("INSERT INTO ar_invoice VALUES "
        "('INV-1','C1','2025-03-01 08:00:00.100','108.25','USD',2),"
        "('INV-2','C1','2025-03-01 08:00:00.200','1200','JPY',1),"
        "('INV-3','C2','2025-03-01 08:00:00.200','12.345','KWD',0),"
        "('INV-4','C2','2025-03-01 08:00:00.200','0.10','EUR',1),"
        "('INV-5','C3','2025-03-01 08:00:00.300',NULL,'USD',0)");
    sql("INSERT INTO ar_invoice_line VALUES ('INV-1',1,'100.00'),('INV-1',2,'8.25'),('INV-2',1,'1200'),"
        "('INV-4',1,'0.10')");
  }
  void sql(const std::string& text) {
    auto ran = session->run(text);
    REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().describe()));
  }
  std::string connection_string() const { return "Driver=SQLite3;Database=" + file.db() + ";NoCreat=1;"; }
};

std::unique_ptr<Connector> make(const Erp& erp, OptionValues stream_options, OptionValues extra = {},
                                ConnectorContext context = {}) {
  ConnectorConfig config;
  config.name = "erp";
  config.type = "odbc";
  config.options = {{"connection_string", {erp.connection_string(), ""}},
                    {"fetch_size", {"2", ""}},
                    {"overlap", {"0s", ""}},
                    {"retries", {"2", ""}},
                    {"backoff_base", {"1ms", ""}}};
  for (auto& [k, v] : extra) config.options[k] = v;
  stream_options.emplace("query", OptionValue{kInvoiceQuery, ""});
  stream_options.emplace("cursor_columns", OptionValue{"modified,id", ""});
  stream_options.emplace("initial_cursor", OptionValue{"1900-01-01 00:00:00,", ""});
  config.streams.push_back({"invoices", std::move(stream_options), ""});
  REQUIRE(check_options(config.options, odbc_spec().options, "connector erp").empty());
  REQUIRE(
      check_options(config.streams[0].options, odbc_spec().stream_options, "stream erp/invoices").empty());
  auto connector = odbc_spec().create(config, context);
  REQUIRE_MESSAGE(connector, (connector ? "" : connector.error().describe()));
  return std::move(*connector);
}

// Pulls a whole run from `cursor`, returning the ids read and the final cursor.
std::pair<std::vector<std::string>, std::string> run(Connector& connector, std::string cursor,
                                                     std::vector<Record>* records = nullptr) {
  std::vector<std::string> ids;
  PullRequest request{"invoices", cursor, ""};
  for (;;) {
    auto page = connector.pull(request);
    REQUIRE_MESSAGE(page, (page ? "" : page.error().describe()));
    for (Record& r : page->records) {
      ids.push_back(r.root.find("id")->text());
      if (records) records->push_back(r);
    }
    cursor = page->cursor;
    if (page->next_page_token.empty()) break;
    request.page_token = page->next_page_token;
  }
  return {ids, cursor};
}

}  // namespace

TEST_CASE("sqlite: a full pull reads every row once, in cursor order, across tied timestamps") {
  Erp erp;
  auto connector = make(erp, {});
  std::vector<Record> records;
  auto [ids, cursor] = run(*connector, "", &records);
  CHECK(ids == std::vector<std::string>{"INV-1", "INV-2", "INV-3", "INV-4", "INV-5"});
  CHECK(cursor == R"(["2025-03-01 08:00:00.300","INV-5"])");
  REQUIRE(records.size() == 5);
  CHECK(records[0].root.find("total")->text() == "108.25");
  CHECK(records[2].root.find("total")->text() == "12.345");
  CHECK(records[4].root.find("total")->is_null());
  CHECK(records[0].root.find("line_count")->type() == Node::Type::kNumber);
  CHECK(records[0].raw.find(R"("total":"108.25")") != std::string::npos);
}

TEST_CASE("sqlite: an incremental pull reads only rows after the cursor, including a later tie") {
  Erp erp;
  auto connector = make(erp, {});
  // The committed cursor sits on INV-3: INV-4 has the same modified time and must still come.
  auto [ids, cursor] = run(*connector, R"(["2025-03-01 08:00:00.200","INV-3"])");
  CHECK(ids == std::vector<std::string>{"INV-4", "INV-5"});
  erp.sql("UPDATE ar_invoice SET modified = '2025-03-02 00:00:00.000' WHERE id IN ('INV-1','INV-3')");
  auto [again, last] = run(*connector, cursor);
  CHECK(again == std::vector<std::string>{"INV-1", "INV-3"});
  CHECK(last == R"(["2025-03-02 00:00:00.000","INV-3"])");
  auto [nothing, same] = run(*connector, last);
  CHECK(nothing.empty());
  CHECK(same == last);
}

TEST_CASE("sqlite: the overlap re-reads the window before the cursor on a run's first page") {
  Erp erp;
  auto connector = make(erp, {}, {{"overlap", {"150ms", ""}}});
  auto [ids, cursor] = run(*connector, R"(["2025-03-01 08:00:00.300","INV-5"])");
  // 08:00:00.300 − 150 ms = 08:00:00.150: INV-2..INV-5 are read again, INV-1 (at .100) is not.
  CHECK(ids == std::vector<std::string>{"INV-2", "INV-3", "INV-4", "INV-5"});
  CHECK(cursor == R"(["2025-03-01 08:00:00.300","INV-5"])");
}

TEST_CASE("sqlite: child rows are nested under their parent as an array, in child query order") {
  Erp erp;
  auto connector = make(erp, {{"child_name", {"lines", ""}},
                              {"child_key", {"invoice_id", ""}},
                              {"child_batch", {"3", ""}},
                              {"child_query",
                               {"SELECT invoice_id, line_no, amount FROM ar_invoice_line "
                                "WHERE invoice_id IN ({keys}) ORDER BY invoice_id, line_no",
                                ""}}});
  std::vector<Record> records;
  run(*connector, "", &records);
  REQUIRE(records.size() == 5);
  const Node* lines = records[0].root.find("lines");
  REQUIRE(lines);
  REQUIRE(lines->children().size() == 2);
  CHECK(lines->children()[1].find("amount")->text() == "8.25");
  CHECK(records[1].root.find("lines")->children().size() == 1);
  CHECK(records[2].root.find("lines")->children().empty());
  CHECK(records[3].root.find("lines")->children()[0].find("amount")->text() == "0.10");
  CHECK(records[0].raw.find(R"("lines":[{"invoice_id":"INV-1")") != std::string::npos);
}

TEST_CASE("sqlite: a stop request ends a pull between blocks as a transient failure") {
  Erp erp;
  std::stop_source stop;
  ConnectorContext context;
  context.stop = stop.get_token();
  auto connector = make(erp, {}, {}, context);
  auto first = connector->pull({"invoices", "", ""});
  REQUIRE(first);
  stop.request_stop();
  auto second = connector->pull({"invoices", "", first->next_page_token});
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == ErrorKind::kTransient);
  CHECK(second.error().message.find("stopped") != std::string::npos);
}

TEST_CASE("sqlite: without cursor columns pages go by offset, and a malformed offset token is an error") {
  Erp erp;
  auto connector = make(erp, {{"query", {"SELECT id FROM ar_invoice ORDER BY id", ""}},
                              {"cursor_columns", {"", ""}},
                              {"initial_cursor", {"", ""}}});
  CHECK(run(*connector, "").first == std::vector<std::string>{"INV-1", "INV-2", "INV-3", "INV-4", "INV-5"});
  auto resumed = connector->pull({"invoices", "", "offset:3"});  // a fresh result skips the rows read
  REQUIRE_MESSAGE(resumed, (resumed ? "" : resumed.error().describe()));
  REQUIRE(resumed->records.size() == 2);
  CHECK(resumed->records[0].root.find("id")->text() == "INV-4");
  for (const char* token :
       {"offset:", "offset:abc", "offset:3x", "offset:-1", "offset:99999999999999999999999"}) {
    CAPTURE(token);
    auto page = connector->pull({"invoices", "", token});
    REQUIRE_FALSE(page);
    CHECK(page.error().kind == ErrorKind::kInvalidInput);
    CHECK(page.error().message.find(std::string("page token '") + token + "'") != std::string::npos);
    CHECK(page.error().message.find("connector erp stream invoices") != std::string::npos);
  }
}

TEST_CASE("sqlite: a SQL error names the connector, the stream and the query, and is permanent") {
  Erp erp;
  ConnectorConfig config;
  auto connector =
      make(erp, {{"query", {"SELECT id, modified FROM ar_invoce WHERE (modified, id) > (?, ?)", ""}}});
  auto page = connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kPermanent);
  CHECK(page.error().message.find("connector erp stream invoices") != std::string::npos);
  CHECK(page.error().message.find("ar_invoce") != std::string::npos);
}

TEST_CASE("sqlite: NoCreat=1 turns a mistyped database path into an error instead of an empty database") {
  ScratchFile file;
  auto session =
      OdbcSession::connect("Driver=SQLite3;Database=" + (file.dir / "typo.db").string() + ";NoCreat=1;", "",
                           std::chrono::seconds(5));
  CHECK_FALSE(session);
  CHECK_FALSE(std::filesystem::exists(file.dir / "typo.db"));
}

TEST_CASE("a connection string's password is redacted wherever it is echoed") {
  CHECK(redact_connection_string("Driver={PostgreSQL Unicode};Uid=a;Pwd=s3cret;Port=5") ==
        "Driver={PostgreSQL Unicode};Uid=a;Pwd=***;Port=5");
  CHECK(redact_connection_string("DSN=x;PASSWORD={a;b}};c};UID=u") == "DSN=x;PASSWORD=***;UID=u");
}

TEST_CASE("every odbc option default parses as its declared type") {
  for (auto schema : {odbc_spec().options, odbc_spec().stream_options}) {
    OptionValues defaults;
    for (const OptionSpec& spec : schema)
      if (!spec.default_value.empty())
        defaults[std::string(spec.key)] = {std::string(spec.default_value), ""};
    for (const Error& e : check_options(defaults, schema, "odbc")) {
      if (e.message.find("needs option") != std::string::npos) continue;  // required keys have no default
      FAIL(e.message);
    }
  }
}

TEST_CASE("the odbc options are checked: either a connection string or a DSN, and complete children") {
  ConnectorConfig config;
  config.name = "erp";
  config.options = {{"fetch_size", {"10", ""}}};
  config.streams.push_back({"invoices", {{"query", {"SELECT 1", ""}}}, ""});
  auto missing = odbc_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("connection_string or dsn") != std::string::npos);
  config.options["dsn"] = {"erp", ""};
  config.streams[0].options["child_name"] = {"lines", ""};
  auto half = odbc_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(half);
  CHECK(half.error().message.find("child_query") != std::string::npos);
}
