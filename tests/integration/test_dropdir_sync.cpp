// The dropdir connector end to end: the real `arsync sync --once` reads export files from a
// temp folder into a mirror — SAP IDoc XML, JSON and CSV with exact counts and sums (XML and
// JSON files of several pages too), a half-written file left alone until complete, a bad
// record rejected while its file lands, an unreadable file quarantined in failed/ (shown by
// `arsync status` and /metrics; an XML file broken past its first page leaves nothing in the
// mirror), and kill -9 mid-file (CSV, streamed XML) followed by a restart: nothing doubled,
// nothing lost, no file half in the mirror (each is several pages of one transaction), every
// file in processed/.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <random>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kRoot = ARSYNC_SOURCE_DIR;

// A scratch deployment: arsync.yaml, the mirror and the drop folders in one temp dir.
struct DropDeployment {
  void configure(const std::string& connectors_yaml) const {
    std::ofstream(dir / "arsync.yaml") << "mirror: " << mirror().string() << "\nconnectors:\n"
                                       << connectors_yaml;
  }
  fs::path folder(const std::string& name) const {
    fs::create_directories(dir / name);
    return dir / name;
  }
  SyncDeployment::Run run(std::vector<std::string> args) const {
    auto child = start(std::move(args));
    auto status = child->wait(std::chrono::minutes(5));
    REQUIRE_MESSAGE(status, "arsync did not finish");
    return {*status, child->stdout_text(), child->stderr_text()};
  }
  std::unique_ptr<ChildProcess> start(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", (dir / "arsync.yaml").string()});
    return std::make_unique<ChildProcess>(ChildOptions{ARSYNC_BIN, args, {}, dir.path()});
  }
  fs::path mirror() const { return dir / "mirror.db"; }
  TempDir dir{"arsync-dropdir"};
};

std::string stream_yaml(const std::string& name, const std::string& mapping, const std::string& pattern) {
  return "      - name: " + name +
         "\n        mapping: " + (kRoot / "etc/mappings/examples" / mapping).string() +
         "\n        pattern: \"" + pattern + "\"\n";
}

std::string connector_yaml(const std::string& name, const fs::path& folder, const std::string& extra,
                           const std::string& streams) {
  return "  - name: " + name + "\n    type: dropdir\n    path: " + folder.string() + "\n" + extra +
         "    streams:\n" + streams;
}

// Copies a fixture into the drop folder as an ERP would: under a temporary name, then renamed.
void drop(const fs::path& fixture, const fs::path& folder, const std::string& name) {
  fs::copy_file(kRoot / "tests/fixtures" / fixture, folder / (name + ".tmp"));
  fs::rename(folder / (name + ".tmp"), folder / name);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) ++n;
  return n;
}

const std::string kCsvStreams = stream_yaml("customers", "csv/customers.yaml", "customers*.csv") +
                                stream_yaml("invoices", "csv/invoices.yaml", "invoices*.csv");

// `count` SAP INVOIC02 IDocs: the fixture's first (EUR, total 1883.18, 2 lines of 1582.50)
// under document numbers first, first + 1, ...
std::string idoc_file(std::int64_t first, int count) {
  std::string fixture = read_text_file(kRoot / "tests/fixtures/sap-idoc/INVOIC02_invoices.xml");
  auto begin = fixture.find("  <IDOC BEGIN"), end = fixture.find("</IDOC>\n", begin) + 8;
  std::string idoc = fixture.substr(begin, end - begin), out = "<?xml version=\"1.0\"?>\n<INVOIC02>\n";
  for (int i = 0; i < count; ++i) {
    std::string one = idoc;
    for (auto at = one.find("0090036021"); at != std::string::npos; at = one.find("0090036021", at))
      one.replace(at, 10, std::to_string(first + i));
    out += one;
  }
  return out + "</INVOIC02>\n";
}

// Each file of invoices, whole or not at all, kRows rows each: grouped by erp_id's first `prefix` characters.
std::int64_t partial_files(MirrorQuery& q, int prefix, int rows) {
  return q.scalar("SELECT count(*) FROM (SELECT count(*) AS n FROM invoices GROUP BY substr(erp_id, 1, ?)) WHERE n <> ?",
                  {prefix, rows});
}

// Runs `arsync sync --once` over `in` (`files` files of `rows` invoices, plus one of customers)
// and kills it with SIGKILL mid-run, until the folder is empty (at most 30 rounds); after each
// kill `partial` (the files not whole in the mirror) must be 0. Then a run to the end: every
// invoice once, every file in processed/.
void kill_again_and_again(const DropDeployment& d, const fs::path& in, int files, int rows,
                          const std::function<std::int64_t(MirrorQuery&)>& partial) {
  // Runs are killed at moments chosen by what they log and do, not by timers, so the kills land
  // mid-stream however fast or loaded the machine is. Even rounds: right after the run has read
  // its k-th file (that file's page is being mapped or committed). Odd rounds: right after the
  // run has moved a file to processed/ (the next file is being read or committed) — these
  // rounds always make progress, so the loop ends.
  std::mt19937 rng(5);  // a fixed jitter, so a failure can be replayed
  std::uniform_int_distribution<int> jitter_ms(0, 40);
  int killed = 0;
  auto processed = [&] { return fs::exists(in / "processed") ? files_in(in / "processed") : 0; };
  for (int round = 0; round < 30 && files_in(in) > 0; ++round) {
    auto arsync = d.start({"sync", "--once"});
    std::size_t wanted_reads = 1 + (round / 2) % 3, processed_before = processed();
    auto deadline = std::chrono::steady_clock::now() + 60s;
    auto reads = [&] {
      std::string log = arsync->stderr_text();
      std::size_t n = 0;
      for (auto at = log.find("event=file_read"); at != std::string::npos;
           at = log.find("event=file_read", at + 1))
        ++n;
      return n;
    };
    auto moment = [&] { return round % 2 == 1 ? processed() > processed_before : reads() >= wanted_reads; };
    while (arsync->running() && !moment() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter_ms(rng)));
    if (arsync->running()) {
      arsync->kill(SIGKILL);
      ++killed;
    }
    auto status = arsync->wait(30s);
    REQUIRE(status);
    if (status->exited) CHECK_MESSAGE(status->ok(), arsync->stderr_text());
    // Whatever the moment of the kill, each file is in the mirror whole or not at all.
    MirrorQuery after_kill(d.mirror());
    CHECK(partial(after_kill) == 0);
  }
  // The kills must have cut runs that had made progress, or this test proves nothing.
  std::size_t left = files_in(in);
  MESSAGE("kill -9 landed during " << killed << " runs; " << left << " of " << files + 1 << " files left");
  CHECK(killed >= 3);
  CHECK(left < static_cast<std::size_t>(files));

  auto final_run = d.run({"sync", "--once"});
  INFO(final_run.err);
  REQUIRE(final_run.status.ok());
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM invoices") == files * rows);
  CHECK(q.scalar("SELECT count(DISTINCT erp_id) FROM invoices") == files * rows);
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  CHECK(files_in(in) == 0);
  CHECK(files_in(in / "processed") == static_cast<std::size_t>(files) + 1);
  bool none_failed = !fs::exists(in / "failed") || files_in(in / "failed") == 0;
  CHECK(none_failed);
}

}  // namespace

TEST_CASE("SAP IDoc and CSV export files sync into the mirror: exact counts and sums, files in processed/") {
  DropDeployment d;
  fs::path sap = d.folder("sap"), csv = d.folder("csv");
  d.configure(connector_yaml("sap", sap, "    complete_when: renamed\n",
                             stream_yaml("customers", "sap-idoc/customers.yaml", "DEBMAS*.xml") +
                                 stream_yaml("invoices", "sap-idoc/invoices.yaml", "INVOIC*.xml")) +
              connector_yaml("csv", csv, "    complete_when: renamed\n", kCsvStreams));
  drop("sap-idoc/DEBMAS06_customers.xml", sap, "DEBMAS06_20250304_0001.xml");
  drop("sap-idoc/INVOIC02_invoices.xml", sap, "INVOIC02_20250304_0001.xml");
  drop("csv/customers.csv", csv, "customers_20250306.csv");
  drop("csv/invoices.csv", csv, "invoices_20250306.csv");

  auto run = d.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());

  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM customers WHERE source = 'sap'") == 3);
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE source = 'sap'") == 2);
  CHECK(q.scalar("SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.source "
                 "= 'sap'") == 3);
  CHECK(q.pairs("SELECT currency, sum(total) FROM invoices WHERE source = 'sap' GROUP BY currency") ==
        std::map<std::string, std::int64_t>{{"EUR", 188318}, {"USD", 209998}});
  CHECK(q.scalar("SELECT sum(l.amount) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE "
                 "i.source = 'sap' AND i.currency = 'EUR'") == 158250);
  CHECK(q.scalar("SELECT count(*) FROM customers WHERE source = 'csv'") == 3);
  CHECK(q.pairs("SELECT currency, sum(total) FROM invoices WHERE source = 'csv' GROUP BY currency") ==
        std::map<std::string, std::int64_t>{{"EUR", 238000}, {"USD", 187190}});
  CHECK(q.pairs("SELECT currency, sum(balance) FROM invoices WHERE source = 'csv' GROUP BY currency") ==
        std::map<std::string, std::int64_t>{{"EUR", 238000}, {"USD", 148200}});
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  CHECK(q.text("SELECT status FROM customers WHERE source = 'sap' AND erp_id = '0000100002'") == "on_hold");
  CHECK(files_in(sap) == 0);
  CHECK(files_in(sap / "processed") == 2);
  CHECK(files_in(csv / "processed") == 2);

  // A second run finds nothing new and changes nothing.
  auto again = d.run({"sync", "--once"});
  REQUIRE(again.status.ok());
  CHECK(q.scalar("SELECT count(*) FROM invoices") == 6);
}

TEST_CASE(
    "a half-written file is left alone until it is complete; a bad record is a reject; a broken file goes to "
    "failed/") {
  DropDeployment d;
  fs::path in = d.folder("in");
  d.configure(connector_yaml("erp", in, "    settle: 10m\n", kCsvStreams));
  auto settled = fs::file_time_type::clock::now() - 1h;
  drop("csv/customers.csv", in, "customers.csv");
  fs::last_write_time(in / "customers.csv", settled);
  // Still being written: its mtime is fresh, and its last row is cut off mid-line.
  write_file(in / "invoices_1.csv",
             "InvoiceNo,CustomerNo,InvoiceDate,DueDate,Currency,Net,Tax,Total,OpenAmount,Status,PONumber\n"
             "INV-1,C-1001,03/01/2025,03/31/2025,USD,10.00,0,10.00,10.00,Open,\nINV-2,C-10");
  // A row with an impossible date: that record is a reject; the others land.
  write_file(in / "invoices_2.csv",
             "InvoiceNo,CustomerNo,InvoiceDate,DueDate,Currency,Net,Tax,Total,OpenAmount,Status,PONumber\n"
             "INV-10,C-1001,03/01/2025,03/31/2025,USD,10.00,0,10.00,10.00,Open,\n"
             "INV-11,C-1002,02/30/2025,03/31/2025,USD,20.00,0,20.00,20.00,Open,\n"
             "INV-12,C-1003,03/02/2025,04/01/2025,EUR,30.00,0,30.00,30.00,Open,\n");
  fs::last_write_time(in / "invoices_2.csv", settled);
  // Broken quoting on line 3: the file cannot be read at all.
  write_file(in / "invoices_3.csv",
             "InvoiceNo,CustomerNo,InvoiceDate,DueDate,Currency,Net,Tax,Total,OpenAmount,Status,PONumber\n"
             "INV-20,C-1001,03/01/2025,03/31/2025,USD,10.00,0,10.00,10.00,Open,\n"
             "INV-21,C-1001,03/01/2025,03/31/2025,USD,\"10.00\"x,0,10.00,10.00,Open,\n");
  fs::last_write_time(in / "invoices_3.csv", settled);

  auto run = d.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM customers") == 3);
  CHECK(q.text("SELECT group_concat(erp_id, ' ') FROM (SELECT erp_id FROM invoices ORDER BY erp_id)") ==
        "INV-10 INV-12");
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 1);
  CHECK(q.text("SELECT record_key FROM rejects") == "INV-11");
  CHECK(q.text("SELECT raw FROM rejects") ==
        "INV-11,C-1002,02/30/2025,03/31/2025,USD,20.00,0,20.00,20.00,Open,");
  CHECK(q.text("SELECT error FROM rejects").find("02/30/2025") != std::string::npos);
  CHECK(fs::exists(in / "processed/invoices_2.csv"));
  CHECK(fs::exists(in / "failed/invoices_3.csv"));
  std::string error = read_text_file(in / "failed/invoices_3.csv.error");
  CHECK(error.find("reason: line 3: malformed quoting") != std::string::npos);
  CHECK(run.err.find("event=file_failed") != std::string::npos);
  CHECK(fs::exists(in / "invoices_1.csv"));  // not touched while being written

  auto status = d.run({"status"});
  CHECK(status.out.find("open rejects: 1") != std::string::npos);
  INFO(status.out);
  CHECK(status.out.find("set aside for an operator: 1") != std::string::npos);
  CHECK(status.out.find((in / "failed/invoices_3.csv").string()) != std::string::npos);
  CHECK(status.out.find("line 3: malformed quoting") != std::string::npos);
  auto json_status = nlohmann::json::parse(d.run({"status", "--json"}).out);
  REQUIRE(json_status["quarantined"].size() == 1);
  CHECK(json_status["quarantined"][0]["stream"] == "invoices");
  CHECK(json_status["quarantined"][0]["connector"] == "erp");

  // The daemon counts it on /metrics after its runs.
  std::ofstream(d.dir / "arsync.yaml", std::ios::app) << "server:\n  listen: 127.0.0.1:0\n";
  {
    Daemon daemon(d.start({"run"}));
    wait_until(
        [&] {
          return daemon.get("/metrics").body.find("arsync_quarantined_items{connector=\"erp\"} 1") != std::string::npos;
        },
        30s, "the failed file on /metrics");
    daemon.process->kill(SIGTERM);
    REQUIRE(daemon.process->wait(30s));
  }

  // The writer finishes; once settled the file is read whole.
  write_file(in / "invoices_1.csv",
             "InvoiceNo,CustomerNo,InvoiceDate,DueDate,Currency,Net,Tax,Total,OpenAmount,Status,PONumber\n"
             "INV-1,C-1001,03/01/2025,03/31/2025,USD,10.00,0,10.00,10.00,Open,\n"
             "INV-2,C-1001,03/02/2025,04/01/2025,USD,12.00,0,12.00,12.00,Open,\n");
  fs::last_write_time(in / "invoices_1.csv", settled);
  REQUIRE(d.run({"sync", "--once"}).status.ok());
  CHECK(q.scalar("SELECT count(*) FROM invoices") == 4);
  CHECK(q.scalar("SELECT sum(total) FROM invoices WHERE currency = 'USD'") == 3200);
  CHECK(fs::exists(in / "processed/invoices_1.csv"));
}

TEST_CASE("XML and JSON files of several pages sync whole; a malformed XML file broken past its first page leaves nothing") {
  DropDeployment d;
  fs::path sap = d.folder("sap"), js = d.folder("json");
  const std::string pages = "        page_rows: 10\n";
  d.configure(connector_yaml("sap", sap, "    complete_when: renamed\n",
                             stream_yaml("customers", "sap-idoc/customers.yaml", "DEBMAS*.xml") +
                                 stream_yaml("invoices", "sap-idoc/invoices.yaml", "INVOIC*.xml") + pages) +
              connector_yaml("json", js, "    complete_when: renamed\n",
                             stream_yaml("customers", "csv/customers.yaml", "customers*.csv") +
                                 stream_yaml("invoices", "csv/invoices.yaml", "invoices*.json") + pages));
  drop("sap-idoc/DEBMAS06_customers.xml", sap, "DEBMAS06_1.xml");
  write_file(sap / "INVOIC02_1.xml", idoc_file(1000000000, 25));  // 3 pages
  std::string broken = idoc_file(2000000000, 25);
  broken.resize(broken.size() - 300);  // cut inside the last IDoc: its line is past the first pages
  write_file(sap / "INVOIC02_2.xml", broken);
  drop("csv/customers.csv", js, "customers.csv");
  std::string json = "[";
  for (int i = 0; i < 25; ++i)
    json += std::string(i ? ",\n" : "") + R"({"InvoiceNo":"J-)" + std::to_string(i) +
            R"(","CustomerNo":"C-1001","InvoiceDate":"03/01/2025","DueDate":"03/31/2025","Currency":"USD",)" +
            R"("Net":)" + std::to_string(10 + i) + R"(.05,"Tax":0,"Total":)" + std::to_string(10 + i) +
            R"(.05,"OpenAmount":1.5,"Status":"Open","PONumber":""})";
  write_file(js / "invoices_1.json", json + "]");

  auto run = d.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE source = 'sap'") == 25);
  CHECK(q.scalar("SELECT sum(total) FROM invoices WHERE source = 'sap'") == 25 * 188318);
  CHECK(q.scalar("SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.source = 'sap'") == 50);
  CHECK(q.scalar("SELECT sum(l.amount) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.source = 'sap'") ==
        25 * 158250);
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE erp_id LIKE '2%'") == 0);  // nothing of the broken file
  CHECK(fs::exists(sap / "processed/INVOIC02_1.xml"));
  CHECK(fs::exists(sap / "failed/INVOIC02_2.xml"));
  std::string error = read_text_file(sap / "failed/INVOIC02_2.xml.error");
  // The line named is in the last IDoc, well past the first page's 10.
  auto at = error.find("reason: line ");
  REQUIRE(at != std::string::npos);
  const std::string first_page = idoc_file(0, 10);
  CHECK(std::stol(error.substr(at + 13)) > std::count(first_page.begin(), first_page.end(), '\n'));
  CHECK(error.find("not well-formed") != std::string::npos);
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE source = 'json'") == 25);
  CHECK(q.scalar("SELECT sum(total) FROM invoices WHERE source = 'json'") == 25 * 1005 + 100 * 300);
  CHECK(q.scalar("SELECT sum(balance) FROM invoices WHERE source = 'json'") == 25 * 150);
  CHECK(fs::exists(js / "processed/invoices_1.json"));
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
}

TEST_CASE("kill -9 of arsync mid-file, again and again: no duplicates, nothing lost, every file processed") {
  DropDeployment d;
  fs::path in = d.folder("in");
  // 1,000 rows a page: each file is 8 pages of one transaction, so kills land between them.
  d.configure(connector_yaml("erp", in, "    complete_when: renamed\n",
                             kCsvStreams + "        page_rows: 1000\n"));
  drop("csv/customers.csv", in, "customers.csv");
  constexpr int kFiles = 6, kRows = 8000;
  std::int64_t expected_sum = 0;
  for (int f = 0; f < kFiles; ++f) {
    std::string csv =
        "InvoiceNo,CustomerNo,InvoiceDate,DueDate,Currency,Net,Tax,Total,OpenAmount,Status,PONumber\n";
    for (int r = 0; r < kRows; ++r) {
      int cents = 100 + (f * kRows + r) % 9000;
      expected_sum += cents;
      std::string amount =
          std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
      csv += "INV-" + std::to_string(f) + "-" + std::to_string(r) + ",C-100" + std::to_string(1 + r % 2) +
             ",03/01/2025,03/31/2025,USD," + amount + ",0," + amount + "," + amount + ",Open,\n";
    }
    write_file(in / ("invoices_" + std::to_string(f) + ".csv.tmp"), csv);
    fs::rename(in / ("invoices_" + std::to_string(f) + ".csv.tmp"),
               in / ("invoices_" + std::to_string(f) + ".csv"));
  }

  kill_again_and_again(d, in, kFiles, kRows, [&](MirrorQuery& q) { return partial_files(q, 6, kRows); });
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT sum(total) FROM invoices") == expected_sum);
}

TEST_CASE("kill -9 of arsync mid-way through streamed XML files: each file whole or not at all, nothing doubled") {
  DropDeployment d;
  fs::path in = d.folder("in");
  // 50 IDocs a page: each file is 8 pages of one transaction, streamed.
  d.configure(connector_yaml("sap", in, "    complete_when: renamed\n",
                             stream_yaml("customers", "sap-idoc/customers.yaml", "DEBMAS*.xml") +
                                 stream_yaml("invoices", "sap-idoc/invoices.yaml", "INVOIC*.xml") +
                                 "        page_rows: 50\n"));
  drop("sap-idoc/DEBMAS06_customers.xml", in, "DEBMAS06_1.xml");
  constexpr int kFiles = 5, kRows = 400;
  for (int f = 0; f < kFiles; ++f) {
    std::string name = "INVOIC02_" + std::to_string(f) + ".xml";
    write_file(in / (name + ".tmp"), idoc_file(9'000'000'000 + f * 1'000'000LL, kRows));  // erp_id 900f......
    fs::rename(in / (name + ".tmp"), in / name);
  }
  kill_again_and_again(d, in, kFiles, kRows, [&](MirrorQuery& q) { return partial_files(q, 4, kRows); });
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT sum(total) FROM invoices") == std::int64_t{kFiles} * kRows * 188318);
  CHECK(q.scalar("SELECT count(*) FROM invoice_lines") == 2 * kFiles * kRows);
}
