// The dropdir connector on a real folder: which files are complete, one file per page with a
// cursor naming it, the move to processed/ on commit (and after a crash between commit and
// move), unreadable files to failed/ with a .error naming line and reason.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <pugixml.hpp>

#include "connectors/dropdir_connector.hpp"
#include "tests/connectors/scratch_folder.hpp"
#include "tests/result_text.hpp"

using namespace arsync;
using arsync::test::Folder;
using arsync::test::why;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Connector> make(const Folder& folder, OptionValues extra = {}, OptionValues stream = {}) {
  ConnectorConfig config;
  config.name = "erp";
  config.type = "dropdir";
  config.options = {{"path", {folder.path.string(), "test"}}, {"settle", {"2s", "test"}}};
  for (auto& [key, value] : extra) config.options[key] = value;
  StreamConfig invoices{"invoices", {{"pattern", {"*.csv", "test"}}}, "test"};
  for (auto& [key, value] : stream) invoices.options[key] = value;
  config.streams.push_back(invoices);
  REQUIRE(check_options(config.options, dropdir_spec().options, "dropdir").empty());
  auto connector = dropdir_spec().create(config, ConnectorContext{});
  REQUIRE_MESSAGE(connector, why(connector));
  return std::move(*connector);
}

// Pulls a whole run; returns each page's first column values joined, "" for an empty page.
std::vector<std::string> run(Connector& connector, const std::string& cursor,
                             std::string* last_cursor = nullptr, bool commit = true) {
  std::vector<std::string> pages;
  PullRequest request{"invoices", cursor, ""};
  for (;;) {
    auto page = connector.pull(request);
    REQUIRE_MESSAGE(page, why(page));
    std::string ids;
    for (const Record& r : page->records) ids += (ids.empty() ? "" : " ") + r.root.children().front().text();
    pages.push_back(ids);
    if (last_cursor) *last_cursor = page->cursor;
    if (commit) connector.committed(page->cursor);
    if (page->next_page_token.empty()) return pages;
    request.page_token = page->next_page_token;
  }
}

OptionValues option(const char* key, const char* value) { return {{key, {value, "test"}}}; }

}  // namespace

TEST_CASE("each complete file is one page, oldest first, and moves to processed/ once committed") {
  Folder folder;
  folder.write("b.csv", "No\nB1\nB2\n", std::chrono::seconds(100));
  folder.write("a.csv", "No\nA1\n", std::chrono::seconds(50));
  folder.write("notes.txt", "not for this stream");
  auto connector = make(folder);
  std::string cursor;
  CHECK(run(*connector, "", &cursor) == std::vector<std::string>{"B1 B2", "A1"});
  CHECK(cursor.find("\"file\":\"a.csv\"") != std::string::npos);
  CHECK(folder.read("processed/b.csv") == "No\nB1\nB2\n");
  CHECK(folder.has("processed/a.csv"));
  CHECK(!folder.has("a.csv"));
  CHECK(folder.has("notes.txt"));
  // Nothing new: one empty page that keeps the cursor.
  std::string again;
  CHECK(run(*connector, cursor, &again) == std::vector<std::string>{""});
  CHECK(again == cursor);
}

TEST_CASE("a CSV file larger than page_rows is handed over in parts marked continues, one transaction") {
  Folder folder;
  folder.write("a.csv", "No\nA1\nA2\nA3\nA4\nA5\n", std::chrono::seconds(100));
  folder.write("b.csv", "No\nB1\n", std::chrono::seconds(50));
  folder.write("c.csv", "No\nC1\nC2\nC3\n\"C4\n", std::chrono::seconds(10));  // broken on its last row
  auto connector = make(folder, {}, option("page_rows", "2"));
  PullRequest request{"invoices", "", ""};
  std::vector<std::string> ids;
  std::vector<bool> continues;
  std::vector<std::string> cursors;
  for (;;) {
    auto page = connector->pull(request);
    REQUIRE_MESSAGE(page, why(page));
    std::string joined;
    for (const Record& r : page->records) joined += (joined.empty() ? "" : " ") + r.root.children().front().text();
    ids.push_back(joined);
    continues.push_back(page->continues);
    cursors.push_back(page->cursor);
    // Until the file's last part, its cursor is the one before it: committing it moves nothing.
    if (page->continues) CHECK(folder.has("a.csv"));
    connector->committed(page->cursor);
    if (page->next_page_token.empty()) break;
    request.page_token = page->next_page_token;
  }
  // The last page is empty: c.csv, the run's last file, went to failed/.
  CHECK(ids == std::vector<std::string>{"A1 A2", "A3 A4", "A5", "B1", ""});
  CHECK(continues == std::vector<bool>{true, true, false, false, false});
  CHECK(cursors[0] == "");
  CHECK(cursors[1] == "");
  CHECK(cursors[2].find("\"file\":\"a.csv\"") != std::string::npos);
  CHECK(cursors[3].find("\"file\":\"b.csv\"") != std::string::npos);
  CHECK(cursors[4] == cursors[3]);
  CHECK(folder.has("processed/a.csv"));
  CHECK(folder.has("processed/b.csv"));
  // The broken file was checked whole before any part of it was handed over.
  CHECK(folder.has("failed/c.csv"));
  CHECK(folder.read("failed/c.csv.error").find("reason: line 5: a quoted cell is never closed") != std::string::npos);
}

TEST_CASE("complete_when: stable leaves a file modified within `settle` for a later run") {
  Folder folder;
  folder.write("fresh.csv", "No\nF1\n", std::chrono::seconds(0));
  auto connector = make(folder, option("settle", "1h"));
  CHECK(run(*connector, "") == std::vector<std::string>{""});
  CHECK(folder.has("fresh.csv"));
  fs::last_write_time(folder.path / "fresh.csv", fs::file_time_type::clock::now() - std::chrono::hours(2));
  CHECK(run(*connector, "") == std::vector<std::string>{"F1"});
}

TEST_CASE("complete_when: renamed takes a file at once but never one with a temporary name") {
  Folder folder;
  folder.write("inv.csv.tmp", "No\nT1\n", std::chrono::seconds(0));
  folder.write(".inv2.csv", "No\nT2\n", std::chrono::seconds(0));
  auto connector = make(folder, option("complete_when", "renamed"), option("pattern", "*"));
  CHECK(run(*connector, "") == std::vector<std::string>{""});
  fs::rename(folder.path / "inv.csv.tmp", folder.path / "inv.csv");
  CHECK(run(*connector, "") == std::vector<std::string>{"T1"});
  CHECK(folder.has(".inv2.csv"));
}

TEST_CASE("a file committed but not moved (crash between the two) is moved at the next run, not re-read") {
  Folder folder;
  folder.write("a.csv", "No\nA1\n", std::chrono::seconds(100));
  folder.write("b.csv", "No\nB1\n", std::chrono::seconds(50));
  std::string committed_cursor;
  {
    auto connector = make(folder);
    PullRequest request{"invoices", "", ""};
    auto page = connector->pull(request);
    REQUIRE(page);
    committed_cursor = page->cursor;  // the engine committed it, then the process died
  }
  CHECK(folder.has("a.csv"));
  auto connector = make(folder);
  CHECK(run(*connector, committed_cursor) == std::vector<std::string>{"B1"});
  CHECK(folder.has("processed/a.csv"));
  CHECK(folder.has("processed/b.csv"));
}

TEST_CASE("a new file under a committed file's name is read, and processed/ keeps both copies") {
  Folder folder;
  folder.write("daily.csv", "No\nD1\n", std::chrono::seconds(100));
  auto connector = make(folder);
  std::string cursor;
  CHECK(run(*connector, "", &cursor) == std::vector<std::string>{"D1"});
  folder.write("daily.csv", "No\nD2\n", std::chrono::seconds(50));
  CHECK(run(*connector, cursor) == std::vector<std::string>{"D2"});
  CHECK(folder.read("processed/daily.csv") == "No\nD1\n");
  CHECK(folder.read("processed/daily~2.csv") == "No\nD2\n");
}

TEST_CASE("an unreadable file goes to failed/ with a .error naming line and reason; the run goes on") {
  Folder folder;
  folder.write("1-bad.csv", "No,Total\nX1,1\nX2,2,3\n", std::chrono::seconds(100));
  folder.write("2-bad.json", "[{\"No\":\"J1\"},\n {\"No\": }]", std::chrono::seconds(90));
  folder.write("3-good.csv", "No\nG1\n", std::chrono::seconds(80));
  auto connector = make(folder, {}, option("pattern", "*"));
  CHECK(run(*connector, "") == std::vector<std::string>{"G1"});
  CHECK(folder.has("failed/1-bad.csv"));
  std::string error = folder.read("failed/1-bad.csv.error");
  CHECK(error.find("file: 1-bad.csv\n") == 0);
  CHECK(error.find("reason: line 3: 3 cells where the header has 2") != std::string::npos);
  CHECK(folder.has("failed/2-bad.json"));
  CHECK(folder.read("failed/2-bad.json.error").find("reason: line 2, column") != std::string::npos);
  CHECK(folder.has("processed/3-good.csv"));

  // What `arsync status` and /metrics show an operator: each failed file, its stream and reason.
  std::vector<Quarantined> failed = connector->quarantined();
  REQUIRE(failed.size() == 2);
  std::sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) { return a.item < b.item; });
  CHECK(failed[0].item == (folder.path / "failed/1-bad.csv").string());
  CHECK(failed[0].stream == "invoices");
  CHECK(failed[0].reason == "line 3: 3 cells where the header has 2 (a delimiter inside an unquoted cell? quote the cell)");
  CHECK(failed[0].since.size() == 20);  // 2026-11-23T00:00:00Z
  CHECK(failed[1].item == (folder.path / "failed/2-bad.json").string());
  CHECK(failed[1].reason.find("line 2, column") == 0);
  fs::remove(folder.path / "failed/1-bad.csv");  // the operator dealt with it
  CHECK(connector->quarantined().size() == 1);
}

TEST_CASE("XML files: records are the elements the records XPath selects") {
  Folder folder;
  folder.write("x.xml", "<Export><Invoice><No>X1</No></Invoice><Invoice><No>X2</No></Invoice></Export>");
  auto connector = make(folder, {}, {{"pattern", {"*.xml", "t"}}, {"records", {"/Export/Invoice", "t"}}});
  auto page = connector->pull({"invoices", "", ""});
  REQUIRE_MESSAGE(page, why(page));
  REQUIRE(page->records.size() == 2);
  CHECK(page->records[1].raw == "<Invoice><No>X2</No></Invoice>");
}

// Pulls a whole run of the stream; one line per page: its records' first values, "+" if it continues.
std::vector<std::string> pages_of(Connector& connector) {
  std::vector<std::string> pages;
  PullRequest request{"invoices", "", ""};
  for (;;) {
    auto page = connector.pull(request);
    REQUIRE_MESSAGE(page, why(page));
    std::string ids;
    for (const Record& r : page->records)
      ids += (ids.empty() ? "" : " ") + std::string(r.xml_element ? pugi::xml_node(r.xml_element).child_value("No")
                                                                  : r.root.children().front().text());
    pages.push_back(ids + (page->continues ? " +" : ""));
    connector.committed(page->cursor);
    if (page->next_page_token.empty()) return pages;
    request.page_token = page->next_page_token;
  }
}

TEST_CASE("XML and JSON files larger than page_rows are handed over in parts, a broken one checked whole first") {
  Folder folder;
  folder.write("a.xml", "<E><I><No>A1</No></I><I><No>A2</No></I><I><No>A3</No></I></E>", std::chrono::seconds(100));
  folder.write("b.json", R"([{"No":"B1"},{"No":"B2"},{"No":"B3"},{"No":"B4"}])", std::chrono::seconds(90));
  // Well-formed for two pages, broken on line 4.
  folder.write("c.xml", "<E>\n<I><No>C1</No></I><I><No>C2</No></I>\n<I><No>C3</No></I>\n<I><No>C4</I>\n</E>\n",
               std::chrono::seconds(80));
  folder.write("d.json", "[{\"No\":\"D1\"},{\"No\":\"D2\"},\n{\"No\":\"D3\"},\n{\"No\": D4}]", std::chrono::seconds(70));
  // Larger than max_file_bytes: streamed XML has no limit, a file read whole does.
  folder.write("e.xml", "<E><I><No>E1</No></I><I><No>E2</No></I><I><No>E3</No></I></E>", std::chrono::seconds(60));
  folder.write("f.json", R"([{"No":"F1"},{"No":"F2"},{"No":"F3"},{"No":"F4"},{"No":"F5"}])", std::chrono::seconds(50));
  auto connector = make(folder, option("max_file_bytes", "60"),
                        {{"pattern", {"*", "t"}}, {"records", {"", "t"}}, {"page_rows", {"2", "t"}}});
  // The last page is empty: f.json, the run's last file, went to failed/.
  CHECK(pages_of(*connector) == std::vector<std::string>{"A1 A2 +", "A3", "B1 B2 +", "B3 B4", "E1 E2 +", "E3", ""});
  CHECK(folder.files("processed") == std::vector<std::string>{"a.xml", "b.json", "e.xml"});
  CHECK(folder.files("failed") ==
        std::vector<std::string>{"c.xml", "c.xml.error", "d.json", "d.json.error", "f.json", "f.json.error"});
  CHECK(folder.read("failed/c.xml.error").find("reason: line 4, column 12: the XML file is not well-formed: mismatched tag") !=
        std::string::npos);
  CHECK(folder.read("failed/d.json.error").find("reason: line 3, column") != std::string::npos);
  CHECK(folder.read("failed/f.json.error").find("more than max_file_bytes (60)") != std::string::npos);
}

TEST_CASE("an XML file whose records XPath is not a simple path is read whole, within max_file_bytes") {
  Folder folder;
  folder.write("x.xml", "<E><B><I><No>X1</No></I></B><I><No>X2</No></I><I><No>X3</No></I></E>", std::chrono::seconds(90));
  folder.write("y.xml", "<E><I><No>Y1</No></I><I><No>Y2</No></I><I><No>Y3</No></I><I><No>Y4</No></I></E>",
               std::chrono::seconds(80));
  auto connector = make(folder, option("max_file_bytes", "70"),
                        {{"pattern", {"*.xml", "t"}}, {"records", {"//I", "t"}}, {"page_rows", {"2", "t"}}});
  CHECK(pages_of(*connector) == std::vector<std::string>{"X1 X2 +", "X3", ""});
  CHECK(folder.files("failed") == std::vector<std::string>{"y.xml", "y.xml.error"});
}

TEST_CASE("bad options are refused when the connector is created") {
  Folder folder;
  ConnectorConfig config{
      "erp", "dropdir", {{"path", {"relative/dir", "arsync.yaml:3:5"}}}, {}, "arsync.yaml:1:3"};
  auto relative = dropdir_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(relative);
  CHECK(relative.error().describe() == "arsync.yaml:3:5: connector erp: path must be absolute");
  config.options["path"] = {(folder.path / "missing").string(), "x"};
  auto missing = dropdir_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("is not there or not a folder") != std::string::npos);
  config.options["path"] = {folder.path.string(), "x"};
  config.options["complete_when"] = {"whenever", "x"};
  CHECK_FALSE(dropdir_spec().create(config, ConnectorContext{}));
}
