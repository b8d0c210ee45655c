// End-to-end: the real arsync binary syncing the real erp-sim over loopback.
#include <doctest/doctest.h>

#include "tests/integration/support.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;

namespace {

void mutate(const ErpSimProcess& sim, const std::string& collection, const std::string& action, int count) {
  auto reply = http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                            R"({"collection":")" + collection + R"(","action":")" + action + R"(","count":)" +
                                std::to_string(count) + "}");
  REQUIRE(reply.status == 200);
}

// The counters of the latest run of a stream.
struct RunCounts {
  std::int64_t inserted, updated, rejected;
  std::string outcome;
};
RunCounts last_run(const MirrorQuery& q, const std::string& stream) {
  const std::string where = " FROM sync_runs WHERE stream = ? ORDER BY id DESC LIMIT 1";
  return {q.scalar("SELECT inserted" + where, {stream}), q.scalar("SELECT updated" + where, {stream}),
          q.scalar("SELECT rejected" + where, {stream}), q.text("SELECT outcome" + where, {stream})};
}

}  // namespace

TEST_CASE("a full sync mirrors the demo ERP exactly: counts and money sums per currency") {
  ErpSimProcess sim({"--seed", "11", "--customers", "60", "--invoices", "1500"});
  SyncDeployment deployment(sim);
  auto run = deployment.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  CHECK(run.out.find("0 rejected") != std::string::npos);
  check_mirror_matches_sim(deployment.mirror(), sim);

  MirrorQuery q(deployment.mirror());
  // Spot-check the mapping end to end: JPY has no minor unit, KWD has three.
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE currency NOT IN ('USD','EUR','JPY','KWD')") == 0);
  CHECK(q.scalar("SELECT count(DISTINCT currency) FROM invoices") >= 2);
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE status = 'void' AND balance <> 0") == 0);
  CHECK(q.scalar("SELECT count(*) FROM sync_cursors WHERE source = 'demo'") == 4);
}

TEST_CASE("an incremental sync after the ERP changes exactly N records touches exactly those") {
  ErpSimProcess sim({"--seed", "12", "--customers", "40", "--invoices", "800"});
  SyncDeployment deployment(sim);
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  auto seq_before = MirrorQuery(deployment.mirror()).scalar("SELECT max(updated_seq) FROM invoices");

  SUBCASE("with nothing changed, nothing is written") {
    REQUIRE(deployment.run({"sync", "--once"}).status.ok());
    MirrorQuery q(deployment.mirror());
    auto counts = last_run(q, "invoices");
    CHECK(counts.inserted == 0);
    CHECK(counts.updated == 0);
    CHECK(q.scalar("SELECT max(updated_seq) FROM invoices") == seq_before);
  }
  SUBCASE("modified, voided and added invoices arrive, and only they") {
    mutate(sim, "invoices", "modify", 17);
    mutate(sim, "invoices", "void", 3);
    mutate(sim, "invoices", "add", 5);
    auto run = deployment.run({"sync", "--once"});
    INFO(run.err);
    REQUIRE(run.status.ok());
    MirrorQuery q(deployment.mirror());
    auto counts = last_run(q, "invoices");
    CHECK(counts.inserted == 5);
    CHECK(counts.updated == 20);
    CHECK(q.scalar("SELECT count(*) FROM invoices WHERE updated_seq > ?", {seq_before}) == 25);
    check_mirror_matches_sim(deployment.mirror(), sim);
  }
}

TEST_CASE("malformed records are rejected with the reason and the mapping location; the rest lands") {
  ErpSimProcess sim({"--seed", "13", "--customers", "40", "--invoices", "1000", "--malformed-rate", "0.03"});
  SyncDeployment deployment(sim);
  auto run = deployment.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());  // rejects are reported, not failures
  auto stats = parse_exact(http_request("GET", "127.0.0.1", sim.port(), "/admin/stats").body);
  auto malformed = exact_integer(stats["invoices"]["malformed"]);
  REQUIRE(malformed > 0);

  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE stream = 'invoices'") == malformed);
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE error = '' OR raw = ''") == 0);
  // Spoiled amounts and dates point at the rule in the mapping file; a record without an id
  // is keyed by its position in the page.
  CHECK(q.scalar("SELECT count(*) FROM rejects WHERE location LIKE '%invoices.yaml:%'") > 0);
  check_mirror_matches_sim(deployment.mirror(), sim);

  SUBCASE("a replay of the same pages adds no duplicate rejects for unchanged records") {
    REQUIRE(deployment.run({"sync", "--once"}).status.ok());
    // The overlap window re-reads at most the last few records of each stream.
    CHECK(q.scalar("SELECT count(*) FROM rejects WHERE stream = 'invoices'") <= malformed + 5);
  }
}

TEST_CASE("5xx, 429, latency and truncated bodies are retried and the sync still converges") {
  ErpSimProcess sim({"--seed", "14", "--customers", "40", "--invoices", "1200", "--error-rate", "0.15",
                     "--rate-429", "0.1", "--retry-after", "0", "--latency-ms", "2", "--truncate-rate",
                     "0.1"});
  SyncDeployment deployment(sim, {{"page_size", "100"}, {"retries", "30"}});
  auto run = deployment.run({"sync", "--once"});
  INFO(run.err);
  REQUIRE(run.status.ok());
  CHECK(run.err.find("pull_retry") != std::string::npos);  // the faults really happened
  check_mirror_matches_sim(deployment.mirror(), sim);
}

TEST_CASE("an unreachable ERP fails the run with exit code 1 and a clear message, cursor untouched") {
  ErpSimProcess sim({"--seed", "15", "--customers", "5", "--invoices", "10"});
  SyncDeployment deployment(sim, {{"retries", "2"}, {"timeout", "2s"}});
  sim.stop();
  auto run = deployment.run({"sync", "--once"});
  CHECK(run.status.exited);
  CHECK(run.status.code == 1);
  CHECK(run.out.find("FAILED") != std::string::npos);
  CHECK(run.err.find("connect failed") != std::string::npos);
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM sync_cursors") == 0);
  CHECK(q.text("SELECT outcome FROM sync_runs ORDER BY id DESC LIMIT 1") == "failed");
}

TEST_CASE("a bad config is reported with file:line:col and exit code 2") {
  ErpSimProcess sim({"--seed", "16", "--customers", "5", "--invoices", "10"});
  SyncDeployment deployment(sim, {{"page_sise", "10"}});
  auto run = deployment.run({"sync", "--once"});
  CHECK(run.status.code == 2);
  CHECK(run.err.find("arsync.yaml:") != std::string::npos);
  CHECK(run.err.find("did you mean 'page_size'") != std::string::npos);
}
