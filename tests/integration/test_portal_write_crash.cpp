// "A 201 means durable" under group commit (issue 7, DESIGN §7): portal payments are POSTed by
// 8 concurrent clients, so the daemon's writer stores them in groups, one COMMIT each; the real
// `arsync run` is killed with SIGKILL as soon as some were answered, and restarted. A request
// the kill cut off may or may not have been stored (its client would send it again with the
// same key); a request answered 201 must be in the mirror after the restart, with its outbox
// item. Answering before the group's COMMIT would lose the 201s of the group the kill hit.
// And one key sent by many clients at once (so in one group, or in several): one write.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/support_portal.hpp"
#include "tests/integration/support_sim_payments.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

constexpr int kClients = 8;
constexpr int kRounds = 4;
constexpr int kAnsweredBeforeKill = 40;  // per round

// The portal ids of the payments answered 201.
struct Answered {
  std::mutex mutex;
  std::vector<std::string> ids;
  std::atomic<int> count{0};

  void add(const std::string& body) {
    const auto answer = nlohmann::json::parse(body);
    std::lock_guard lock(mutex);
    ids.push_back(answer.at("id").get<std::string>());
    ++count;
  }
};

// Client `c` posts payments c, c + kClients, ... of `round` until the daemon stops answering.
void post_until_killed(Daemon& daemon, const std::vector<PayableInvoice>& invoices, int round, int c,
                       Answered& answered) {
  for (int i = c;; i += kClients) {
    const auto [body, headers] = sim_payment(invoices, round * 100000 + i, kPortalToken, "crash-write-");
    try {
      const auto reply = daemon.post("/v1/payments", body, headers);
      if (reply.status == 201) {
        answered.add(reply.body);
        continue;
      }
      // 503: a store failure while the process dies; anything else is a wrong answer.
      if (reply.status != 503) FAIL_CHECK("payment " << i << " answered " << reply.status << ": " << reply.body);
      return;
    } catch (const std::exception&) {
      return;  // killed mid-request, or refused: this client is done for the round
    }
  }
}

}  // namespace

TEST_CASE("every portal write answered 201 is in the mirror with its outbox item after a kill -9") {
  ErpSimProcess sim({"--seed", "71", "--customers", "40", "--invoices", "800"});
  SyncDeployment d(sim, {}, portal_daemon("2s"));
  auto daemon = std::make_unique<Daemon>(d);
  wait_synced(d);
  // At most kRounds * (kAnsweredBeforeKill + kClients) payments of 1.00 on each invoice's turn.
  const std::vector<PayableInvoice> invoices = payable_invoices(d, 20 * kSimPayment);
  REQUIRE(invoices.size() >= 50);

  Answered answered;
  for (int round = 0; round < kRounds; ++round) {
    const int before = answered.count.load();
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c)
      clients.emplace_back([&, c] { post_until_killed(*daemon, invoices, round, c, answered); });
    wait_until([&] { return answered.count.load() >= before + kAnsweredBeforeKill; }, 60s, "some 201 answers");
    daemon->process->kill(SIGKILL);
    for (std::thread& t : clients) t.join();
    daemon = std::make_unique<Daemon>(d);
  }
  MESSAGE(answered.ids.size() << " payments answered 201 over " << kRounds << " kills");

  MirrorQuery q(d.mirror());
  int missing = 0;
  for (const std::string& id : answered.ids) {
    const std::int64_t stored = q.scalar("SELECT count(*) FROM portal_payments WHERE portal_id = ?", {id});
    const std::int64_t queued = q.scalar("SELECT count(*) FROM outbox WHERE idempotency_key = ? AND object_table = 'portal_payments'", {id});
    if (stored == 1 && queued == 1) continue;
    ++missing;
    FAIL_CHECK(id << ": payment rows " << stored << ", outbox items " << queued);
  }
  CHECK(missing == 0);
  // Nothing half-stored: every stored payment has its outbox item and its kept answer.
  CHECK(q.scalar("SELECT count(*) FROM portal_payments p WHERE NOT EXISTS "
                 "(SELECT 1 FROM outbox o WHERE o.idempotency_key = p.portal_id)") == 0);
  CHECK(q.scalar("SELECT count(*) FROM portal_payments") == q.scalar("SELECT count(*) FROM api_requests"));
  daemon->process->kill(SIGTERM);
}

TEST_CASE("one Idempotency-Key sent by many clients at once creates one payment, and all get its answer") {
  ErpSimProcess sim({"--seed", "72", "--customers", "10", "--invoices", "100"});
  SyncDeployment d(sim, {}, portal_daemon("2s"));
  Daemon daemon(d);
  wait_synced(d);
  const std::vector<PayableInvoice> invoices = payable_invoices(d, 20 * kSimPayment);
  REQUIRE_FALSE(invoices.empty());

  // The same request 16 times at once, beside 16 others: most land in the same groups.
  const auto same = sim_payment(invoices, 0, kPortalToken, "same-key-");
  std::vector<arsync::test::HttpReply> replies(32);
  std::vector<std::thread> clients;
  for (std::size_t c = 0; c < replies.size(); ++c)
    clients.emplace_back([&, c] {
      const auto [body, headers] = c % 2 ? sim_payment(invoices, static_cast<int>(c), kPortalToken, "other-key-") : same;
      replies[c] = daemon.post("/v1/payments", body, headers);
    });
  for (std::thread& t : clients) t.join();
  for (std::size_t c = 0; c < replies.size(); ++c) {
    INFO(c << ": " << replies[c].body);
    CHECK(replies[c].status == 201);
    if (c % 2 == 0) CHECK(replies[c].body == replies[0].body);
  }
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM api_requests WHERE idempotency_key = 'same-key-0'") == 1);
  CHECK(q.scalar("SELECT count(*) FROM portal_payments") == 17);
  CHECK(q.scalar("SELECT count(*) FROM outbox WHERE kind = 'payment'") == 17);
}
