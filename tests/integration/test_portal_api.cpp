// The portal API (/v1) as a portal calls it: the real `arsync run` synced from the real erp-sim,
// bearer tokens configured hashed, every answer read over HTTP. The statement's numbers are
// checked against a hand-computed mirror in tests/schema/test_mirror_reader.cpp.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "connectors/hmac.hpp"
#include "schema/money.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"
#include "tests/support/raw_db.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kReadToken = "portal-read-token-0123456789";
const std::string kWriteOnlyToken = "portal-write-only-token-9876";
const std::string kFullToken = "portal-full-token-abcdef";

// What a shell's `printf %s TOKEN | arsync token hash` prints: the CLI an operator uses.
std::string cli_hash(const std::string& token) {
  std::string command = "printf %s '" + token + "' | " ARSYNC_BIN " token hash";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char out[128] = {};
  REQUIRE(std::fgets(out, sizeof out, pipe));
  REQUIRE(pclose(pipe) == 0);
  std::string line(out);
  REQUIRE(line.size() == 65);  // 64 hex digits and a newline
  return line.substr(0, 64);
}

void add_portal_section(const SyncDeployment& deployment) {
  std::ofstream out(deployment.config(), std::ios::app);
  out << "portal:\n  read_threads: 2\n  tokens:\n"
      << "    - name: portal-read\n      sha256: " << cli_hash(kReadToken) << "\n      scopes: [read]\n"
      << "    - name: portal-writer\n      sha256: " << cli_hash(kWriteOnlyToken) << "\n      scopes: [write]\n"
      << "    - name: portal-web\n      sha256: " << cli_hash(kFullToken) << "\n      scopes: [read, write]\n";
}

HttpHeaders bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

json get_json(Daemon& daemon, const std::string& target, unsigned expected = 200) {
  auto reply = daemon.get(target, bearer(kReadToken));
  INFO(target << " -> " << reply.status << " " << reply.body);
  REQUIRE(reply.status == expected);
  CHECK(reply.header("Content-Type") == "application/json");
  return json::parse(reply.body);
}

// Documents have no ERP stream yet: written here as the store writes rows, with the next seq.
void add_documents(const SyncDeployment& deployment, std::int64_t invoice_id) {
  const std::string pdf = "%PDF-1.4 invoice copy";
  std::filesystem::create_directories(deployment.dir() / "documents");
  std::ofstream(deployment.dir() / "documents" / "tampered.pdf") << "%PDF-1.4 changed after it was stored";
  RawDb db(deployment.mirror());
  db.exec("BEGIN; UPDATE mirror_state SET last_seq = last_seq + 2;");
  db.exec("INSERT INTO documents (id, source, erp_id, kind, owner_type, owner_id, file_name, media_type, byte_size,"
          " sha256, content, path, created_at, updated_seq) VALUES"
          " (1, 'demo', 'doc-1', 'invoice', 'invoice', ?1, 'copy.pdf', 'application/pdf', ?2, ?3, CAST(?4 AS BLOB),"
          " NULL, '2025-12-01T00:00:00.000Z', (SELECT last_seq - 1 FROM mirror_state)),"
          " (2, 'demo', 'doc-2', 'invoice', 'invoice', ?1, 'tampered.pdf', 'application/pdf', 10, ?5, NULL,"
          " 'documents/tampered.pdf', '2025-12-01T00:00:00.000Z', (SELECT last_seq FROM mirror_state))",
          {invoice_id, static_cast<std::int64_t>(pdf.size()), arsync::to_hex(arsync::sha256(pdf)), pdf,
           arsync::to_hex(arsync::sha256("the original bytes"))});
  db.exec("COMMIT;");
}

struct Portal {
  ErpSimProcess sim{{"--seed", "47", "--customers", "6", "--invoices", "300"}};
  SyncDeployment deployment{sim, {}, {.poll = "300ms"}};
  std::unique_ptr<Daemon> daemon;

  Portal() {
    add_portal_section(deployment);
    auto synced = deployment.run({"sync", "--once", "-q"});
    REQUIRE_MESSAGE(synced.status.ok(), synced.err);
    add_documents(deployment, first_invoice());
    daemon = std::make_unique<Daemon>(deployment);
  }
  std::int64_t first_invoice() const {
    return MirrorQuery(deployment.mirror()).scalar("SELECT min(id) FROM invoices");
  }
};

const std::regex kAmount(R"(^-?\d+(\.\d+)?$)");

}  // namespace

TEST_CASE("portal API: 401 without or with an unknown token, 403 without the scope, 405, writes need an Idempotency-Key") {
  Portal p;
  Daemon& d = *p.daemon;
  auto none = d.get("/v1/customers");
  CHECK(none.status == 401);
  CHECK(none.header("WWW-Authenticate").find("Bearer") == 0);
  CHECK(json::parse(none.body)["error"]["code"] == "unauthorized");
  CHECK(d.get("/v1/customers", bearer("not-a-token")).status == 401);
  CHECK(d.get("/v1/customers", {{"Authorization", "Basic " + kReadToken}}).status == 401);
  CHECK(d.get("/v1/customers", bearer(kWriteOnlyToken)).status == 403);
  CHECK(d.get("/v1/customers", {{"Authorization", "bearer " + kReadToken}}).status == 200);

  CHECK(d.post("/v1/payments", "{}", bearer(kReadToken)).status == 403);
  // A write-scoped token reaches the write handler, which wants an Idempotency-Key first.
  auto write = d.post("/v1/payments", "{}", bearer(kFullToken));
  CHECK(write.status == 400);
  CHECK(json::parse(write.body)["error"]["code"] == "IdempotencyKeyRequired");
  auto wrong_method = d.post("/v1/customers", "{}", bearer(kFullToken));
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.header("Allow") == "GET");
  CHECK(http_request("DELETE", "127.0.0.1", d.port, "/v1/invoices/1", {}, bearer(kFullToken)).status == 405);

  // A rotated token: SIGHUP takes the new config; the old read token stops working at once.
  {
    std::ifstream in(p.deployment.config());
    std::string config((std::istreambuf_iterator<char>(in)), {});
    const std::string old_hash = cli_hash(kReadToken);
    config.replace(config.find(old_hash), old_hash.size(), cli_hash("rotated-read-token"));
    std::ofstream(p.deployment.config()) << config;
  }
  d.process->kill(SIGHUP);
  wait_until([&] { return d.logged("event=reloaded"); }, 20s, "the reload");
  CHECK(d.get("/v1/customers", bearer(kReadToken)).status == 401);
  CHECK(d.get("/v1/customers", bearer("rotated-read-token")).status == 200);

  // Tokens never reach the log, accepted or refused.
  for (const std::string& token : {kReadToken, kWriteOnlyToken, kFullToken}) CHECK_FALSE(d.logged(token));
}

TEST_CASE("portal config: a token hash that is not 64 hex digits or an unknown scope is refused with its line") {
  ErpSimProcess sim({"--seed", "48", "--customers", "1", "--invoices", "1"});
  SyncDeployment deployment(sim);
  std::ofstream(deployment.config(), std::ios::app)
      << "portal:\n  tokens:\n    - name: web\n      sha256: " << std::string(63, 'a')
      << "\n      scopes: [read, admin]\n";
  auto check = deployment.run({"check"});
  CHECK(check.status.code == 2);
  CHECK(check.err.find("sha256 must be 64 hex digits") != std::string::npos);
  CHECK(check.err.find("unknown scope 'admin'") != std::string::npos);
  CHECK(std::regex_search(check.err, std::regex(R"(arsync\.yaml:\d+:\d+: )")));
}

TEST_CASE("portal API: invoice pages walk every invoice exactly once, in a stable order; filters apply") {
  Portal p;
  Daemon& d = *p.daemon;
  MirrorQuery q(p.deployment.mirror());

  std::vector<std::int64_t> customers;
  for (std::string after;;) {
    json page = get_json(d, "/v1/customers?limit=4" + (after.empty() ? "" : "&after=" + after));
    for (auto& c : page["items"]) customers.push_back(c["id"]);
    if (page["next"].is_null()) break;
    after = page["next"];
  }
  CHECK(customers.size() == 6);

  std::set<std::int64_t> seen;
  for (std::int64_t customer : customers) {
    std::string base = "/v1/customers/" + std::to_string(customer) + "/invoices?limit=7";
    std::pair<std::string, std::int64_t> previous{"", 0};
    std::size_t count = 0;
    for (std::string after;;) {
      json page = get_json(d, base + (after.empty() ? "" : "&after=" + after));
      for (auto& i : page["items"]) {
        std::int64_t id = i["id"];
        CHECK(seen.insert(id).second);  // never twice
        CHECK(i["customer_id"] == customer);
        std::pair<std::string, std::int64_t> key{i["due_date"].is_null() ? i["issue_date"] : i["due_date"], id};
        CHECK(key > previous);  // (effective due date, id) strictly increasing across pages
        previous = key;
        CHECK(std::regex_match(i["total"]["amount"].get<std::string>(), kAmount));
        CHECK(i["total"]["currency"].is_string());
        ++count;
      }
      if (page["next"].is_null()) break;
      after = page["next"];
    }
    CHECK(count == static_cast<std::size_t>(q.scalar(
                       "SELECT count(*) FROM invoices WHERE deleted = 0 AND customer_id = ?", {customer})));
  }
  CHECK(seen.size() == static_cast<std::size_t>(q.scalar("SELECT count(*) FROM invoices WHERE deleted = 0")));

  std::string base = "/v1/customers/" + std::to_string(customers.front()) + "/invoices?limit=500";
  json paid = get_json(d, base + "&status=paid");
  for (auto& i : paid["items"]) CHECK(i["status"] == "paid");
  CHECK(paid["items"].size() == static_cast<std::size_t>(q.scalar(
                                    "SELECT count(*) FROM invoices WHERE status = 'paid' AND deleted = 0 AND customer_id = ?",
                                    {customers.front()})));
  json overdue = get_json(d, base + "&overdue=true&due_before=2030-01-01");
  for (auto& i : overdue["items"]) {
    auto balance = arsync::parse_money(i["balance"]["amount"].get<std::string>(), i["balance"]["currency"].get<std::string>());
    REQUIRE(balance);
    CHECK(balance->minor > 0);
    CHECK(i["status"] != "paid");
  }

  auto error = [&](const std::string& query) {
    json body = get_json(d, base + query, 400);
    return body["error"]["message"].get<std::string>();
  };
  CHECK(error("&status=bogus").find("'status'") != std::string::npos);
  CHECK(error("&stauts=open").find("'stauts'") != std::string::npos);
  CHECK(error("&min_total=10").find("'currency'") != std::string::npos);
  CHECK(error("&currency=USD&min_total=1.234").find("'min_total'") != std::string::npos);
  CHECK(error("&due_before=2025-02-30").find("'due_before'") != std::string::npos);
  CHECK(error("&after=zz").find("after") != std::string::npos);
  CHECK(error("&limit=0").find("'limit'") != std::string::npos);
  get_json(d, "/v1/customers/999999/invoices", 404);
  get_json(d, "/v1/customers/abc", 404);
}

TEST_CASE("portal API: one invoice with lines and applications; a statement balances") {
  Portal p;
  Daemon& d = *p.daemon;
  MirrorQuery q(p.deployment.mirror());
  std::int64_t invoice = q.scalar("SELECT invoice_id FROM applications ORDER BY id LIMIT 1");
  REQUIRE(invoice > 0);
  json detail = get_json(d, "/v1/invoices/" + std::to_string(invoice));
  CHECK(detail["id"] == invoice);
  CHECK(detail["lines"].size() ==
        static_cast<std::size_t>(q.scalar("SELECT count(*) FROM invoice_lines WHERE invoice_id = ?", {invoice})));
  REQUIRE(detail["applied"].size() >= 1);
  std::string currency = detail["total"]["currency"];
  std::int64_t applied = 0;
  for (auto& a : detail["applied"]) {
    auto money = arsync::parse_money(a["amount"]["amount"].get<std::string>(), currency);
    REQUIRE(money);
    applied += money->minor;
  }
  CHECK(applied ==
        q.scalar("SELECT sum(amount) FROM applications WHERE invoice_id = ?", {invoice}));
  get_json(d, "/v1/invoices/99999999", 404);

  std::int64_t customer = q.scalar("SELECT customer_id FROM invoices WHERE id = ?", {invoice});
  json statement = get_json(d, "/v1/customers/" + std::to_string(customer) + "/statement?from=2020-01-01&as_of=2030-12-31");
  REQUIRE(statement["currencies"].size() >= 1);
  for (auto& c : statement["currencies"]) {
    std::string code = c["currency"];
    auto minor = [&](const json& money) { return arsync::parse_money(money["amount"].get<std::string>(), code)->minor; };
    // Everything is in the period: the opening is zero, and closing = aging total - unapplied credit.
    CHECK(minor(c["opening_balance"]) == 0);
    CHECK(minor(c["closing_balance"]) == minor(c["aging"]["total"]) - minor(c["unapplied_credits"]));
    // In 2030 nothing that is owed is still current.
    CHECK(minor(c["aging"]["current"]) == 0);
  }
  get_json(d, "/v1/customers/" + std::to_string(customer) + "/statement?from=2025-02-01&as_of=2025-01-01", 400);
}

TEST_CASE("portal API: the change feed shows exactly what an ERP change touched, after the previous seq") {
  Portal p;
  Daemon& d = *p.daemon;
  std::int64_t last = 0;
  std::size_t total = 0;
  for (;;) {
    json page = get_json(d, "/v1/changes?after=" + std::to_string(last) + "&limit=1000");
    total += page["items"].size();
    if (page["items"].empty()) break;
    CHECK(page["next"].get<std::int64_t>() > last);
    last = page["next"];
  }
  MirrorQuery q(p.deployment.mirror());
  CHECK(total == static_cast<std::size_t>(q.scalar(
                     "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM invoices) +"
                     " (SELECT count(*) FROM credit_memos) + (SELECT count(*) FROM payments) +"
                     " (SELECT count(*) FROM documents)")));

  auto mutated = http_request("POST", "127.0.0.1", p.sim.port(), "/admin/mutate",
                              R"({"collection":"invoices","action":"modify","count":3})");
  REQUIRE(mutated.status == 200);
  std::set<std::string> changed;
  const json ids = json::parse(mutated.body)["ids"];
  for (auto& id : ids) changed.insert(id);
  REQUIRE(changed.size() == 3);

  json feed;
  wait_until(
      [&] {
        feed = get_json(d, "/v1/changes?after=" + std::to_string(last));
        return feed["items"].size() >= 3;
      },
      60s, "the daemon's poll to bring the three changed invoices");
  std::set<std::string> fed;
  for (auto& item : feed["items"]) {
    CHECK(item["type"] == "invoice");
    CHECK(item["deleted"] == false);
    CHECK(item["seq"].get<std::int64_t>() > last);
    fed.insert(item["erp_id"]);
  }
  CHECK(fed == changed);
  CHECK(feed["items"].size() == 3);
  get_json(d, "/v1/changes?after=-1", 400);
}

TEST_CASE("portal API: documents are served with their media type and ETag, 304 when unchanged, never corrupt") {
  Portal p;
  Daemon& d = *p.daemon;
  json list = get_json(d, "/v1/invoices/" + std::to_string(p.first_invoice()) + "/documents");
  REQUIRE(list["items"].size() == 2);
  std::string sha = list["items"][0]["sha256"];

  auto doc = d.get("/v1/documents/1", bearer(kReadToken));
  REQUIRE(doc.status == 200);
  CHECK(doc.header("Content-Type") == "application/pdf");
  CHECK(doc.header("ETag") == "\"" + sha + "\"");
  CHECK(doc.body == "%PDF-1.4 invoice copy");

  HttpHeaders conditional = bearer(kReadToken);
  conditional.emplace_back("If-None-Match", "\"" + sha + "\"");
  auto again = d.get("/v1/documents/1", conditional);
  CHECK(again.status == 304);
  CHECK(again.body.empty());

  auto tampered = d.get("/v1/documents/2", bearer(kReadToken));
  CHECK(tampered.status == 500);
  CHECK(tampered.body.find("PDF") == std::string::npos);
  wait_until([&] { return d.logged("event=document_corrupt"); }, 10s, "the corrupt document to be logged");
  get_json(d, "/v1/documents/3", 404);
}
