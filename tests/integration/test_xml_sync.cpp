// End-to-end over XML: the real arsync binary with the xml-http connector syncing the real
// erp-sim through its Intacct-style XML API (readByQuery/readMore) over loopback.
#include <doctest/doctest.h>

#include "tests/integration/support_xml.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;

namespace {

void post(const ErpSimProcess& sim, const std::string& target, const std::string& body) {
  auto reply = http_request("POST", "127.0.0.1", sim.port(), target, body);
  REQUIRE(reply.status == 200);
}

void mutate(const ErpSimProcess& sim, const std::string& collection, const std::string& action, int count) {
  post(sim, "/admin/mutate",
       R"({"collection":")" + collection + R"(","action":")" + action + R"(","count":)" +
           std::to_string(count) + "}");
}

struct RunCounts {
  std::int64_t inserted, updated, rejected;
  std::string outcome;
};
RunCounts last_run(const MirrorQuery& q, const std::string& stream) {
  const std::string where = " FROM sync_runs WHERE stream = ? ORDER BY id DESC LIMIT 1";
  return {q.scalar("SELECT inserted" + where, {stream}), q.scalar("SELECT updated" + where, {stream}),
          q.scalar("SELECT rejected" + where, {stream}), q.text("SELECT outcome" + where, {stream})};
}

std::string cursors(const std::filesystem::path& mirror) {
  MirrorQuery q(mirror);
  return q.text(
      "SELECT group_concat(stream || '=' || cursor, ';') FROM (SELECT * FROM sync_cursors ORDER BY stream)");
}

}  // namespace

TEST_CASE("the shipped etc/arsync-xml.yaml passes check and mirrors erp-sim exactly over XML") {
  ErpSimProcess sim({"--seed", "21", "--customers", "60", "--invoices", "1500"});
  TempDir state("arsync-xml-demo");
  auto arsync = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", std::string(ARSYNC_SOURCE_DIR) + "/etc/arsync-xml.yaml"});
    ChildProcess child(
        ChildOptions{ARSYNC_BIN,
                     args,
                     {{"ERP_SIM_URL", sim.base_url()}, {"ARSYNC_STATE_DIR", state.path().string()}},
                     state.path()});
    auto status = child.wait(std::chrono::minutes(5));
    REQUIRE(status);
    INFO(child.stdout_text() << child.stderr_text());
    CHECK(status->ok());
    return child.stdout_text();
  };
  CHECK(arsync({"check"}).find("ok (1 connector(s), 4 stream(s)") != std::string::npos);
  arsync({"sync", "--once"});
  check_mirror_matches_sim(state / "mirror-xml.db", sim);
  MirrorQuery q(state / "mirror-xml.db");
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  CHECK(q.scalar("SELECT count(DISTINCT source) FROM invoices") == 1);
}

TEST_CASE("an incremental XML sync after the ERP changes exactly N records touches exactly those") {
  ErpSimProcess sim({"--seed", "22", "--customers", "50", "--invoices", "1000"});
  SyncDeployment deployment(sim);
  use_xml_api(deployment, sim);
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  auto seq_before = MirrorQuery(deployment.mirror()).scalar("SELECT max(updated_seq) FROM invoices");

  SUBCASE("no change in the ERP: nothing is rewritten") {
    REQUIRE(deployment.run({"sync", "--once"}).status.ok());
    MirrorQuery q(deployment.mirror());
    CHECK(last_run(q, "invoices").updated == 0);
    CHECK(q.scalar("SELECT max(updated_seq) FROM invoices") == seq_before);
  }
  SUBCASE("17 modified, 3 voided, 5 added invoices and 4 modified payments come across, nothing else") {
    mutate(sim, "invoices", "modify", 17);
    mutate(sim, "invoices", "void", 3);
    mutate(sim, "invoices", "add", 5);
    mutate(sim, "payments", "modify", 4);
    auto run = deployment.run({"sync", "--once"});
    INFO(run.err);
    REQUIRE(run.status.ok());
    MirrorQuery q(deployment.mirror());
    auto invoices = last_run(q, "invoices");
    CHECK(invoices.inserted == 5);
    CHECK(invoices.updated == 20);
    CHECK(last_run(q, "payments").updated == 4);
    CHECK(last_run(q, "customers").updated == 0);
    CHECK(q.scalar("SELECT count(*) FROM invoices WHERE updated_seq > ?", {seq_before}) == 25);
    CHECK(q.scalar("SELECT count(*) FROM invoices WHERE po_number LIKE 'PO-R%'") == 17);
    check_mirror_matches_sim(deployment.mirror(), sim);
  }
}

TEST_CASE("malformed XML records go to rejects with the mapping's location; the rest lands") {
  ErpSimProcess sim({"--seed", "23", "--customers", "40", "--invoices", "800", "--malformed-rate", "0.05"});
  SyncDeployment deployment(sim);
  use_xml_api(deployment, sim);
  auto run = deployment.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE stream = 'invoices'") > 0);
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE location NOT LIKE '%invoices.yaml:%'") == 0);
  check_mirror_matches_sim(deployment.mirror(), sim);
}

TEST_CASE("5xx, 429 and truncated XML bodies are retried and the sync still converges") {
  ErpSimProcess sim({"--seed", "24", "--customers", "40", "--invoices", "1200", "--error-rate", "0.15",
                     "--rate-429", "0.1", "--retry-after", "0", "--truncate-rate", "0.1"});
  SyncDeployment deployment(sim);
  use_xml_api(deployment, sim, {{"page_size", "100"}, {"retries", "30"}});
  auto run = deployment.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  CHECK(run.err.find("pull_retry") != std::string::npos);
  CHECK(run.err.find("cut off before its end") != std::string::npos);  // a truncation really happened
  check_mirror_matches_sim(deployment.mirror(), sim);
}

TEST_CASE(
    "XML that never arrives whole fails the run clearly, keeps the committed cursors, and the next run "
    "converges") {
  ErpSimProcess sim({"--seed", "25", "--customers", "30", "--invoices", "600"});
  SyncDeployment deployment(sim);
  use_xml_api(deployment, sim, {{"retries", "3"}});
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  const std::string committed = cursors(deployment.mirror());
  REQUIRE_FALSE(committed.empty());

  mutate(sim, "invoices", "modify", 10);
  post(sim, "/admin/faults", R"({"truncate_rate":1})");
  auto failed = deployment.run({"sync", "--once"});
  CHECK(failed.status.exited);
  CHECK(failed.status.code == 1);
  INFO(failed.err);
  CHECK(failed.err.find("gave up after 3 attempts") != std::string::npos);
  CHECK(failed.err.find("response was cut off before its end") != std::string::npos);
  CHECK(cursors(deployment.mirror()) == committed);
  CHECK(
      MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM invoices WHERE po_number LIKE 'PO-R%'") ==
      0);

  post(sim, "/admin/faults", "{}");
  auto again = deployment.run({"sync", "--once"});
  INFO(again.err);
  REQUIRE(again.status.ok());
  MirrorQuery q(deployment.mirror());
  CHECK(last_run(q, "invoices").updated == 10);
  check_mirror_matches_sim(deployment.mirror(), sim);
}

TEST_CASE("a sign-in failure written in a 200 answer stops the run at once with the ERP's words") {
  ErpSimProcess sim({"--seed", "26", "--customers", "5", "--invoices", "20", "--token", "right"});
  SyncDeployment deployment(sim);
  use_xml_api(deployment, sim, {{"session_id", "sess-SECRET-42"}});
  auto run = deployment.run({"sync", "--once"});
  CHECK(run.status.exited);
  CHECK(run.status.code == 1);
  CHECK(run.err.find("XL03000006: Sign-in information is incorrect") != std::string::npos);
  CHECK(run.err.find("pull_retry") == std::string::npos);  // permanent: not retried
  CHECK(run.err.find("SECRET-42") == std::string::npos);   // the session id is a secret
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM sync_cursors") == 0);
  CHECK(q.scalar("SELECT count(*) FROM customers") == 0);
}

TEST_CASE("the Sage Intacct and NetSuite example configs and mappings pass arsync check") {
  TempDir state("arsync-xml-examples");
  for (const char* vendor : {"sage-intacct", "netsuite"}) {
    ChildProcess child(ChildOptions{
        ARSYNC_BIN,
        {"--config",
         std::string(ARSYNC_SOURCE_DIR) + "/etc/mappings/examples/" + vendor + "/arsync.example.yaml",
         "check"},
        {{"ARSYNC_STATE_DIR", state.path().string()}},
        state.path()});
    auto status = child.wait(std::chrono::minutes(1));
    REQUIRE(status);
    INFO(vendor << ": " << child.stdout_text() << child.stderr_text());
    CHECK(status->ok());
  }
}
