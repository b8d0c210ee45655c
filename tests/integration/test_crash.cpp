// Crash safety (DESIGN §4): kill -9 the real arsync process at random moments of a large sync,
// while the ERP keeps changing, then let it finish. The mirror must hold exactly what the ERP
// serves — no lost page, no duplicate row, no half-applied page — because every page is one
// transaction with its cursor.
#include <doctest/doctest.h>

#include <csignal>
#include <random>
#include <thread>

#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

TEST_CASE("kill -9 at random moments of a sync, 20 times, loses and duplicates nothing") {
  ErpSimProcess sim({"--seed", "21", "--customers", "400", "--invoices", "40000"});
  SyncDeployment deployment(sim, {{"page_size", "400"}});
  std::mt19937 rng(20261122);  // a fixed schedule, so a failure can be replayed
  std::uniform_int_distribution<int> delay_ms(5, 350);

  // The random delay counts from the moment the run has begun (its sync_runs row exists), not
  // from the process start: on a loaded machine start-up alone can take longer than the delay.
  auto last_run = [&]() -> std::int64_t {
    try {
      return MirrorQuery(deployment.mirror()).scalar("SELECT coalesce(max(id), 0) FROM sync_runs");
    } catch (const std::runtime_error&) {
      return 0;  // no mirror yet, or its first migration is not committed yet
    }
  };
  int killed_while_running = 0;
  for (int round = 0; round < 20; ++round) {
    const std::int64_t before = last_run();
    auto arsync = deployment.start({"sync", "--once"});
    wait_until([&] { return !arsync->running() || last_run() > before; }, 60s, "the sync run to begin");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (arsync->running()) {
      arsync->kill(SIGKILL);
      ++killed_while_running;
    }
    auto status = arsync->wait(10s);
    REQUIRE(status);
    // A run that ended by itself must have succeeded; otherwise it was our SIGKILL.
    if (status->exited) CHECK_MESSAGE(status->ok(), arsync->stderr_text());
    // The ERP keeps working between crashes: the next runs have changes to pull mid-stream.
    auto changed = http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                                R"({"collection":"invoices","action":"modify","count":40})");
    REQUIRE(changed.status == 200);
    if (round % 4 == 0)
      REQUIRE(http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                           R"({"collection":"invoices","action":"add","count":25})")
                  .status == 200);
  }
  MESSAGE("kill -9 landed during " << killed_while_running << " of 20 runs");
  CHECK(killed_while_running >= 10);

  auto final_run = deployment.run({"sync", "--once"});
  INFO(final_run.err);
  REQUIRE(final_run.status.ok());
  check_mirror_matches_sim(deployment.mirror(), sim);

  MirrorQuery q(deployment.mirror());
  // Every run a crash cut short was found and marked at the next start.
  CHECK(q.scalar("SELECT count(*) FROM sync_runs WHERE outcome = 'running'") == 0);
  CHECK(q.scalar("SELECT count(*) FROM sync_runs WHERE outcome = 'interrupted'") > 0);
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
}
