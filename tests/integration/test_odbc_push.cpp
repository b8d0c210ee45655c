// ODBC push for real (issue 5): portal payments written into a PostgreSQL AR database through
// psqlODBC by the odbc connector, with the example mapping's push: statements
// (etc/mappings/examples/odbc/payments.yaml) — in-process for the failure paths, and by the real
// `arsync run` (portal API -> outbox -> ERP -> pulled back) for exactly-once, kill -9 included.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "connectors/hmac.hpp"
#include "connectors/odbc_connector.hpp"
#include "connectors/odbc_session.hpp"
#include "mapping/mapping.hpp"
#include "schema/money.hpp"
#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support_crash.hpp"
#include "tests/integration/support_odbc.hpp"
#include "tests/integration/support_sim_payments.hpp"

using namespace arsync;
using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "odbc-push-token-0123456789";

struct Erp {
  ErpSimProcess sim{{"--seed", "11", "--customers", "30", "--invoices", "300"}};
  PostgresProcess pg;
  std::int64_t invoices = load_company(pg, sim);

  // `values`: psql variables, named :'name' in the SQL.
  std::int64_t count(const std::string& sql, const std::map<std::string, std::string>& values = {}) const {
    return std::stoll(pg.psql(sql, values));
  }
};

// An open invoice of the ERP with room for several 1.00 payments (JPY: 100 yen).
struct Target {
  std::string invoice, customer, currency;
};

std::vector<Target> erp_targets(const Erp& erp, int limit) {
  std::vector<Target> out;
  std::string rows = erp.pg.psql("SELECT id || '|' || customer_id || '|' || currency FROM ar_invoice "
                                 "WHERE status <> 'Paid' AND remaining >= 5 ORDER BY id LIMIT :'limit'::int",
                                 {{"limit", std::to_string(limit)}});
  std::stringstream in(rows);
  for (std::string line; std::getline(in, line);) {
    Target t;
    std::stringstream parts(line);
    std::getline(parts, t.invoice, '|'), std::getline(parts, t.customer, '|'), std::getline(parts, t.currency, '|');
    out.push_back(t);
  }
  return out;
}

// The example mapping's push: statements for a portal payment of 1.00 paying `t`, and the
// connector of the example config's payments stream.
PushRequest render(const Target& t, const std::string& key) {
  static const Mapping mapping = [] {
    auto path = OdbcDeployment::example().parent_path() / "payments.yaml";
    auto m = Mapping::parse(read_text_file(path), path.string());
    REQUIRE(m);
    return std::move(*m);
  }();
  Entity p(&mapping.entity());
  p.set("erp_id", key), p.set("portal_ref", key), p.set("customer", t.customer);
  p.set("payment_date", std::string("2026-11-22")), p.set("method", std::string("card"));
  p.set("reference", std::string("ch_odbc")), p.set("currency", t.currency);
  p.set("amount", Money{100, t.currency}), p.set("unapplied", Money{0, t.currency});
  Entity a(mapping.entity().children[0].entity);
  a.set("invoice", t.invoice), a.set("amount", Money{100, t.currency}), a.set("applied_date", std::string("2026-11-22"));
  p.children[0].push_back(std::move(a));
  auto body = mapping.push(p);
  REQUIRE_MESSAGE(body, (body ? "" : body.error().describe()));
  return {.kind = "payment", .idempotency_key = key, .stream = "payments", .statements = std::move(body->statements)};
}

std::unique_ptr<Connector> payments_connector(const PostgresProcess& pg) {
  ConnectorConfig config;
  config.name = "erpdb";
  config.type = "odbc";
  config.options = {{"connection_string", {pg.connection_string(), ""}}, {"timeout", {"20s", ""}}};
  config.streams.push_back({"payments",
                            {{"query", {"SELECT id FROM ar_payment", ""}},
                             {"lookup", {"SELECT id FROM ar_payment WHERE portal_key = ?", ""}}},
                            ""});
  auto connector = odbc_spec().create(config, ConnectorContext{});
  REQUIRE_MESSAGE(connector, (connector ? "" : connector.error().describe()));
  return std::move(*connector);
}

std::int64_t pushed(const Erp& erp, const std::string& key) {
  return erp.count("SELECT count(*) FROM ar_payment WHERE portal_key = :'key'", {{"key", key}});
}

std::string portal_yaml(int concurrency) {
  return "server:\n  listen: 127.0.0.1:0\n" + portal_outbox_yaml(kToken, concurrency);
}

// A mirror invoice (the portal's ids) for each ERP target.
struct PortalTarget {
  std::int64_t invoice_id = 0, customer_id = 0, balance = 0;
  std::string currency;
};

std::vector<PortalTarget> portal_targets(const OdbcDeployment& d, const std::vector<Target>& targets) {
  MirrorQuery q(d.mirror());
  std::vector<PortalTarget> out;
  for (const Target& t : targets) {
    const std::string where = " FROM invoices WHERE erp_id = ?";
    out.push_back({q.scalar("SELECT id" + where, {t.invoice}), q.scalar("SELECT customer_id" + where, {t.invoice}),
                   q.scalar("SELECT balance" + where, {t.invoice}), t.currency});
  }
  return out;
}

std::string payment_body(const PortalTarget& t) {
  const json amount{{"amount", format_amount(Money{100, t.currency})}, {"currency", t.currency}};
  return json{{"customer_id", t.customer_id},
              {"method", "card"},
              {"amount", amount},
              {"applications", json::array({{{"invoice_id", t.invoice_id}, {"amount", amount}}})}}
      .dump();
}

HttpHeaders writer(const std::string& key) {
  return {{"Authorization", "Bearer " + kToken}, {"Idempotency-Key", key}, {"Content-Type", "application/json"}};
}

std::int64_t outbox_open(const OdbcDeployment& d) {
  return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE status <> 'done'");
}

// After the outbox drained: the ERP holds each portal payment once with its application, every
// invoice's balance is less the payments, and the pull brought all of it back, linked.
void check_exactly_once(const Erp& erp, const OdbcDeployment& d, const std::vector<PortalTarget>& plan,
                        std::int64_t payments) {
  CHECK(erp.count("SELECT count(*) FROM ar_payment WHERE portal_key IS NOT NULL") == payments);
  CHECK(erp.count("SELECT count(DISTINCT portal_key) FROM ar_payment") == payments);
  CHECK(erp.count("SELECT count(*) FROM ar_application a JOIN ar_payment p ON a.source_type = 'payment' AND "
                  "a.source_id = p.id WHERE p.portal_key IS NOT NULL") == payments);
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(DISTINCT erp_ref) FROM portal_payments WHERE erp_ref LIKE 'PP-%'") == payments);
  std::map<std::int64_t, std::int64_t> expected;
  for (const PortalTarget& t : plan) expected[t.invoice_id] = t.balance;
  for (const PortalTarget& t : plan) expected[t.invoice_id] -= 100;
  wait_for_pulled_payments(d.mirror(), expected, payments, 120s);
}

}  // namespace

TEST_CASE("postgres push: a concurrent copy of the item is found through the unique key, not written twice") {
  Erp erp;
  const Target t = erp_targets(erp, 1).at(0);
  const PushRequest request = render(t, "pp-race");
  // Another sender's transaction has written the same key and not committed yet: our look-up
  // cannot see it, our INSERT waits on the unique index, then fails 23505 once it commits.
  auto other = OdbcSession::connect(erp.pg.connection_string(), "", 5s);
  REQUIRE(other);
  REQUIRE((*other)->begin());
  for (const SqlStatement& s : request.statements) {
    auto st = (*other)->prepare(s.sql, 10s);
    REQUIRE_MESSAGE(st, (st ? "" : st.error().describe()));
    auto ran = (*st)->run(s.params);
    REQUIRE_MESSAGE(ran, (ran ? "" : ran.error().describe()));
  }
  auto connector = payments_connector(erp.pg);
  PushResult result;
  std::thread sender([&] { result = connector->push(request); });
  wait_until([&] { return erp.count("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0; }, 30s,
             "our INSERT to wait on the other transaction");
  REQUIRE((*other)->commit());
  sender.join();
  INFO(result.message);
  CHECK(result.status == PushStatus::kDelivered);
  CHECK(result.message.find("constraint") != std::string::npos);
  CHECK(result.erp_ref == erp.pg.psql("SELECT id FROM ar_payment WHERE portal_key = 'pp-race'"));
  CHECK(pushed(erp, "pp-race") == 1);
  CHECK(erp.count("SELECT count(*) FROM ar_application a JOIN ar_payment p ON a.source_id = p.id "
                  "WHERE p.portal_key = 'pp-race'") == 1);
}

TEST_CASE("postgres push: a connection lost after a statement ran is unknown; the look-up decides the re-send") {
  Erp erp;
  const Target t = erp_targets(erp, 1).at(0);
  auto connector = payments_connector(erp.pg);
  // The server ends our session after the payment's INSERT ran, before the commit.
  PushRequest request = render(t, "pp-lost");
  request.statements.insert(request.statements.begin() + 1,
                            {"SELECT pg_terminate_backend(pg_backend_pid()) WHERE ? <> ''", {"x"}, "test"});
  PushResult lost = connector->push(request);
  INFO(lost.message);
  CHECK(lost.status == PushStatus::kUnknown);
  // What the outbox does with an unknown item: ask first. The transaction died uncommitted.
  auto found = connector->lookup(request);
  REQUIRE_MESSAGE(found, (found ? "" : found.error().describe()));
  CHECK_FALSE(found->has_value());
  PushResult sent = connector->push(render(t, "pp-lost"));
  CHECK(sent.status == PushStatus::kDelivered);
  CHECK(pushed(erp, "pp-lost") == 1);
  // Lost after the commit instead: the look-up finds it and nothing is written again.
  auto again = connector->lookup(render(t, "pp-lost"));
  REQUIRE(again);
  CHECK(*again == std::optional<std::string>(sent.erp_ref));
  CHECK(connector->push(render(t, "pp-lost")).erp_ref == sent.erp_ref);
  CHECK(pushed(erp, "pp-lost") == 1);
}

TEST_CASE("postgres push: the ERP's refusals are parked with the statement's place in the mapping") {
  Erp erp;
  Target t = erp_targets(erp, 1).at(0);
  auto connector = payments_connector(erp.pg);
  t.invoice = "INV-NOPE";  // the foreign key refuses it: a constraint, but the key is not there
  PushResult unknown_invoice = connector->push(render(t, "pp-fk"));
  INFO(unknown_invoice.message);
  CHECK(unknown_invoice.status == PushStatus::kReject);
  CHECK(unknown_invoice.message.find("23503") != std::string::npos);
  CHECK(unknown_invoice.message.find("statement 2 of 3 (") != std::string::npos);
  CHECK(unknown_invoice.message.find("examples/odbc/payments.yaml:") != std::string::npos);
  CHECK(pushed(erp, "pp-fk") == 0);  // the payment's row went with the failed application

  PushRequest typo = render(erp_targets(erp, 1).at(0), "pp-typo");
  typo.statements[0].sql.replace(typo.statements[0].sql.find("ar_payment"), 10, "ar_paymnt");
  PushResult syntax = connector->push(typo);
  INFO(syntax.message);
  CHECK(syntax.status == PushStatus::kReject);
  CHECK(syntax.message.find("42P01") != std::string::npos);
  CHECK(syntax.message.find("ar_paymnt") != std::string::npos);
  CHECK(syntax.message.find(erp.pg.password()) == std::string::npos);
}

TEST_CASE("postgres: portal payments pushed by `arsync run` are in the ERP exactly once and come back linked") {
  Erp erp;
  OdbcDeployment d(erp.pg, {{"ODBC_POLL", "1s"}}, portal_yaml(4));
  Daemon daemon(d.start({"run"}));
  wait_until([&] { return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM invoices") == erp.invoices; }, 60s,
             "the first sync");
  const std::vector<PortalTarget> plan = portal_targets(d, erp_targets(erp, 12));
  REQUIRE(plan.size() == 12);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    auto reply = daemon.post("/v1/payments", payment_body(plan[i]), writer("odbc-pay-" + std::to_string(i)));
    INFO(reply.body);
    REQUIRE(reply.status == 201);
  }
  wait_until([&] { return outbox_open(d) == 0; }, 60s, "the outbox to deliver");
  check_exactly_once(erp, d, plan, 12);
}

TEST_CASE("postgres: 300 portal payments reach the ERP database exactly once while arsync is killed -9") {
  constexpr int kPayments = 300;
  Erp erp;
  OdbcDeployment d(erp.pg, {{"ODBC_POLL", "2s"}}, portal_yaml(4));
  auto daemon = std::make_unique<Daemon>(d.start({"run"}));
  wait_until([&] { return MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM invoices") == erp.invoices; }, 60s,
             "the first sync");
  const std::vector<PortalTarget> targets = portal_targets(d, erp_targets(erp, 50));
  REQUIRE(targets.size() == 50);
  std::vector<PortalTarget> plan;
  for (int i = 0; i < kPayments; ++i) plan.push_back(targets[static_cast<std::size_t>(i) % targets.size()]);

  const int kills = post_while_killing(
      daemon, [&] { return std::make_unique<Daemon>(d.start({"run"})); }, {kPayments, 12, 20261123, 30, 400},
      [&](int i) { return std::pair{payment_body(plan[i]), writer("odbc-crash-" + std::to_string(i))}; },
      [&] { return outbox_open(d) == 0; });
  wait_until([&] { return outbox_open(d) == 0; }, 120s, "the outbox to deliver everything");
  MESSAGE("killed arsync " << kills << " times during " << kPayments << " ODBC payments; "
                           << MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM outbox WHERE attempts > 1")
                           << " items needed more than one attempt (a look-up or a re-send)");
  check_exactly_once(erp, d, plan, kPayments);
}
