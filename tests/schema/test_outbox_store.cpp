// Portal payments and the outbox in the mirror: one transaction per write (object, outbox item,
// answer), idempotent replays, validation against the mirror, and the outbox's states.
#include <doctest/doctest.h>

#include "schema/entity_json.hpp"
#include "schema/mirror_store.hpp"
#include "tests/result_text.hpp"
#include "tests/schema/ledger_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

PortalPaymentWrite payment(Ledger& l, const std::string& portal_id, std::int64_t amount,
                           std::vector<std::pair<std::string, std::int64_t>> applications) {
  PortalPaymentWrite p{portal_id, l.id("customers", "C1"), "card", "ch_1", "2026-11-22", "USD", amount, {}};
  for (const auto& [invoice, applied] : applications) p.applications.push_back({l.id("invoices", invoice), applied});
  return p;
}

PortalWriteResult write(Ledger& l, const ApiWrite& a, const PortalPaymentWrite& p) {
  auto result = l.store->write_portal_payment(a, p);
  REQUIRE_MESSAGE(result.has_value(), why(result));
  return *result;
}

std::string errors_of(const PortalWriteResult& r) {
  std::string out;
  for (const FieldError& e : r.errors) out += e.field + ": " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("a portal payment is stored with its outbox item and its answer, and a replay creates nothing") {
  Ledger l;
  const auto first = write(l, api("k1"), payment(l, "pay_1", 2500, {{"I1", 2000}, {"I2", 500}}));
  CHECK(first.kind == PortalWriteResult::Kind::kCreated);
  CHECK(first.outbox_id > 0);
  CHECK(l.number("SELECT count(*) FROM portal_payments") == 1);
  CHECK(l.number("SELECT count(*) FROM portal_payment_applications") == 2);
  CHECK(l.text("SELECT kind || '/' || target_connector || '/' || idempotency_key || '/' || status FROM outbox") ==
        "payment/demo/pay_1/pending");

  // The payload is the canonical payment the push mapping renders: references are ERP ids.
  auto payload = entity_from_json(*find_entity("payment"), l.text("SELECT payload FROM outbox"));
  REQUIRE_MESSAGE(payload.has_value(), why(payload));
  CHECK(std::get<std::string>(payload->get("customer")) == "C1");
  CHECK(std::get<Money>(payload->get("amount")) == usd(2500));
  CHECK(std::get<Money>(payload->get("unapplied")) == usd(0));
  CHECK(std::get<std::string>(payload->get("portal_ref")) == "pay_1");
  REQUIRE(payload->children[0].size() == 2);
  CHECK(std::get<std::string>(payload->children[0][1].get("invoice")) == "I2");

  const auto again = write(l, api("k1"), payment(l, "pay_2", 2500, {{"I1", 2000}, {"I2", 500}}));
  CHECK(again.kind == PortalWriteResult::Kind::kReplayed);
  CHECK(again.status == 201);
  CHECK(again.answer == first.answer);
  CHECK(l.number("SELECT count(*) FROM portal_payments") == 1);
  CHECK(l.number("SELECT count(*) FROM outbox") == 1);

  const auto reused = write(l, api("k1", "another body"), payment(l, "pay_3", 100, {}));
  CHECK(reused.kind == PortalWriteResult::Kind::kKeyReused);
  CHECK(l.number("SELECT count(*) FROM portal_payments") == 1);
}

TEST_CASE("a portal payment is validated against the mirror, every problem at once") {
  Ledger l;
  SUBCASE("unknown invoice, another customer's invoice, currency mismatch, applications over the amount") {
    PortalPaymentWrite p = payment(l, "pay_1", 1000, {{"I1", 500}, {"I3", 500}, {"I4", 500}});
    p.applications.push_back({999999, 100});
    const auto r = write(l, api("k1"), p);
    REQUIRE(r.kind == PortalWriteResult::Kind::kInvalid);
    const std::string text = errors_of(r);
    CHECK(text.find("applications[1].invoice_id: invoice N-I3 belongs to another customer") != std::string::npos);
    CHECK(text.find("applications[2].amount: currency mismatch: invoice N-I4 is in EUR") != std::string::npos);
    CHECK(text.find("applications[3].invoice_id: no such invoice: 999999") != std::string::npos);
    CHECK(text.find("applications: the applications (16.00 USD) exceed the payment's amount (10.00 USD)") !=
          std::string::npos);
  }
  SUBCASE("over-application counts the portal payments the ERP has not confirmed yet") {
    CHECK(write(l, api("k1"), payment(l, "pay_1", 2500, {{"I1", 2500}})).kind == PortalWriteResult::Kind::kCreated);
    const auto r = write(l, api("k2"), payment(l, "pay_2", 1000, {{"I1", 1000}}));
    REQUIRE(r.kind == PortalWriteResult::Kind::kInvalid);
    CHECK(errors_of(r) ==
          "applications[0].amount: over-application: 10.00 USD exceeds the open balance of invoice N-I1 "
          "(5.00 USD after pending portal payments)\n");
    // Once the ERP's own payment (echoing the portal id) is in the mirror, and with it the
    // invoice's new balance, the portal payment no longer counts twice.
    Entity erp(find_entity("payment"));
    erp.set("erp_id", std::string("P-77"));
    erp.set("customer", std::string("C1"));
    erp.set("payment_date", std::string("2026-11-22"));
    erp.set("currency", std::string("USD"));
    erp.set("amount", usd(2500));
    erp.set("unapplied", usd(2500));
    erp.set("portal_ref", std::string("pay_1"));
    l.apply(page_of({erp}, std::nullopt, "payments"));
    CHECK(l.number("SELECT count(*) FROM invoice_pending_payments") == 0);
    CHECK(write(l, api("k3"), payment(l, "pay_3", 500, {{"I1", 500}})).kind == PortalWriteResult::Kind::kCreated);
  }
  SUBCASE("a customer whose ERP takes no portal payments") {
    ApiWrite a = api("k1");
    a.push_targets = {"other-erp"};
    const auto r = write(l, a, payment(l, "pay_1", 100, {}));
    REQUIRE(r.kind == PortalWriteResult::Kind::kInvalid);
    CHECK(errors_of(r).find("customer_id: this customer's ERP ('demo') does not take portal payments") == 0);
  }
  CHECK(l.number("SELECT count(*) FROM api_requests") == l.number("SELECT count(*) FROM portal_payments"));
}

TEST_CASE("outbox items move pending -> in_flight -> done, and their portal payment with them") {
  Ledger l;
  write(l, api("k1"), payment(l, "pay_1", 1000, {{"I1", 1000}}));
  write(l, api("k2"), payment(l, "pay_2", 1000, {{"I2", 1000}}));
  auto claimed = l.store->claim_outbox(10);
  REQUIRE_MESSAGE(claimed.has_value(), why(claimed));
  REQUIRE(claimed->size() == 2);
  CHECK((*claimed)[0].status == OutboxStatus::kPending);  // the state it was claimed from
  CHECK(l.number("SELECT count(*) FROM outbox WHERE status = 'in_flight'") == 2);
  CHECK(l.store->claim_outbox(10)->empty());  // in_flight items are nobody else's

  const std::int64_t seq_before = l.number("SELECT last_seq FROM mirror_state");
  REQUIRE(l.store->finish_outbox({{(*claimed)[0].id, OutboxStatus::kDone, "ERP-1", "", ""},
                                  {(*claimed)[1].id, OutboxStatus::kFailed, "", "422: amount too small", ""}}));
  CHECK(l.text("SELECT status || '/' || erp_ref FROM portal_payments WHERE portal_id = 'pay_1'") == "submitted/ERP-1");
  CHECK(l.text("SELECT status FROM portal_payments WHERE portal_id = 'pay_2'") == "failed");
  CHECK(l.text("SELECT last_error FROM outbox WHERE idempotency_key = 'pay_2'") == "422: amount too small");
  // Both objects changed: the change feed sees them.
  CHECK(l.number("SELECT last_seq FROM mirror_state") == seq_before + 2);
  CHECK(l.number("SELECT max(updated_seq) FROM portal_payments") == seq_before + 2);
}

TEST_CASE("an idle sender learns when the earliest retry is due; items due now or done do not count") {
  Ledger l;
  CHECK(l.store->next_outbox_retry()->has_value() == false);
  write(l, api("k1"), payment(l, "pay_1", 500, {{"I1", 500}}));
  write(l, api("k2"), payment(l, "pay_2", 1000, {{"I2", 1000}}));
  write(l, api("k3"), payment(l, "pay_3", 500, {{"I1", 500}}));
  CHECK(l.store->next_outbox_retry()->has_value() == false);  // new items are due now: a wake() says so
  auto claimed = l.store->claim_outbox(10);
  REQUIRE(claimed->size() == 3);
  REQUIRE(l.store->finish_outbox({{(*claimed)[0].id, OutboxStatus::kPending, "", "429", "2031-05-02T10:00:00.000Z"},
                                  {(*claimed)[1].id, OutboxStatus::kUnknown, "", "no answer", "2031-05-01T09:30:00.250Z"},
                                  {(*claimed)[2].id, OutboxStatus::kDone, "ERP-3", "", ""}}));
  auto due = l.store->next_outbox_retry();
  REQUIRE_MESSAGE(due.has_value(), why(due));
  REQUIRE(due->has_value());
  CHECK(format_iso8601(**due) == "2031-05-01T09:30:00.250Z");
}

TEST_CASE("an item in flight when the process died becomes unknown and is claimed for a look-up") {
  Ledger l;
  write(l, api("k1"), payment(l, "pay_1", 1000, {{"I1", 1000}}));
  REQUIRE(l.store->claim_outbox(10)->size() == 1);
  l.reopen();  // as after kill -9
  auto recovered = l.store->recover_outbox();
  REQUIRE(recovered.has_value());
  CHECK(*recovered == 1);
  auto again = l.store->claim_outbox(10);
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].status == OutboxStatus::kUnknown);
  CHECK((*again)[0].attempts == 2);
}

TEST_CASE("operators retry failed items and cancel undelivered ones; a late outcome keeps the cancellation") {
  Ledger l;
  write(l, api("k1"), payment(l, "pay_1", 1000, {{"I1", 1000}}));
  const std::int64_t id = l.number("SELECT id FROM outbox");
  auto retry_pending = l.store->operate_outbox(id, OutboxStatus::kPending);
  REQUIRE_FALSE(retry_pending.has_value());
  CHECK(retry_pending.error().kind == ErrorKind::kConflict);

  REQUIRE(l.store->claim_outbox(1)->size() == 1);
  REQUIRE(l.store->finish_outbox({{id, OutboxStatus::kFailed, "", "400: bad", ""}}));
  auto retried = l.store->operate_outbox(id, OutboxStatus::kPending);
  REQUIRE_MESSAGE(retried.has_value(), why(retried));
  CHECK(retried->status == OutboxStatus::kPending);
  CHECK(l.text("SELECT status FROM portal_payments") == "pending");

  REQUIRE(l.store->claim_outbox(1)->size() == 1);
  CHECK_FALSE(l.store->operate_outbox(id, OutboxStatus::kCancelled).has_value());  // in flight: wait for it
  REQUIRE(l.store->finish_outbox({{id, OutboxStatus::kUnknown, "", "timeout", ""}}));
  auto cancelled = l.store->operate_outbox(id, OutboxStatus::kCancelled);
  REQUIRE_MESSAGE(cancelled.has_value(), why(cancelled));
  CHECK(l.text("SELECT status FROM portal_payments") == "cancelled");
  CHECK(l.store->claim_outbox(1)->empty());
  auto counts = l.store->outbox_counts();
  REQUIRE(counts.has_value());
  CHECK(counts->cancelled == 1);
}
