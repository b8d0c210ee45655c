// `arsync run` as an admin runs it: signals, reload, webhooks into the durable inbox, the HTTP
// server's limits and /metrics. Every test drives the real binary against the real erp-sim.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support_daemon.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

std::string hmac_hex(const std::string& secret, const std::string& body) { return openssl_hmac_hex(secret, body); }

}  // namespace

TEST_CASE("SIGTERM during a sync exits 0, and the next start resumes from the committed cursor") {
  ErpSimProcess sim({"--seed", "31", "--customers", "50", "--invoices", "20000", "--latency-ms", "15"});
  SyncDeployment deployment(sim, {{"page_size", "200"}});
  Daemon daemon(deployment);
  wait_until(
      [&] {
        return MirrorQuery(deployment.mirror())
                   .scalar("SELECT coalesce(max(pages), 0) FROM sync_runs WHERE stream = 'invoices'") >= 3;
      },
      60s, "three committed invoice pages");
  daemon.process->kill(SIGTERM);
  auto status = daemon.process->wait(30s);
  REQUIRE(status);
  CHECK_MESSAGE(status->ok(), status->describe() << "\n" << daemon.process->stderr_text());

  MirrorQuery q(deployment.mirror());
  CHECK(q.text("SELECT outcome FROM sync_runs WHERE stream = 'invoices' ORDER BY id DESC LIMIT 1") ==
        "interrupted");
  auto landed = q.scalar("SELECT count(*) FROM invoices");
  CHECK(landed > 0);
  CHECK(landed < 20000);
  CHECK_FALSE(q.text("SELECT cursor FROM sync_cursors WHERE stream = 'invoices'").empty());

  auto resumed = deployment.run({"sync", "--once"});
  REQUIRE_MESSAGE(resumed.status.ok(), resumed.err);
  // The resumed run started at the cursor: it inserted the rest and re-read at most a page.
  CHECK(q.scalar("SELECT inserted FROM sync_runs WHERE stream = 'invoices' ORDER BY id DESC LIMIT 1") ==
        20000 - landed);
  CHECK(q.scalar("SELECT unchanged FROM sync_runs WHERE stream = 'invoices' ORDER BY id DESC LIMIT 1") <=
        200);
  check_mirror_matches_sim(deployment.mirror(), sim);
}

TEST_CASE("SIGHUP with a broken mapping keeps the running set; a fixed one is taken") {
  ErpSimProcess sim({"--seed", "32", "--customers", "10", "--invoices", "50"});
  SyncDeployment deployment(sim, {}, {.poll = "1h", .copy_mappings = true});
  Daemon daemon(deployment);
  wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");

  auto file = deployment.mapping("invoices.yaml");
  std::string good;
  {
    std::ifstream in(file);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(file) << good << "  totl: { from: totalAmountIncludingTax }\n";  // unknown canonical field
  daemon.process->kill(SIGHUP);
  wait_until([&] { return daemon.logged("event=reload_refused"); }, 10s, "the refused reload");
  CHECK(daemon.logged("invoices.yaml:"));
  CHECK(daemon.get("/readyz").status == 200);  // still serving with the old set

  std::ofstream(file) << good;
  daemon.process->kill(SIGHUP);
  wait_until([&] { return daemon.logged("event=reloaded"); }, 10s, "the reload");
  CHECK(daemon.get("/readyz").status == 200);
  daemon.process->kill(SIGTERM);
  auto status = daemon.process->wait(30s);
  REQUIRE(status);
  CHECK(status->ok());
}

TEST_CASE(
    "webhooks: a bad signature stores nothing, a duplicate is stored once, kill -9 after the 2xx loses "
    "nothing") {
  ErpSimProcess sim({"--seed", "33", "--customers", "10", "--invoices", "40"});
  const std::string secret = "whsec-test-33";
  SyncDeployment deployment(sim, {}, {.webhook_secret = secret, .poll = "1h"});
  std::string body;
  {
    Daemon daemon(deployment);
    wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");

    // A fat event: the ERP's record of INV-0000001 with a new PO number.
    auto page = http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices?$top=1");
    REQUIRE(page.status == 200);
    auto start = page.body.find("{\"id\":\"INV-0000001\"");
    REQUIRE(start != std::string::npos);
    std::string record = page.body.substr(start, page.body.rfind("}]") + 1 - start);
    record = std::regex_replace(record, std::regex(R"("externalDocumentNumber":"[^"]*")"),
                                R"("externalDocumentNumber":"PO-WEBHOOK-1")");
    body = R"({"id":"evt-42","type":"invoices.updated","data":)" + record + "}";

    auto forged = daemon.post("/webhooks/demo", body, {{"X-Signature", std::string(64, '0')}});
    CHECK(forged.status == 401);
    CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox") == 0);

    auto accepted = daemon.post("/webhooks/demo", body, {{"X-Signature", hmac_hex(secret, body)}});
    CHECK(accepted.status == 200);
    daemon.process->kill(SIGKILL);  // right after the 2xx: the event must already be on disk
    REQUIRE(daemon.process->wait(10s));
  }
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox") == 1);

  Daemon restarted(deployment);
  auto po = [&] {
    return MirrorQuery(deployment.mirror())
        .text("SELECT po_number FROM invoices WHERE erp_id = 'INV-0000001'");
  };
  wait_until([&] { return po() == "PO-WEBHOOK-1"; }, 20s,
             "the stored event to be processed after the restart");

  auto again = restarted.post("/webhooks/demo", body, {{"X-Signature", hmac_hex(secret, body)}});
  CHECK(again.status == 200);
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM inbox") == 1);
  CHECK(q.text("SELECT status FROM inbox") == "processed");
}

TEST_CASE("/metrics is Prometheus text; oversized bodies get 413 and slow clients are cut off") {
  ErpSimProcess sim({"--seed", "34", "--customers", "5", "--invoices", "10"});
  SyncDeployment deployment(
      sim, {}, {.webhook_secret = "k", .server_extra = "  max_body: 1024\n  header_timeout: 500ms\n"});
  Daemon daemon(deployment);
  wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");

  auto metrics = daemon.get("/metrics");
  REQUIRE(metrics.status == 200);
  static const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|[+-]Inf|NaN)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream lines(metrics.body);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK((std::regex_match(line, sample) || std::regex_match(line, comment)));
    samples += line[0] != '#';
  }
  CHECK(samples > 10);
  CHECK(metrics.body.find("arsync_records_pulled_total{connector=\"demo\",stream=\"invoices\"} 10") !=
        std::string::npos);

  CHECK(daemon.post("/webhooks/demo", std::string(4096, 'x'), {}).status == 413);

  // A client that never finishes its headers is disconnected after header_timeout.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(daemon.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(write(fd, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  char byte;
  CHECK(read(fd, &byte, 1) == 0);  // closed by the server, well before our own 10 s limit
  close(fd);
  CHECK(daemon.get("/healthz").status == 200);
}

TEST_CASE("concurrent deliveries over many connections, served on two io threads, are each stored once") {
  ErpSimProcess sim({"--seed", "35", "--customers", "5", "--invoices", "10"});
  const std::string secret = "whsec-test-35";
  SyncDeployment deployment(sim, {}, {.webhook_secret = secret, .poll = "1h", .server_extra = "  io_threads: 2\n"});
  Daemon daemon(deployment);
  constexpr int kClients = 8, kEach = 40;
  auto body = [](int client, int i) {
    return R"({"id":"evt-)" + std::to_string(client) + "-" + std::to_string(i) +
           R"(","type":"invoices.updated","ids":["INV-0000001"]})";
  };
  std::atomic<int> answered_200 = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        // Every client also re-sends client 0's event i: all but one copy of it are duplicates.
        for (const std::string& b : {body(c, i), body(0, i)})
          answered_200 += daemon.post("/webhooks/demo", b, {{"X-Signature", hmac_hex(secret, b)}}).status == 200;
      }
    });
  for (auto& t : clients) t.join();
  CHECK(answered_200 == 2 * kClients * kEach);
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox") == kClients * kEach);
  std::string metrics = daemon.get("/metrics").body;
  CHECK(metrics.find(R"(arsync_webhook_deliveries_total{connector="demo",outcome="accepted"} 320)") != std::string::npos);
  CHECK(metrics.find(R"(arsync_webhook_deliveries_total{connector="demo",outcome="duplicate"} 320)") != std::string::npos);
  wait_until([&] { return MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox WHERE status = 'processed'") ==
                          kClients * kEach; },
             30s, "every delivery to be processed");
  daemon.process->kill(SIGTERM);
  REQUIRE(daemon.process->wait(30s));
}
