// validate(): every rule of the canonical model, each with a passing and a failing case, and
// the messages an operator reads in the rejects table.
#include <doctest/doctest.h>

#include <string>

#include "schema/catalog.hpp"

using namespace arsync;

namespace {

Money usd(std::int64_t minor) { return Money{minor, "USD"}; }

Entity line(std::int64_t no, std::int64_t amount) {
  Entity l(find_entity("invoice_line"));
  l.set("line_no", no);
  l.set("amount", usd(amount));
  l.set("quantity", Decimal{125, 3});
  return l;
}

// A valid invoice: lines 40.00 + 60.00 = subtotal 100.00, tax 8.00, total 108.00.
Entity invoice() {
  Entity inv(find_entity("invoice"));
  inv.set("erp_id", std::string("INV-1"));
  inv.set("number", std::string("1001"));
  inv.set("customer", std::string("C1"));
  inv.set("issue_date", std::string("2025-03-01"));
  inv.set("due_date", std::string("2025-03-31"));
  inv.set("currency", std::string("USD"));
  inv.set("subtotal", usd(10000));
  inv.set("tax", usd(800));
  inv.set("total", usd(10800));
  inv.set("balance", usd(10800));
  inv.set("status", std::string("open"));
  inv.set("erp_updated_at", std::string("2025-03-01T08:00:00.123Z"));
  inv.children[0] = {line(1, 4000), line(2, 6000)};
  return inv;
}

Entity application(const std::string& invoice_id, std::int64_t amount) {
  Entity a(find_entity("application"));
  a.set("invoice", invoice_id);
  a.set("amount", usd(amount));
  a.set("applied_date", std::string("2025-03-05"));
  return a;
}

// A valid payment: 70.00 applied + 30.00 unapplied = 100.00.
Entity payment() {
  Entity p(find_entity("payment"));
  p.set("erp_id", std::string("PAY-1"));
  p.set("customer", std::string("C1"));
  p.set("payment_date", std::string("2025-03-05"));
  p.set("currency", std::string("USD"));
  p.set("amount", usd(10000));
  p.set("unapplied", usd(3000));
  p.set("origin", std::string("erp"));
  p.children[0] = {application("INV-1", 5000), application("INV-2", 2000)};
  return p;
}

// A valid credit memo: 25.00 applied + 25.00 remaining = 50.00.
Entity credit_memo() {
  Entity c(find_entity("credit_memo"));
  c.set("erp_id", std::string("CM-1"));
  c.set("number", std::string("CM1"));
  c.set("customer", std::string("C1"));
  c.set("issue_date", std::string("2025-03-02"));
  c.set("currency", std::string("USD"));
  c.set("total", usd(5000));
  c.set("remaining", usd(2500));
  c.set("status", std::string("open"));
  c.children[0] = {application("INV-1", 2500)};
  return c;
}

Entity customer() {
  Entity c(find_entity("customer"));
  c.set("erp_id", std::string("C1"));
  c.set("name", std::string("Acme"));
  c.set("currency", std::string("EUR"));
  c.set("credit_limit", Money{500000, "EUR"});
  Entity contact(find_entity("contact"));
  contact.set("name", std::string("Ann"));
  contact.set("is_primary", true);
  c.children[0] = {contact};
  return c;
}

// The error message of validate(), or "" when the entity is valid.
std::string error_of(const Entity& e) {
  auto r = validate(e);
  if (r) return "";
  CHECK(r.error().kind == ErrorKind::kInvalidInput);
  return r.error().message;
}

}  // namespace

TEST_CASE("valid entities of every kind pass") {
  CHECK(error_of(invoice()) == "");
  CHECK(error_of(payment()) == "");
  CHECK(error_of(credit_memo()) == "");
  CHECK(error_of(customer()) == "");
}

TEST_CASE("a required field that is absent is named") {
  Entity inv = invoice();
  inv.set("number", std::monostate{});
  CHECK(error_of(inv) == "invoice INV-1: number is required but missing");
  Entity c = customer();
  c.children[0][0].set("name", std::monostate{});
  CHECK(error_of(c) == "customer C1: contacts[0].name is required but missing");
  inv = invoice();
  inv.set("erp_id", std::monostate{});
  CHECK(error_of(inv) == "invoice ?: erp_id is required but missing");
}

TEST_CASE("an optional field may be absent") {
  Entity inv = invoice();
  inv.set("due_date", std::monostate{});
  inv.set("subtotal", std::monostate{});
  inv.set("erp_updated_at", std::monostate{});
  CHECK(error_of(inv) == "");
}

TEST_CASE("an enumerated value outside the catalog's list is refused, listing the allowed ones") {
  Entity inv = invoice();
  inv.set("status", std::string("Open"));
  CHECK(error_of(inv) ==
        "invoice INV-1: status 'Open' is not one of open, partially_paid, paid, void, disputed");
  for (const char* s : {"open", "partially_paid", "paid", "void", "disputed"}) {
    inv.set("status", std::string(s));
    CHECK(error_of(inv) == "");
  }
  Entity p = payment();
  p.set("origin", std::string("fax"));
  CHECK(error_of(p) == "payment PAY-1: origin 'fax' is not one of erp, portal");
}

TEST_CASE("a value of the wrong type for its field is refused") {
  Entity inv = invoice();
  inv.set("total", std::int64_t{10800});
  CHECK(error_of(inv) == "invoice INV-1: total should be money but is an integer");
  inv = invoice();
  inv.set("issue_date", std::int64_t{20250301});
  CHECK(error_of(inv) == "invoice INV-1: issue_date should be date but is an integer");
  inv = invoice();
  inv.children[0][1].set("line_no", std::string("2"));
  CHECK(error_of(inv) == "invoice INV-1: lines[1].line_no should be integer but is text");
  inv = invoice();
  inv.children[0][0].set("quantity", usd(1));
  CHECK(error_of(inv) == "invoice INV-1: lines[0].quantity should be decimal but is money");
  Entity c = customer();
  c.children[0][0].set("is_primary", std::string("yes"));
  CHECK(error_of(c) == "customer C1: contacts[0].is_primary should be bool but is text");
  Entity p = payment();
  p.set("customer", std::int64_t{1});
  CHECK(error_of(p) == "payment PAY-1: customer should be reference but is an integer");
}

TEST_CASE("dates must be real calendar days in YYYY-MM-DD") {
  Entity inv = invoice();
  inv.set("issue_date", std::string("2024-02-29"));  // leap year
  CHECK(error_of(inv) == "");
  inv.set("issue_date", std::string("2000-02-29"));  // divisible by 400: leap
  CHECK(error_of(inv) == "");
  inv.set("issue_date", std::string("2025-02-29"));
  CHECK(error_of(inv) ==
        "invoice INV-1: issue_date '2025-02-29' is not a date (YYYY-MM-DD, a real calendar day)");
  for (const char* bad : {"1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-3-1", "03/01/2025",
                          "2025-03-01T00:00:00.000Z", "2025-03-0a", ""}) {
    inv.set("issue_date", std::string(bad));
    CHECK_MESSAGE(error_of(inv).find("is not a date") != std::string::npos, bad);
  }
  Entity p = payment();
  p.children[0][1].set("applied_date", std::string("2025-02-30"));
  CHECK(error_of(p).find("applications[1].applied_date '2025-02-30'") != std::string::npos);
}

TEST_CASE("timestamps must be canonical UTC with milliseconds") {
  Entity inv = invoice();
  for (const char* good :
       {"2025-03-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2016-12-31T23:59:60.000Z"}) {
    inv.set("erp_updated_at", std::string(good));
    CHECK_MESSAGE(error_of(inv) == "", good);
  }
  for (const char* bad : {"2025-03-01T00:00:00Z", "2025-03-01T00:00:00.000", "2025-03-01T00:00:00.000+01:00",
                          "2025-03-01 00:00:00.000Z", "2025-03-01T24:00:00.000Z", "2025-03-01T12:60:00.000Z",
                          "2025-02-29T00:00:00.000Z", "2025-03-01T00:00:00.0000Z"}) {
    inv.set("erp_updated_at", std::string(bad));
    CHECK_MESSAGE(error_of(inv) == "invoice INV-1: erp_updated_at '" + std::string(bad) +
                                       "' is not a UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)",
                  bad);
  }
}

TEST_CASE("the currency must be a known upper-case ISO 4217 code") {
  Entity c = customer();
  for (const char* code : {"EUR", "JPY", "KWD"}) {
    c.set("currency", std::string(code));
    c.set("credit_limit", Money{1, code});
    CHECK_MESSAGE(error_of(c) == "", code);
  }
  for (const char* code : {"XYZ", "eur", "EURO", ""}) {
    c.set("currency", std::string(code));
    c.set("credit_limit", Money{1, code});
    CHECK(error_of(c) == "customer C1: currency '" + std::string(code) +
                             "' is not an ISO 4217 code (e.g. USD, EUR, JPY; upper case)");
  }
}

TEST_CASE("every amount must be in the record's currency, children included") {
  Entity inv = invoice();
  inv.set("tax", Money{800, "EUR"});
  CHECK(error_of(inv) == "invoice INV-1: tax is in EUR but the invoice's currency is USD");
  inv = invoice();
  inv.children[0][1].set("amount", Money{6000, "EUR"});
  CHECK(error_of(inv) == "invoice INV-1: lines[1].amount is in EUR but the invoice's currency is USD");
  Entity c = customer();
  c.set("currency", std::monostate{});
  CHECK(error_of(c) == "customer C1: credit_limit is 5000.00 EUR but the customer has no currency");
}

TEST_CASE("invoice lines must sum to the subtotal") {
  Entity inv = invoice();
  inv.set("subtotal", usd(10100));
  inv.set("total", usd(10900));
  inv.set("balance", usd(0));
  CHECK(error_of(inv) == "invoice INV-1: lines sum to 100.00 USD but subtotal is 101.00 USD");
  inv.children[0].clear();  // no lines: nothing to compare
  CHECK(error_of(inv) == "");
}

TEST_CASE("subtotal plus tax must equal the total") {
  Entity inv = invoice();
  inv.set("total", usd(10801));
  inv.set("balance", usd(0));
  CHECK(error_of(inv) ==
        "invoice INV-1: subtotal 100.00 USD + tax 8.00 USD is 108.00 USD but total is 108.01 USD");
  inv.set("tax", std::monostate{});  // without tax there is nothing to add up
  CHECK(error_of(inv) == "");
}

TEST_CASE("an invoice balance lies between zero and the total") {
  Entity inv = invoice();
  inv.set("balance", usd(10801));
  CHECK(error_of(inv) == "invoice INV-1: balance 108.01 USD is outside 0..108.00 USD (the total)");
  inv.set("balance", usd(-1));
  CHECK(error_of(inv) == "invoice INV-1: balance -0.01 USD is outside 0..108.00 USD (the total)");
  inv.set("balance", usd(0));
  CHECK(error_of(inv) == "");
  // A credit-type invoice (negative total) has a balance between the total and zero.
  Entity credit = invoice();
  credit.children[0] = {line(1, -10000)};
  credit.set("subtotal", usd(-10000));
  credit.set("tax", usd(-800));
  credit.set("total", usd(-10800));
  credit.set("balance", usd(-500));
  CHECK(error_of(credit) == "");
  credit.set("balance", usd(500));
  CHECK(error_of(credit).find("balance 5.00 USD is outside") != std::string::npos);
}

TEST_CASE("payment applications plus the unapplied amount must equal the payment") {
  Entity p = payment();
  p.set("unapplied", usd(2000));
  CHECK(error_of(p) ==
        "payment PAY-1: applications sum to 70.00 USD and unapplied is 20.00 USD, together 90.00 USD, but "
        "amount is "
        "100.00 USD");
  p.set("unapplied", usd(10001));
  CHECK(error_of(p) == "payment PAY-1: unapplied 100.01 USD is outside 0..100.00 USD (the amount)");
  p.set("unapplied", usd(3000));
  p.children[0][0].set("amount", Money{5000, "EUR"});
  CHECK(error_of(p) == "payment PAY-1: applications[0].amount is in EUR but the payment's currency is USD");
}

TEST_CASE("credit memo applications plus the remaining credit must equal the total") {
  Entity c = credit_memo();
  c.set("remaining", usd(2400));
  CHECK(error_of(c) ==
        "credit_memo CM-1: applications sum to 25.00 USD and remaining is 24.00 USD, together 49.00 USD, but "
        "total "
        "is 50.00 USD");
  c.children[0].clear();  // applications not mapped: only the range is checked
  CHECK(error_of(c) == "");
  c.set("remaining", usd(5001));
  CHECK(error_of(c) == "credit_memo CM-1: remaining 50.01 USD is outside 0..50.00 USD (the total)");
}

TEST_CASE("two invoice lines with one line number are refused") {
  Entity inv = invoice();
  inv.children[0][1].set("line_no", std::int64_t{1});
  CHECK(error_of(inv) == "invoice INV-1: lines[1].line_no 1 repeats lines[0]");
}

TEST_CASE("a child of the wrong kind or an entity out of shape is a mapping bug, not a crash") {
  Entity inv = invoice();
  inv.children[0].push_back(application("INV-1", 1));
  CHECK(error_of(inv) == "invoice INV-1: lines[2] should be invoice_line but is application (a mapping bug)");
  Entity shapeless = invoice();
  shapeless.values.pop_back();
  CHECK(error_of(shapeless).find("does not match its spec") != std::string::npos);
  CHECK(error_of(Entity()) == "an entity without a spec (a mapping bug)");
}

TEST_CASE("sums that would overflow are refused, not wrapped") {
  Entity p = payment();
  p.children[0] = {application("INV-1", INT64_MAX), application("INV-2", INT64_MAX)};
  CHECK(error_of(p) == "payment PAY-1: applications amounts overflow");
}
