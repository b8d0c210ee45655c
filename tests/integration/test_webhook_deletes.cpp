// Webhook deletes and thin events through `arsync run` against the real erp-sim (DESIGN §4):
// a delete tombstones at once; a thin event reads exactly the ids it names (or, for a connector
// that cannot read by id, the stream's delta) and never moves the stream's cursor.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <csignal>

#include "tests/integration/support_daemon.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "whsec-deletes";

std::vector<std::string> mutate(const ErpSimProcess& sim, const std::string& action, int count) {
  auto reply = http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                            R"({"collection":"invoices","action":")" + action + R"(","count":)" +
                                std::to_string(count) + "}");
  REQUIRE(reply.status == 200);
  std::vector<std::string> ids = nlohmann::json::parse(reply.body)["ids"];
  REQUIRE(ids.size() == static_cast<std::size_t>(count));
  return ids;
}

// A generic (hmac-sha256) event naming ids only, as erp-sim's --webhook-thin emitter sends.
std::string thin_event(const std::string& id, const std::string& type, const std::vector<std::string>& ids) {
  return nlohmann::json{{"id", id}, {"type", type}, {"ids", ids}}.dump();
}

void deliver(Daemon& daemon, const std::string& body) {
  auto reply = daemon.post("/webhooks/demo", body, {{"X-Signature", openssl_hmac_hex(kSecret, body)}});
  REQUIRE(reply.status == 200);
}

std::string po_number(const SyncDeployment& deployment, const std::string& id) {
  return MirrorQuery(deployment.mirror()).text("SELECT po_number FROM invoices WHERE erp_id = ?", {id});
}

std::string cursor(const SyncDeployment& deployment) {
  return MirrorQuery(deployment.mirror()).text("SELECT cursor FROM sync_cursors WHERE stream = 'invoices'");
}

}  // namespace

TEST_CASE("a thin event reads exactly its ids, cursor untouched; a delete event tombstones at once") {
  ErpSimProcess sim({"--seed", "81", "--customers", "10", "--invoices", "60"});
  SyncDeployment deployment(
      sim, {}, {.webhook_secret = kSecret, .poll = "1h", .stream_extra = "        ids_filter: \"id in ({ids})\"\n"});
  Daemon daemon(deployment);
  wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");
  const std::string cursor_before = cursor(deployment);
  const std::int64_t runs_before = MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM sync_runs");

  const auto modified = mutate(sim, "modify", 6);  // the ERP changed six; the webhook names two
  std::map<std::string, std::string> old_po;
  for (const auto& id : modified) old_po[id] = po_number(deployment, id);
  deliver(daemon, thin_event("evt-thin-1", "invoices.updated", {modified[0], modified[1]}));
  wait_until([&] { return po_number(deployment, modified[0]).starts_with("PO-R1-") &&
                          po_number(deployment, modified[1]).starts_with("PO-R1-"); },
             30s, "the targeted read of the two named invoices");
  for (std::size_t i = 2; i < modified.size(); ++i) CHECK(po_number(deployment, modified[i]) == old_po[modified[i]]);
  CHECK(cursor(deployment) == cursor_before);
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM sync_runs") == runs_before);
  wait_until([&] { return daemon.get("/metrics").body.find("how=\"targeted\"") != std::string::npos; }, 10s,
             "the targeted event in /metrics");

  const auto deleted = mutate(sim, "delete", 2);
  deliver(daemon, thin_event("evt-del-1", "invoices.deleted", deleted));
  auto gone = [&] {
    return MirrorQuery(deployment.mirror())
        .scalar("SELECT count(*) FROM invoices WHERE deleted = 1 AND erp_id IN (?, ?)", {deleted[0], deleted[1]});
  };
  wait_until([&] { return gone() == 2; }, 30s, "the delete event's tombstones");
  MirrorQuery q(deployment.mirror());
  CHECK(q.scalar("SELECT count(*) FROM invoices WHERE deleted = 1") == 2);
  CHECK(q.scalar("SELECT count(*) FROM inbox WHERE status = 'processed'") == 2);
  CHECK(daemon.get("/metrics").body.find(
            "arsync_rows_tombstoned_total{connector=\"demo\",stream=\"invoices\",how=\"webhook\"} 2") !=
        std::string::npos);

  // A repeated delivery of the delete is a duplicate: acknowledged, nothing more happens.
  deliver(daemon, thin_event("evt-del-1", "invoices.deleted", deleted));
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox") == 2);
  daemon.process->kill(SIGTERM);
  REQUIRE(daemon.process->wait(30s));
}

TEST_CASE("without ids_filter a thin event pulls the stream's delta instead") {
  ErpSimProcess sim({"--seed", "82", "--customers", "10", "--invoices", "60"});
  SyncDeployment deployment(sim, {}, {.webhook_secret = kSecret, .poll = "1h"});
  Daemon daemon(deployment);
  wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");
  const auto modified = mutate(sim, "modify", 4);
  deliver(daemon, thin_event("evt-thin-2", "invoices.updated", {modified[0]}));
  // The delta brings every changed invoice, not only the named one.
  wait_until([&] {
    for (const auto& id : modified)
      if (!po_number(deployment, id).starts_with("PO-R1-")) return false;
    return true;
  }, 30s, "the delta pull");
  CHECK(cursor(deployment) > "2025-12-01");  // the delta moved the cursor to the changes
}
