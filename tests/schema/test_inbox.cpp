// The webhook inbox: durable before acknowledgement, deduplicated by event id, completed in the
// same transaction as the rows its processing writes.
#include <doctest/doctest.h>

#include "schema/mirror_store.hpp"
#include "tests/schema/mirror_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

InboxEvent event(std::string id, std::string body = R"({"id":"x"})") {
  return {"erp", std::move(id), R"({"content-type":"application/json"})", std::move(body)};
}

Entity customer(const std::string& erp_id) {
  Entity c(find_entity("customer"));
  c.set("erp_id", erp_id);
  c.set("name", std::string("Acme"));
  return c;
}

}  // namespace

TEST_CASE("a batch of webhook events is stored in one commit and duplicates are recognised") {
  Mirror m;
  auto first = m.store->add_inbox_events({event("e1"), event("e2"), event("e1")});
  REQUIRE(first);
  CHECK(*first == std::vector<bool>{true, true, false});  // e1 twice in one batch: stored once
  auto again = m.store->add_inbox_events({event("e2"), event("e3")});
  REQUIRE(again);
  CHECK(*again == std::vector<bool>{false, true});
  CHECK(m.number("SELECT count(*) FROM inbox") == 3);
  CHECK(*m.store->inbox_depth() == 3);
}

TEST_CASE("raw bodies are kept byte for byte, including NUL and non-UTF-8 bytes") {
  Mirror m;
  std::string body("{\"a\":\"\xff\x00\x01\"}", 11);
  REQUIRE(m.store->add_inbox_events({event("bin", body)}));
  m.reopen();
  auto pending = m.store->pending_inbox(10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].body == body);
}

TEST_CASE("an event leaves the inbox in the same transaction as the page its processing wrote") {
  Mirror m;
  REQUIRE(m.store->add_inbox_events({event("e1"), event("e2")}));
  auto pending = m.store->pending_inbox(10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);

  PageWrite page;
  page.source = "erp";
  page.stream = "customers";
  page.entities.push_back(customer("C1"));
  page.inbox_done = {(*pending)[0].id};
  m.apply(page);
  CHECK(m.number("SELECT count(*) FROM customers") == 1);
  CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e1'") == "processed");
  CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e2'") == "pending");
  CHECK(m.number("SELECT count(*) FROM sync_cursors") == 0);  // a webhook page moves no cursor

  SUBCASE("a page that fails leaves its event pending") {
    RawDb(m.path).exec(
        "CREATE TRIGGER sabotage BEFORE INSERT ON customers BEGIN SELECT RAISE(ROLLBACK, 'disk on fire'); END");
    PageWrite bad = page;
    bad.entities = {customer("C2")};
    bad.inbox_done = {(*pending)[1].id};
    CHECK_FALSE(m.store->apply_page(bad));
    CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e2'") == "pending");
  }
}

TEST_CASE("failed processing is retried, then parked as failed with the error for an operator") {
  Mirror m;
  REQUIRE(m.store->add_inbox_events({event("e1")}));
  auto id = (*m.store->pending_inbox(1))[0].id;
  REQUIRE(m.store->fail_inbox_event(id, "unknown entity 'Widget'", 3));
  REQUIRE(m.store->fail_inbox_event(id, "unknown entity 'Widget'", 3));
  CHECK(m.text("SELECT status FROM inbox") == "pending");
  REQUIRE(m.store->fail_inbox_event(id, "unknown entity 'Widget'", 3));
  CHECK(m.text("SELECT status FROM inbox") == "failed");
  CHECK(m.text("SELECT error FROM inbox") == "unknown entity 'Widget'");
  CHECK(m.store->pending_inbox(10)->empty());
}

TEST_CASE("a group commit stores new events and marks processed ones in one transaction") {
  Mirror m;
  REQUIRE(m.store->add_inbox_events({event("e1"), event("e2")}));
  auto pending = m.store->pending_inbox(10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);

  auto stored = m.store->add_inbox_events({event("e3")}, {(*pending)[0].id});
  REQUIRE(stored);
  CHECK(*stored == std::vector<bool>{true});
  CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e1'") == "processed");
  CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e2'") == "pending");
  CHECK(*m.store->inbox_depth() == 2);

  SUBCASE("only processed marks, no new event") {
    REQUIRE(m.store->add_inbox_events({}, {(*pending)[1].id}));
    CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e2'") == "processed");
  }
  SUBCASE("a failed commit stores nothing and marks nothing") {
    RawDb(m.path).exec(
        "CREATE TRIGGER sabotage BEFORE INSERT ON inbox WHEN NEW.event_id = 'bad' "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    CHECK_FALSE(m.store->add_inbox_events({event("e4"), event("bad")}, {(*pending)[1].id}));
    CHECK(m.number("SELECT count(*) FROM inbox WHERE event_id = 'e4'") == 0);
    CHECK(m.text("SELECT status FROM inbox WHERE event_id = 'e2'") == "pending");
  }
}
