// Invoice copies pulled from the ERP into the mirror and served by the portal (issue 7): the real
// arsync with the shipped etc/arsync.yaml streams (invoice_documents downloads each listed
// invoice's PDF) against the real erp-sim, then GET /v1/documents/{id} from `arsync run`.
#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/hmac.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "documents-test-token-0123456789";

// etc/arsync.yaml as shipped (its mapping paths made absolute), plus a server and a portal token.
void write_demo_config(const SyncDeployment& d, const ErpSimProcess& sim) {
  std::ifstream in(std::string(ARSYNC_SOURCE_DIR) + "/etc/arsync.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = std::regex_replace(text.str(), std::regex("mapping: mappings/"),
                                          "mapping: " + std::string(ARSYNC_SOURCE_DIR) + "/etc/mappings/");
  config = std::regex_replace(config, std::regex(R"(\$\{ERP_SIM_URL\})"), sim.base_url());
  config = std::regex_replace(config, std::regex(R"(\$\{ERP_SIM_TOKEN\})"), "tok");
  config = std::regex_replace(config, std::regex("mirror: .*"), "mirror: " + d.mirror().string());
  config += "server:\n  listen: 127.0.0.1:0\nportal:\n  tokens:\n    - name: portal-web\n      sha256: " +
            arsync::to_hex(arsync::sha256(kToken)) + "\n      scopes: [read]\n";
  std::ofstream(d.config(), std::ios::trunc) << config;
}

std::string last_run(const SyncDeployment& d, const std::string& column) {
  return MirrorQuery(d.mirror()).text("SELECT " + allowed_name(column, {"outcome", "inserted", "updated", "unchanged",
                                                                        "rejected"}) +
                                      " FROM sync_runs WHERE stream = 'invoice_documents' ORDER BY id DESC LIMIT 1");
}

std::string sim_pdf(const ErpSimProcess& sim, const std::string& invoice) {
  return http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices('" + invoice + "')/pdf", {},
                      {{"Authorization", "Bearer tok"}})
      .body;
}

// `arsync status`'s runs table keeps its columns in line whatever the lengths of the names in
// it: in every row a text column starts where its title starts and a count ends where its
// title ends. `stream` must be one of the rows.
// The table in a CLI's output whose header starts with "connector": every row's cells start
// under their left-aligned titles and end under their right-aligned ones.
void check_table_aligned(const std::string& output, const std::string& stream, const std::vector<std::string>& left,
                         const std::vector<std::string>& right) {
  std::istringstream lines(output);
  std::string header;
  while (std::getline(lines, header) && header.rfind("connector ", 0) != 0) {
  }
  REQUIRE(header.rfind("connector ", 0) == 0);
  std::vector<std::size_t> starts, ends;
  for (const std::string& title : left) {
    REQUIRE(header.find(" " + title + " ") != std::string::npos);
    starts.push_back(header.find(" " + title + " ") + 1);
  }
  for (const std::string& title : right) {
    REQUIRE(header.find(title) != std::string::npos);
    ends.push_back(header.find(title) + title.size());
  }
  bool seen = false;
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    if (line.rfind("    error: ", 0) == 0) continue;
    seen = seen || line.find(" " + stream + " ") != std::string::npos;
    INFO(header);
    INFO(line);
    for (std::size_t at : starts) CHECK((at < line.size() && line[at - 1] == ' ' && line[at] != ' '));
    for (std::size_t end : ends)
      CHECK((end <= line.size() && std::isdigit(static_cast<unsigned char>(line[end - 1])) &&
             (end == line.size() || line[end] == ' ')));
  }
  CHECK_MESSAGE(seen, output);
}

}  // namespace

TEST_CASE("invoice PDFs are pulled once with their sha256, re-pulled when the invoice changes, served by the portal") {
  ErpSimProcess sim({"--seed", "51", "--customers", "20", "--invoices", "300", "--token", "tok"});
  SyncDeployment d(sim);
  write_demo_config(d, sim);
  auto first = d.run({"sync", "--once"});
  INFO(first.err);
  REQUIRE(first.status.ok());
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM documents WHERE owner_type = 'invoice' AND media_type = 'application/pdf' "
                 "AND kind = 'invoice'") == 300);
  CHECK(q.scalar("SELECT count(*) FROM documents d JOIN invoices i ON i.id = d.owner_id AND i.erp_id = d.erp_id") == 300);
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  CHECK(q.scalar("SELECT count(*) FROM documents WHERE typeof(content) <> 'blob' OR byte_size <> length(content)") == 0);
  // invoice_documents is longer than a fixed column would be
  check_table_aligned(first.out, "invoice_documents", {"stream"}, {"records", "inserted", "updated", "unchanged", "rejected"});
  check_table_aligned(d.run({"status"}).out, "invoice_documents", {"stream", "cursor", "last run", "outcome"},
                      {"inserted", "updated", "rejected"});
  const std::string invoice = "INV-0000042";
  const std::string pdf = sim_pdf(sim, invoice);
  REQUIRE(pdf.find('\0') != std::string::npos);  // the copy carries a NUL and bytes that are not UTF-8
  REQUIRE(pdf.find("\xE2\xE3\xCF\xD3") != std::string::npos);
  CHECK(q.text("SELECT sha256 FROM documents WHERE erp_id = ?", {invoice}) ==
        arsync::to_hex(arsync::sha256(pdf)));

  // Nothing changed in the ERP: no copy is written again (only the overlap window is re-listed).
  const auto seq = q.scalar("SELECT max(updated_seq) FROM documents");
  REQUIRE(d.run({"sync", "--once"}).status.ok());
  CHECK(last_run(d, "inserted") == "0");
  CHECK(last_run(d, "updated") == "0");
  CHECK(std::stoll(last_run(d, "unchanged")) < 10);
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT max(updated_seq) FROM documents") == seq);

  // Two invoices voided: exactly their copies are fetched again and rewritten.
  auto voided = json::parse(http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                                         R"({"collection":"invoices","action":"void","count":2})")
                                .body)["ids"];
  REQUIRE(d.run({"sync", "--once"}).status.ok());
  CHECK(last_run(d, "updated") == "2");
  for (const auto& id : voided)
    CHECK(MirrorQuery(d.mirror()).text("SELECT sha256 FROM documents WHERE erp_id = ?", {id.get<std::string>()}) ==
          arsync::to_hex(arsync::sha256(sim_pdf(sim, id.get<std::string>()))));

  Daemon daemon(d);
  const HttpHeaders auth = {{"Authorization", "Bearer " + kToken}};
  const std::string invoice_id = std::to_string(q.scalar("SELECT id FROM invoices WHERE erp_id = ?", {invoice}));
  auto list = daemon.get("/v1/invoices/" + invoice_id + "/documents", auth);
  INFO(list.body);
  REQUIRE(list.status == 200);
  const json items = json::parse(list.body)["items"];
  REQUIRE(items.size() == 1);
  CHECK(items[0]["file_name"] == "SI-0000042.pdf");
  auto copy = daemon.get(items[0]["href"].get<std::string>(), auth);
  REQUIRE(copy.status == 200);
  CHECK(copy.body == pdf);
  CHECK(copy.header("Content-Type") == "application/pdf");
  const std::string etag = "\"" + arsync::to_hex(arsync::sha256(pdf)) + "\"";
  CHECK(copy.header("ETag") == etag);
  HttpHeaders cached = auth;
  cached.emplace_back("If-None-Match", etag);
  CHECK(daemon.get(items[0]["href"].get<std::string>(), cached).status == 304);
}
