// Deletes against the real erp-sim (DESIGN §4): a reconcile pass tombstones exactly the
// invoices the ERP deleted, and one that does not read the whole stream tombstones nothing,
// whether it failed, was stopped, or its process was killed.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>

#include "daemon/generation.hpp"
#include "daemon/sync_engine.hpp"
#include "tests/integration/support_daemon.hpp"
#include "tests/support/raw_db.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

// The demo connector and its invoices stream, built in this process from the deployment's config.
struct InvoicesStream {
  std::shared_ptr<const Generation> generation;
  std::unique_ptr<Connector> connector;
  const Mapping* mapping = nullptr;

  explicit InvoicesStream(const SyncDeployment& deployment) {
    auto loaded = load_generation(deployment.config());
    REQUIRE(loaded);
    generation = *loaded;
    const ConnectorEntry& entry = generation->config.connectors.at(0);
    auto created = entry.spec->create(entry.config, ConnectorContext{});
    REQUIRE(created);
    connector = std::move(*created);
    for (const StreamEntry& s : entry.streams)
      if (s.name == "invoices") mapping = &generation->mapping(s);
    REQUIRE(mapping);
  }
};

// Fails (or stops) the scan after `pages` pages: the real connector, with a fault after it.
class CutShort final : public Connector {
 public:
  CutShort(Connector& inner, int pages, std::stop_source* stop) : inner_(inner), left_(pages), stop_(stop) {}
  Result<Page> pull(const PullRequest& request) override {
    if (left_-- > 0) return inner_.pull(request);
    if (stop_) stop_->request_stop();
    return fail(ErrorKind::kTransient, "connection reset (injected)");
  }

 private:
  Connector& inner_;
  int left_;
  std::stop_source* stop_;
};

std::set<std::string> deleted_invoices(const ErpSimProcess& sim, int count) {
  auto reply = http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                            R"({"collection":"invoices","action":"delete","count":)" + std::to_string(count) + "}");
  REQUIRE(reply.status == 200);
  std::set<std::string> ids;
  const auto body = nlohmann::json::parse(reply.body);
  for (const auto& id : body["ids"]) ids.insert(id.get<std::string>());
  REQUIRE(ids.size() == static_cast<std::size_t>(count));
  return ids;
}

std::set<std::string> tombstoned(const SyncDeployment& deployment) {
  std::set<std::string> ids;
  std::string text =
      MirrorQuery(deployment.mirror()).text("SELECT group_concat(erp_id, ' ') FROM invoices WHERE deleted = 1");
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find(' ', at), text.size());
    ids.insert(text.substr(at, end - at));
    at = end + 1;
  }
  return ids;
}

std::string invoices_cursor(const SyncDeployment& deployment) {
  return MirrorQuery(deployment.mirror())
      .text("SELECT cursor FROM sync_cursors WHERE source = 'demo' AND stream = 'invoices'");
}

}  // namespace

TEST_CASE("a reconcile tombstones exactly the invoices deleted in the ERP and leaves the cursor alone") {
  ErpSimProcess sim({"--seed", "71", "--customers", "40", "--invoices", "3000"});
  SyncDeployment deployment(sim, {{"page_size", "400"}});
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  const std::string cursor = invoices_cursor(deployment);
  const auto deleted = deleted_invoices(sim, 9);

  InvoicesStream stream(deployment);
  auto store = MirrorStore::open(deployment.mirror());
  REQUIRE(store);
  StreamStats stats = reconcile_stream(**store, {*stream.connector, *stream.mapping, "demo", "invoices"}, {});
  INFO((stats.error ? stats.error->describe() : ""));
  REQUIRE_FALSE(stats.error);
  CHECK(stats.tombstoned == 9);
  CHECK(stats.pages >= 7);  // the whole stream, from an empty cursor
  store->reset();
  CHECK(tombstoned(deployment) == deleted);
  CHECK(invoices_cursor(deployment) == cursor);
  check_mirror_matches_sim(deployment.mirror(), sim);
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT tombstoned FROM sync_runs WHERE kind = 'reconcile'") == 9);
  CHECK(q.text("SELECT outcome FROM sync_runs WHERE kind = 'reconcile'") == "succeeded");
}

TEST_CASE("a reconcile that fails or is stopped mid-scan tombstones nothing") {
  ErpSimProcess sim({"--seed", "72", "--customers", "40", "--invoices", "3000"});
  SyncDeployment deployment(sim, {{"page_size", "400"}});
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  deleted_invoices(sim, 6);
  InvoicesStream stream(deployment);
  auto store = MirrorStore::open(deployment.mirror());
  REQUIRE(store);

  SUBCASE("the ERP fails after three pages") {
    CutShort failing(*stream.connector, 3, nullptr);
    StreamStats stats = reconcile_stream(**store, {failing, *stream.mapping, "demo", "invoices"}, {});
    REQUIRE(stats.error);
    CHECK(stats.pages == 3);
    CHECK(stats.tombstoned == 0);
    store->reset();
    CHECK(MirrorQuery(deployment.mirror()).text("SELECT outcome FROM sync_runs WHERE kind = 'reconcile'") ==
          "failed");
  }
  SUBCASE("a stop request (SIGTERM, reload) after two pages") {
    std::stop_source stop;
    CutShort stopping(*stream.connector, 2, &stop);
    StreamStats stats =
        reconcile_stream(**store, {stopping, *stream.mapping, "demo", "invoices"}, stop.get_token());
    REQUIRE(stats.error);
    CHECK(stats.tombstoned == 0);
    store->reset();
    CHECK(MirrorQuery(deployment.mirror()).text("SELECT outcome FROM sync_runs WHERE kind = 'reconcile'") ==
          "interrupted");
  }
  CHECK(tombstoned(deployment).empty());
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM invoices WHERE deleted = 1") == 0);
}

TEST_CASE("arsync run reconciles on schedule; kill -9 mid-scan tombstones nothing, the next pass does") {
  ErpSimProcess sim({"--seed", "73", "--customers", "40", "--invoices", "4000", "--latency-ms", "40"});
  DaemonSettings settings{.poll = "1h", .stream_extra = "        reconcile: 1h\n"};
  SyncDeployment deployment(sim, {{"page_size", "100"}}, settings);
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  const auto deleted = deleted_invoices(sim, 5);
  auto reconciled_pages = [&] {
    return MirrorQuery(deployment.mirror())
        .scalar("SELECT coalesce(max(pages), 0) FROM sync_runs WHERE kind = 'reconcile' AND stream = 'invoices'");
  };
  {
    // Never reconciled: due at start. Killed while the invoices scan is under way.
    Daemon daemon(deployment);
    wait_until([&] { return reconciled_pages() >= 3; }, 120s, "the invoices reconcile to be under way");
    daemon.process->kill(SIGKILL);
    REQUIRE(daemon.process->wait(10s));
  }
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM invoices WHERE deleted = 1") == 0);

  Daemon restarted(deployment);  // the killed pass never succeeded: due again at once
  auto succeeded = [&] {
    return MirrorQuery(deployment.mirror())
        .scalar("SELECT count(*) FROM sync_runs WHERE kind = 'reconcile' AND stream = 'invoices' AND "
                "outcome = 'succeeded'");
  };
  wait_until([&] { return succeeded() == 1; }, 300s, "a complete reconcile of invoices");
  CHECK(tombstoned(deployment) == deleted);
  MirrorQuery q(deployment.mirror());
  CHECK(q.text("SELECT outcome FROM sync_runs WHERE kind = 'reconcile' AND stream = 'invoices' ORDER BY id "
               "LIMIT 1") == "interrupted");
  auto metrics = restarted.get("/metrics");
  CHECK(metrics.body.find("arsync_rows_tombstoned_total{connector=\"demo\",stream=\"invoices\",how=\"reconcile\"} 5") !=
        std::string::npos);
  restarted.process->kill(SIGTERM);
  REQUIRE(restarted.process->wait(30s));

  // A restart within the interval does not rescan.
  Daemon again(deployment);
  wait_until([&] { return again.logged("stream_finished"); }, 60s, "the restart's first pulls");
  CHECK(succeeded() == 1);
  CHECK_FALSE(again.logged("reconcile_started"));
}

TEST_CASE("arsync check refuses a reconcile on a stream whose entity another stream also writes") {
  ErpSimProcess sim({"--seed", "74", "--customers", "5", "--invoices", "10"});
  SyncDeployment deployment(sim, {}, {.stream_extra = "        reconcile: 24h\n"});
  REQUIRE(deployment.run({"check"}).status.ok());
  // A second invoices stream: a reconcile of either would tombstone the other's rows.
  std::ofstream(deployment.config(), std::ios::app)
      << "      - name: invoices_again\n        path: invoices\n        mapping: "
      << deployment.mapping("invoices.yaml").string() << "\n";
  auto checked = deployment.run({"check"});
  CHECK(checked.status.exited);
  CHECK(checked.status.code == 2);
  CHECK(checked.err.find("also writes invoices; a reconcile would tombstone its rows") != std::string::npos);
  CHECK(checked.err.find("arsync.yaml:") != std::string::npos);  // where: the stream's line
}

TEST_CASE("arsync reconcile runs one pass of the streams with reconcile:, and refuses a stream without") {
  ErpSimProcess sim({"--seed", "96", "--customers", "8", "--invoices", "60"});
  SyncDeployment deployment(sim, {}, {.stream_options = {{"invoices", "        reconcile: 24h\n"}}});
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  const std::set<std::string> deleted = deleted_invoices(sim, 4);

  auto pass = deployment.run({"reconcile"});
  INFO(pass.err);
  REQUIRE(pass.status.ok());
  CHECK(tombstoned(deployment) == deleted);
  CHECK(pass.out.find("4 tombstoned") != std::string::npos);
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM sync_runs WHERE kind = 'reconcile' AND stream = 'invoices' AND "
                 "outcome = 'succeeded'") == 1);
  CHECK(q.scalar("SELECT count(*) FROM sync_runs WHERE kind = 'reconcile'") == 1);  // only the stream with reconcile:

  auto refused = deployment.run({"reconcile", "--connector", "demo", "--stream", "customers"});
  CHECK(refused.status.code == 2);
  CHECK(refused.err.find("demo/customers has no reconcile schedule") != std::string::npos);
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM sync_runs WHERE kind = 'reconcile'") == 1);
}

TEST_CASE("a second reconcile of a stream is refused while another live process runs one") {
  ErpSimProcess sim({"--seed", "97", "--customers", "8", "--invoices", "40"});
  SyncDeployment deployment(sim, {}, {.stream_options = {{"invoices", "        reconcile: 24h\n"}}});
  REQUIRE(deployment.run({"sync", "--once"}).status.ok());
  // A pass in progress in another process: this test's own, which is alive.
  RawDb(deployment.mirror())
      .exec("INSERT INTO sync_runs (source, stream, started_at, pid, kind) VALUES ('demo', 'invoices', "
            "'2026-01-01T00:00:00.000Z', ?, 'reconcile')",
            {getpid()});

  auto refused = deployment.run({"reconcile", "--stream", "invoices"});
  CHECK(refused.status.code == 1);
  CHECK(refused.out.find("a reconcile of demo/invoices is already running (pid " + std::to_string(getpid())) !=
        std::string::npos);
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM sync_runs WHERE kind = 'reconcile'") == 1);

  // Its process gone (4194305 is above Linux's largest pid_max), the run no longer counts.
  RawDb(deployment.mirror()).exec("UPDATE sync_runs SET pid = 4194305 WHERE kind = 'reconcile'");
  auto pass = deployment.run({"reconcile", "--stream", "invoices"});
  INFO(pass.err);
  CHECK(pass.status.ok());
}
