// Deletes in the mirror: a reconcile's mark and sweep, and webhook tombstones (DESIGN §4).
#include <doctest/doctest.h>

#include "schema/mirror_store.hpp"
#include "tests/schema/mirror_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

const EntitySpec& kCustomer = *find_entity("customer");

Entity customer(const std::string& erp_id, const std::string& name = "Acme") {
  Entity c(&kCustomer);
  c.set("erp_id", erp_id);
  c.set("name", name);
  return c;
}

PageWrite page(std::vector<std::string> ids, std::int64_t generation = 0, std::string source = "erp") {
  PageWrite p;
  p.source = std::move(source);
  p.stream = "customers";
  for (const std::string& id : ids) p.entities.push_back(customer(id));
  p.seen_generation = generation;
  p.seen_entity = &kCustomer;
  return p;
}

std::string live(Mirror& m, const std::string& source = "erp") {
  return m.text("SELECT group_concat(erp_id, ',') FROM (SELECT erp_id FROM customers WHERE source = ? AND deleted = 0 "
                "ORDER BY erp_id)",
                {source});
}

}  // namespace

TEST_CASE("a completed reconcile tombstones exactly the rows it did not see, with new change numbers") {
  Mirror m;
  m.apply(page({"C1", "C2", "C3", "C4"}));
  m.apply(page({"C1", "C9"}, 0, "other"));  // another source's rows are never swept
  const std::int64_t seq_before = m.number("SELECT last_seq FROM mirror_state");

  auto run = m.store->begin_reconcile("erp", "customers");
  REQUIRE(run);
  m.apply(page({"C1", "C3"}, run->run_id));
  PageWrite rejected = page({}, run->run_id);  // C4 exists in the ERP but its mapping failed
  rejected.rejects.push_back({"C4", "{}", "bad value", "customers.yaml:3:1"});
  m.apply(rejected);
  CHECK(m.number("SELECT count(*) FROM customers WHERE deleted = 1") == 0);  // nothing before the sweep

  auto swept = m.store->sweep_unseen(*run, "erp", kCustomer);
  REQUIRE(swept);
  CHECK(*swept == 1);
  CHECK(live(m) == "C1,C3,C4");
  CHECK(live(m, "other") == "C1,C9");
  CHECK(m.number("SELECT updated_seq FROM customers WHERE erp_id = 'C2'") == seq_before + 1);
  CHECK(m.number("SELECT last_seq FROM mirror_state") == seq_before + 1);
  CHECK(m.number("SELECT tombstoned FROM sync_runs WHERE id = ?", {run->run_id}) == 1);
  // Marking seen rows is not a change: the change feed only moves for the tombstone.
  CHECK(m.number("SELECT max(updated_seq) FROM customers WHERE erp_id <> 'C2'") <= seq_before);

  // A record that comes back is live again on its next upsert.
  m.apply(page({"C2"}));
  CHECK(live(m) == "C1,C2,C3,C4");
}

TEST_CASE("a reconcile that never reaches its sweep tombstones nothing, and its marks go stale") {
  Mirror m;
  m.apply(page({"C1", "C2", "C3"}));
  auto interrupted = m.store->begin_reconcile("erp", "customers");
  REQUIRE(interrupted);
  m.apply(page({"C1"}, interrupted->run_id));  // then the scan failed: no sweep
  REQUIRE(m.store->finish_run(interrupted->run_id, RunOutcome::kFailed, "ERP went away"));
  CHECK(live(m) == "C1,C2,C3");
  m.reopen();  // and a crash: nothing swept at start-up either
  CHECK(live(m) == "C1,C2,C3");

  // The next complete scan decides alone: C1's stale mark does not save it.
  auto next = m.store->begin_reconcile("erp", "customers");
  REQUIRE(next);
  CHECK(next->run_id > interrupted->run_id);
  m.apply(page({"C2", "C3"}, next->run_id));
  REQUIRE(m.store->sweep_unseen(*next, "erp", kCustomer));
  CHECK(live(m) == "C2,C3");
}

TEST_CASE("rows written after the scan began are spared by its sweep") {
  Mirror m;
  m.apply(page({"C1"}));
  auto run = m.store->begin_reconcile("erp", "customers");
  REQUIRE(run);
  m.apply(page({"C1"}, run->run_id));
  m.apply(page({"C7"}));  // a webhook created C7 while the scan was past it
  REQUIRE(m.store->sweep_unseen(*run, "erp", kCustomer));
  CHECK(live(m) == "C1,C7");
}

TEST_CASE("the last successful reconcile is remembered per stream") {
  Mirror m;
  CHECK_FALSE(*m.store->last_reconciled("erp", "customers"));
  auto failed = m.store->begin_reconcile("erp", "customers");
  REQUIRE(m.store->finish_run(failed->run_id, RunOutcome::kFailed, "x"));
  CHECK_FALSE(*m.store->last_reconciled("erp", "customers"));
  auto ok = m.store->begin_reconcile("erp", "customers");
  REQUIRE(m.store->finish_run(ok->run_id, RunOutcome::kSucceeded));
  auto last = m.store->last_reconciled("erp", "customers");
  REQUIRE(last);
  REQUIRE(*last);
  CHECK((*last)->size() == 24);  // 2025-03-01T08:00:00.123Z
  CHECK_FALSE(*m.store->last_reconciled("erp", "invoices"));
}

TEST_CASE("a webhook delete tombstones the named rows and completes its inbox event in one transaction") {
  Mirror m;
  m.apply(page({"C1", "C2"}));
  auto stored = m.store->add_inbox_events({{"erp", "evt-1", "{}", "{}"}});
  REQUIRE(stored);
  const std::int64_t event = m.number("SELECT id FROM inbox");
  auto swept = m.store->tombstone("erp", kCustomer, {"C2", "C404"}, {event});
  REQUIRE(swept);
  CHECK(*swept == 1);
  CHECK(live(m) == "C1");
  CHECK(m.text("SELECT status FROM inbox") == "processed");
  auto again = m.store->tombstone("erp", kCustomer, {"C2"}, {});  // a replay changes nothing
  REQUIRE(again);
  CHECK(*again == 0);
  CHECK(m.number("SELECT count(*) FROM customers WHERE deleted = 1") == 1);
}

TEST_CASE("entities without tombstones cannot be reconciled or tombstoned") {
  Mirror m;
  auto run = m.store->begin_reconcile("erp", "lines");
  REQUIRE(run);
  auto swept = m.store->sweep_unseen(*run, "erp", *find_entity("invoice_line"));
  REQUIRE_FALSE(swept);
  CHECK(swept.error().kind == ErrorKind::kInvalidInput);
  CHECK_FALSE(m.store->tombstone("erp", *find_entity("invoice_line"), {"x"}, {}));
}
