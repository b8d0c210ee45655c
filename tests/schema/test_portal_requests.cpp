// Disputes, promises to pay, messages and credit requests in the mirror: each is stored with an
// outbox item carrying the canonical push-only entity (references as ERP ids, the portal id as
// portal_ref and idempotency key) when its customer's connector pushes that kind, and without
// one otherwise; the ERP's id is recorded on the object when the item is done.
#include <doctest/doctest.h>

#include "schema/entity_json.hpp"
#include "schema/mirror_store.hpp"
#include "tests/result_text.hpp"
#include "tests/schema/ledger_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

Entity payload_of(Ledger& l, std::string_view kind, const std::string& key) {
  auto entity = entity_from_json(*find_entity(kind), l.text("SELECT payload FROM outbox WHERE idempotency_key = ?", {key}));
  REQUIRE_MESSAGE(entity.has_value(), why(entity));
  return std::move(*entity);
}

std::string text(const Entity& e, std::string_view field) {
  const Value& v = e.get(field);
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "<absent>";
}

void created(const Result<PortalWriteResult>& r) {
  REQUIRE_MESSAGE(r.has_value(), why(r));
  REQUIRE_MESSAGE(r->kind == PortalWriteResult::Kind::kCreated, (r->errors.empty() ? "" : r->errors[0].message));
}

}  // namespace

TEST_CASE("each portal request kind is queued for the ERP as its canonical push-only entity") {
  Ledger l;
  const std::int64_t c1 = l.id("customers", "C1"), i1 = l.id("invoices", "I1"), i2 = l.id("invoices", "I2");
  created(l.store->write_dispute(api("k1"), {"dsp_1", i1, "pricing", 500, "USD", "too dear"}));
  created(l.store->write_promise(api("k2"), {"ptp_1", c1, "2099-01-31", "USD", 4000, {i1, i2}, ""}));
  created(l.store->write_message(api("k3"), {"msg_1", c1, std::nullopt, "hello"}));
  created(l.store->write_credit_request(api("k4"), {"crq_1", c1, i2, "USD", 700, "damaged", ""}));
  CHECK(l.text("SELECT group_concat(kind || '/' || target_connector || '/' || idempotency_key || '/' || object_table, ' ') "
               "FROM (SELECT * FROM outbox ORDER BY id)") ==
        "dispute/demo/dsp_1/disputes promise_to_pay/demo/ptp_1/promises_to_pay message/demo/msg_1/messages "
        "credit_request/demo/crq_1/credit_requests");

  const Entity dispute = payload_of(l, "dispute", "dsp_1");
  CHECK(text(dispute, "portal_ref") == "dsp_1");
  CHECK(text(dispute, "customer") == "C1");
  CHECK(text(dispute, "invoice") == "I1");
  CHECK(std::get<Money>(dispute.get("amount")) == usd(500));
  CHECK(text(dispute, "text") == "too dear");

  const Entity promise = payload_of(l, "promise_to_pay", "ptp_1");
  CHECK(text(promise, "promised_date") == "2099-01-31");
  CHECK(std::get<Money>(promise.get("amount")) == usd(4000));
  REQUIRE(promise.children[0].size() == 2);
  CHECK(text(promise.children[0][1], "invoice") == "I2");
  CHECK(text(promise, "note") == "<absent>");

  const Entity message = payload_of(l, "message", "msg_1");
  CHECK(text(message, "invoice") == "<absent>");  // about the account, not an invoice
  CHECK(text(message, "body") == "hello");

  const Entity credit = payload_of(l, "credit_request", "crq_1");
  CHECK(text(credit, "invoice") == "I2");
  CHECK(text(credit, "reason_code") == "damaged");
  CHECK(std::get<Money>(credit.get("amount")) == usd(700));

  // Done: the ERP's ids land on the portal objects (a message too, since migration 011).
  auto claimed = l.store->claim_outbox(10);
  REQUIRE_MESSAGE(claimed.has_value(), why(claimed));
  REQUIRE(claimed->size() == 4);
  std::vector<OutboxOutcome> outcomes;
  for (const OutboxItem& item : *claimed)
    outcomes.push_back({item.id, OutboxStatus::kDone, "ERP-" + item.idempotency_key, "", ""});
  REQUIRE(l.store->finish_outbox(outcomes));
  CHECK(l.text("SELECT erp_ref FROM disputes") == "ERP-dsp_1");
  CHECK(l.text("SELECT erp_ref FROM promises_to_pay") == "ERP-ptp_1");
  CHECK(l.text("SELECT erp_ref FROM messages") == "ERP-msg_1");
  CHECK(l.text("SELECT status || '/' || erp_ref FROM credit_requests") == "submitted/ERP-crq_1");
}

TEST_CASE("a portal request for a customer whose ERP takes no such items is kept without an outbox item") {
  Ledger l;
  ApiWrite a = api("k1");
  a.push_targets = {"other-erp"};
  created(l.store->write_message(a, {"msg_1", l.id("customers", "C1"), l.id("invoices", "I1"), "hello"}));
  CHECK(l.number("SELECT count(*) FROM messages") == 1);
  CHECK(l.number("SELECT count(*) FROM outbox") == 0);
}
