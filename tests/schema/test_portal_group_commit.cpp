// Group commit of portal writes (MirrorStore::group_portal_writes): the writes of one group
// share one transaction, each in its own savepoint. A write the mirror refuses undoes only
// itself; the writes after it see the ones before it (uncommitted); a key sent twice in the
// group creates one write; and when the COMMIT fails, none of the group is kept.
#include <doctest/doctest.h>

#include "schema/mirror_store.hpp"
#include "tests/result_text.hpp"
#include "tests/schema/ledger_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

PortalPaymentWrite payment(Ledger& l, const std::string& portal_id, const std::string& invoice, std::int64_t amount) {
  return {portal_id, l.id("customers", "C1"), "card", "", "2026-11-22", "USD", amount, {{l.id("invoices", invoice), amount}}};
}

// Runs `writes` as one group; returns their results in order.
std::vector<PortalWriteResult> group(Ledger& l, const std::vector<std::function<Result<PortalWriteResult>()>>& writes) {
  std::vector<PortalWriteResult> results;
  auto committed = l.store->group_portal_writes([&] {
    for (const auto& write : writes) {
      auto result = write();
      REQUIRE_MESSAGE(result.has_value(), why(result));
      results.push_back(std::move(*result));
    }
  });
  REQUIRE_MESSAGE(committed.has_value(), why(committed));
  return results;
}

}  // namespace

TEST_CASE("a write the mirror refuses undoes only itself; the rest of its group commits") {
  Ledger l;
  const std::int64_t c1 = l.id("customers", "C1");
  const auto results = group(l, {
      [&] { return l.store->write_portal_payment(api("k1"), payment(l, "pay_1", "I1", 2000)); },
      // I1's open 30.00 less the 20.00 pending above: 15.00 is an over-application
      [&] { return l.store->write_portal_payment(api("k2"), payment(l, "pay_2", "I1", 1500)); },
      [&] { return l.store->write_message(api("k3"), {"msg_1", c1, std::nullopt, "hello"}); },
      [&] { return l.store->write_portal_payment(api("k4"), payment(l, "pay_3", "I1", 1000)); },
  });
  REQUIRE(results.size() == 4);
  CHECK(results[0].kind == PortalWriteResult::Kind::kCreated);
  REQUIRE(results[1].kind == PortalWriteResult::Kind::kInvalid);
  CHECK(results[1].errors.at(0).field == "applications[0].amount");
  CHECK(results[2].kind == PortalWriteResult::Kind::kCreated);
  CHECK(results[3].kind == PortalWriteResult::Kind::kCreated);

  CHECK(l.text("SELECT group_concat(portal_id, ' ') FROM (SELECT portal_id FROM portal_payments ORDER BY id)") ==
        "pay_1 pay_3");
  CHECK(l.text("SELECT group_concat(idempotency_key, ' ') FROM (SELECT idempotency_key FROM outbox ORDER BY id)") ==
        "pay_1 msg_1 pay_3");
  CHECK(l.text("SELECT group_concat(idempotency_key, ' ') FROM (SELECT idempotency_key FROM api_requests ORDER BY idempotency_key)") ==
        "k1 k3 k4");
  // Each kept write has its own change sequence; the refused one used none.
  CHECK(l.number("SELECT count(DISTINCT updated_seq) FROM (SELECT updated_seq FROM portal_payments UNION ALL "
                 "SELECT updated_seq FROM messages)") == 3);
  CHECK(l.number("SELECT last_seq FROM mirror_state") ==
        l.number("SELECT max(updated_seq) FROM (SELECT updated_seq FROM portal_payments UNION ALL "
                 "SELECT updated_seq FROM messages)"));

  // A refused key holds nothing: sent again, fixed, it is a new write.
  const auto fixed = group(l, {[&] { return l.store->write_portal_payment(api("k2", "h2"), payment(l, "pay_4", "I2", 500)); }});
  CHECK(fixed.at(0).kind == PortalWriteResult::Kind::kCreated);
}

TEST_CASE("the same Idempotency-Key twice in one group creates one write, and both get its answer") {
  Ledger l;
  const std::int64_t c1 = l.id("customers", "C1");
  const auto results = group(l, {
      [&] { return l.store->write_message(api("same"), {"msg_1", c1, std::nullopt, "hello"}); },
      [&] { return l.store->write_message(api("same"), {"msg_2", c1, std::nullopt, "hello"}); },
      [&] { return l.store->write_message(api("same", "another body"), {"msg_3", c1, std::nullopt, "bye"}); },
  });
  CHECK(results.at(0).kind == PortalWriteResult::Kind::kCreated);
  CHECK(results.at(1).kind == PortalWriteResult::Kind::kReplayed);
  CHECK(results.at(1).status == 201);
  CHECK(results.at(1).answer == results.at(0).answer);
  CHECK(results.at(2).kind == PortalWriteResult::Kind::kKeyReused);
  CHECK(l.number("SELECT count(*) FROM messages") == 1);
  CHECK(l.number("SELECT count(*) FROM outbox") == 1);
  CHECK(l.number("SELECT count(*) FROM api_requests") == 1);
}

TEST_CASE("when a group's COMMIT fails, none of its writes is kept") {
  Ledger l;
  const std::int64_t c1 = l.id("customers", "C1");
  const std::int64_t seq_before = l.number("SELECT last_seq FROM mirror_state");
  // Sabotage only COMMIT can see: every kept answer adds a row breaking a deferred foreign key,
  // which SQLite checks at COMMIT, after every savepoint of the group was released.
  RawDb(l.path).exec(
      "CREATE TABLE sabotage_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE sabotage_child (parent INTEGER REFERENCES sabotage_parent (id) DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER sabotage AFTER INSERT ON api_requests BEGIN INSERT INTO sabotage_child VALUES (42); END;");
  std::vector<PortalWriteResult> results;
  auto committed = l.store->group_portal_writes([&] {
    for (const char* key : {"k1", "k2"}) {
      auto result = l.store->write_message(api(key), {std::string("msg_") + key, c1, std::nullopt, "hello"});
      REQUIRE_MESSAGE(result.has_value(), why(result));
      results.push_back(std::move(*result));
    }
  });
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == PortalWriteResult::Kind::kCreated);  // kept in its savepoint, not yet durable
  REQUIRE_FALSE(committed.has_value());
  CHECK(committed.error().message.find("cannot commit") != std::string::npos);
  for (const char* table : {"messages", "outbox", "api_requests", "sabotage_child"})
    CHECK_MESSAGE(l.number(std::string("SELECT count(*) FROM ") + table) == 0, table);
  CHECK(l.number("SELECT last_seq FROM mirror_state") == seq_before);

  // The store goes on: the same keys, sent again, are new writes with the next sequence.
  RawDb(l.path).exec("DROP TRIGGER sabotage");
  const auto again = group(l, {[&] { return l.store->write_message(api("k1"), {"msg_k1", c1, std::nullopt, "hello"}); }});
  CHECK(again.at(0).kind == PortalWriteResult::Kind::kCreated);
  CHECK(l.number("SELECT updated_seq FROM messages") == seq_before + 1);
}

TEST_CASE("a write outside a group is still its own transaction") {
  Ledger l;
  auto result = l.store->write_message(api("k1"), {"msg_1", l.id("customers", "C1"), std::nullopt, "hello"});
  REQUIRE_MESSAGE(result.has_value(), why(result));
  CHECK(result->kind == PortalWriteResult::Kind::kCreated);
  CHECK(RawDb(l.path).number("SELECT count(*) FROM messages") == 1);  // committed: another connection sees it
}
