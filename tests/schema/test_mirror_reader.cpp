// MirrorReader against a small mirror built by hand: statements and aging are checked against
// numbers worked out on paper (in the comments), not computed by the code under test.
#include "schema/mirror_reader.hpp"

#include <doctest/doctest.h>

#include <set>

#include "tests/result_text.hpp"
#include "tests/schema/mirror_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

// Customer 1 (USD, one EUR invoice) and customer 2 (one invoice, to show lists stay per customer).
// Amounts are minor units. The statement below is for 2025-03-01 .. 2025-03-31.
void build_fixture(RawDb& db) {
  db.exec(R"(
    INSERT INTO customers (id, source, erp_id, number, name, currency, row_hash, updated_seq) VALUES
      (1, 'demo', 'C1', 'C-001', 'Acme', 'USD', 0, 1),
      (2, 'demo', 'C2', 'C-002', 'Other', 'USD', 0, 2);
    INSERT INTO contacts (customer_id, position, name, email, is_primary) VALUES (1, 0, 'Ann', 'ann@acme.test', 1);
    INSERT INTO invoices (id, source, erp_id, number, customer_id, issue_date, due_date, currency, total, balance,
                          status, row_hash, updated_seq) VALUES
      (1,  'demo', 'I1',  'INV-1',  1, '2025-01-10', '2025-02-09', 'USD', 100000, 60000, 'partially_paid', 0, 10),
      (2,  'demo', 'I2',  'INV-2',  1, '2025-03-05', '2025-04-04', 'USD', 25000, 20000, 'partially_paid', 0, 11),
      (3,  'demo', 'I3',  'INV-3',  1, '2024-11-01', '2024-12-01', 'USD', 30000, 30000, 'open', 0, 12),
      (4,  'demo', 'I4',  'INV-4',  1, '2025-02-20', '2025-03-22', 'USD', 8000, 0, 'paid', 0, 13),
      (5,  'demo', 'I5',  'INV-5',  1, '2025-03-10', '2025-04-09', 'USD', 99900, 0, 'void', 0, 14),
      (6,  'demo', 'I6',  'INV-6',  1, '2025-04-02', '2025-05-02', 'USD', 50000, 50000, 'open', 0, 15),
      (7,  'demo', 'I7',  'INV-7',  1, '2025-02-14', '2025-03-16', 'USD', 12000, 12000, 'open', 0, 16),
      (8,  'demo', 'I8',  'INV-8',  1, '2024-12-16', '2025-01-15', 'USD', 7000, 0, 'paid', 0, 17),
      (9,  'demo', 'I9',  'INV-9',  1, '2025-03-03', NULL,         'EUR', 4000, 4000, 'open', 0, 18),
      (10, 'demo', 'I10', 'INV-10', 1, '2025-03-01', '2025-03-31', 'USD', 1000, 1000, 'open', 0, 19),
      (11, 'demo', 'I11', 'INV-11', 2, '2025-03-01', '2025-03-31', 'USD', 5000, 5000, 'open', 0, 20);
    INSERT INTO invoice_lines (invoice_id, line_no, position, item, quantity, unit_price, amount) VALUES
      (1, 1, 0, 'WIDGET', '2.5', '400', 100000);
    INSERT INTO payments (id, source, erp_id, number, customer_id, payment_date, currency, amount, unapplied,
                          status, row_hash, updated_seq) VALUES
      (1, 'demo', 'P1', 'PAY-1', 1, '2025-02-15', 'USD', 40000, 0, 'posted', 0, 30),
      (2, 'demo', 'P2', 'PAY-2', 1, '2025-03-25', 'USD', 10000, 2000, 'posted', 0, 31),
      (3, 'demo', 'P3', 'PAY-3', 1, '2025-04-05', 'USD', 7000, 0, 'posted', 0, 32),
      (4, 'demo', 'P4', 'PAY-4', 1, '2025-03-12', 'USD', 50000, 50000, 'void', 0, 33);
    INSERT INTO credit_memos (id, source, erp_id, number, customer_id, issue_date, currency, total, remaining,
                              status, row_hash, updated_seq) VALUES
      (1, 'demo', 'CM1', 'CM-1', 1, '2025-03-20', 'USD', 5000, 0, 'applied', 0, 40);
    INSERT INTO applications (payment_id, credit_memo_id, position, invoice_id, amount, currency, applied_date) VALUES
      (1, NULL, 0, 1, 40000, 'USD', '2025-02-15'),
      (2, NULL, 0, 4, 8000, 'USD', '2025-03-25'),
      (3, NULL, 0, 8, 7000, 'USD', '2025-04-05'),
      (NULL, 1, 0, 2, 5000, 'USD', NULL);
    INSERT INTO disputes (id, portal_id, invoice_id, reason_code, status, created_at, updated_at, updated_seq) VALUES
      (1, 'dsp-1', 7, 'pricing', 'open', '2025-03-18T00:00:00.000Z', '2025-03-18T00:00:00.000Z', 50),
      (2, 'dsp-2', 3, 'damaged', 'resolved', '2025-03-18T00:00:00.000Z', '2025-03-18T00:00:00.000Z', 51);
    INSERT INTO promises_to_pay (id, portal_id, customer_id, promised_date, amount, currency, created_at, updated_at,
                                 updated_seq) VALUES
      (1, 'ptp-1', 1, '2025-04-15', 60000, 'USD', '2025-03-30T00:00:00.000Z', '2025-03-30T00:00:00.000Z', 52);
    INSERT INTO promise_invoices (promise_id, invoice_id, amount) VALUES (1, 1, 60000);
    INSERT INTO documents (id, source, erp_id, kind, owner_type, owner_id, file_name, media_type, byte_size, sha256,
                           content, created_at, updated_seq) VALUES
      (1, 'erp', 'doc-1', 'invoice', 'invoice', 1, 'INV-1.pdf', 'application/pdf', 3, printf('%064d', 0), x'255044',
       '2025-01-10T00:00:00.000Z', 53);
    UPDATE invoices SET deleted = 1, updated_seq = 54 WHERE id = 6;
  )");
}

struct Fixture {
  Mirror mirror;
  std::unique_ptr<MirrorReader> reader;
  Fixture() {
    {
      RawDb db(mirror.path);
      build_fixture(db);
    }
    auto opened = MirrorReader::open(mirror.path);
    REQUIRE_MESSAGE(opened, why(opened));
    reader = std::move(*opened);
  }
};

std::vector<std::string> numbers(const std::vector<InvoiceRow>& rows) {
  std::vector<std::string> out;
  for (const InvoiceRow& r : rows) out.push_back(r.number);
  return out;
}

}  // namespace

TEST_CASE("a statement's balances and aging match the hand-computed fixture") {
  Fixture f;
  auto s = f.reader->statement(1, "2025-03-01", "2025-03-31");
  REQUIRE_MESSAGE(s, why(s));
  REQUIRE(s->currencies.size() == 2);
  const CurrencyStatement& eur = s->currencies[0];
  const CurrencyStatement& usd = s->currencies[1];
  REQUIRE(eur.currency == "EUR");
  REQUIRE(usd.currency == "USD");

  // Opening: invoices issued before March (INV-1 1000.00, INV-3 300.00, INV-4 80.00, INV-7 120.00,
  // INV-8 70.00 = 1570.00) less PAY-1 400.00 = 1170.00. Void INV-5/PAY-4 and deleted INV-6 never count.
  CHECK(usd.opening == 117000);
  // March: INV-10 +10.00 (03-01), INV-2 +250.00 (03-05), CM-1 -50.00 (03-20), PAY-2 -100.00 (03-25).
  REQUIRE(usd.lines.size() == 4);
  CHECK(usd.lines[0].number == "INV-10");
  CHECK(usd.lines[0].running == 118000);
  CHECK(usd.lines[1].number == "INV-2");
  CHECK(usd.lines[1].running == 143000);
  CHECK(usd.lines[2].kind == "credit_memo");
  CHECK(usd.lines[2].amount == -5000);
  CHECK(usd.lines[2].running == 138000);
  CHECK(usd.lines[3].number == "PAY-2");
  CHECK(usd.lines[3].running == 128000);
  CHECK(usd.closing == 128000);
  // Applications in March: CM-1 -> INV-2 50.00 (dated by the memo), PAY-2 -> INV-4 80.00.
  REQUIRE(usd.applications.size() == 2);
  CHECK(usd.applications[0].from_number == "CM-1");
  CHECK(usd.applications[0].invoice_number == "INV-2");
  CHECK(usd.applications[0].date == "2025-03-20");
  CHECK(usd.applications[1].amount == 8000);

  // Aging as of 2025-03-31 (days past the due date):
  //   INV-10 10.00 due 03-31 (0 days) + INV-2 250.00-50.00 due 04-04 (not due) -> current 210.00
  //   INV-7 120.00, 15 days -> 1-30          INV-1 1000.00-400.00, 50 days -> 31-60 600.00
  //   INV-8 70.00, 75 days (PAY-3 applies only on 04-05) -> 61-90
  //   INV-3 300.00, 120 days -> 90+          INV-4 fully applied -> nowhere
  CHECK(usd.aging.current == 21000);
  CHECK(usd.aging.days_1_30 == 12000);
  CHECK(usd.aging.days_31_60 == 60000);
  CHECK(usd.aging.days_61_90 == 7000);
  CHECK(usd.aging.days_over_90 == 30000);
  // PAY-2 100.00 with 80.00 applied leaves 20.00 unapplied; 1300.00 - 20.00 = the closing 1280.00.
  CHECK(usd.unapplied_credits == 2000);
  CHECK(usd.aging.total() - usd.unapplied_credits == usd.closing);

  // EUR: INV-9 40.00 with no due date is due on issue (03-03): 28 days -> 1-30.
  CHECK(eur.opening == 0);
  CHECK(eur.closing == 4000);
  CHECK(eur.aging.days_1_30 == 4000);
  CHECK(eur.aging.total() == 4000);
}

TEST_CASE("aging is as of the given date, not today") {
  Fixture f;
  // As of 2025-04-10 PAY-3 (04-05) has paid INV-8, INV-2 (due 04-04) is 6 days late, and INV-7
  // (due 03-16) is 25 days late.
  auto s = f.reader->statement(1, "2025-04-01", "2025-04-10");
  REQUIRE_MESSAGE(s, why(s));
  const CurrencyStatement& usd = s->currencies[1];
  CHECK(usd.aging.days_61_90 == 0);            // INV-8 paid; INV-1 now 60 days: still 31-60
  CHECK(usd.aging.days_31_60 == 60000);
  CHECK(usd.aging.days_1_30 == 12000 + 20000 + 1000);  // INV-7, INV-2, INV-10 (10 days)
  CHECK(usd.aging.current == 0);
  CHECK(usd.aging.days_over_90 == 30000);
  CHECK(usd.opening == 128000);  // the March closing
}

TEST_CASE("a statement for an unknown customer is NotFound") {
  Fixture f;
  auto s = f.reader->statement(99, "2025-03-01", "2025-03-31");
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == ErrorKind::kNotFound);
}

TEST_CASE("the invoice list walks every live invoice once in (due date, id) order by keyset") {
  Fixture f;
  InvoiceFilter filter;
  filter.limit = 2;
  filter.today = "2025-03-31";
  std::vector<std::string> seen;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 10);
    auto page = f.reader->invoices(1, filter);
    REQUIRE_MESSAGE(page, why(page));
    for (auto& n : numbers(page->items)) seen.push_back(n);
    if (page->next.empty()) break;
    filter.after = page->next;
  }
  // Effective due dates: INV-3 12-01, INV-8 01-15, INV-1 02-09, INV-9 03-03 (issue), INV-7 03-16,
  // INV-4 03-22, INV-10 03-31, INV-2 04-04, INV-5 04-09. INV-6 is deleted, INV-11 another customer's.
  CHECK(seen == std::vector<std::string>{"INV-3", "INV-8", "INV-1", "INV-9", "INV-7", "INV-4", "INV-10", "INV-2",
                                         "INV-5"});
}

TEST_CASE("invoice filters: shown status, overdue, due before, currency and total range") {
  Fixture f;
  auto list = [&](InvoiceFilter filter) {
    filter.today = filter.today.empty() ? "2025-03-31" : filter.today;
    auto page = f.reader->invoices(1, filter);
    REQUIRE_MESSAGE(page, why(page));
    return numbers(page->items);
  };
  // INV-7 has an open dispute: shown as disputed, not open; INV-3's dispute is resolved.
  CHECK(list({.statuses = {"disputed"}}) == std::vector<std::string>{"INV-7"});
  CHECK(list({.statuses = {"open"}}) == std::vector<std::string>{"INV-3", "INV-9", "INV-10"});
  CHECK(list({.statuses = {"paid", "void"}}) == std::vector<std::string>{"INV-8", "INV-4", "INV-5"});
  // Overdue on 2025-03-31: owed and due before that day.
  CHECK(list({.overdue = true}) == std::vector<std::string>{"INV-3", "INV-1", "INV-9", "INV-7"});
  CHECK(list({.due_before = "2025-02-10"}) == std::vector<std::string>{"INV-3", "INV-8", "INV-1"});
  CHECK(list({.currency = "EUR"}) == std::vector<std::string>{"INV-9"});
  CHECK(list({.currency = "USD", .min_total = 8000, .max_total = 30000}) ==
        std::vector<std::string>{"INV-3", "INV-7", "INV-4", "INV-2"});
}

TEST_CASE("a forged page token is InvalidInput") {
  Fixture f;
  for (const std::string& token : std::vector<std::string>{"zz", "abc", "2f2f", std::string(200, 'a')}) {
    auto page = f.reader->invoices(1, {.after = token});
    REQUIRE_FALSE(page);
    CHECK(page.error().kind == ErrorKind::kInvalidInput);
  }
  CHECK_FALSE(f.reader->customers("nothex", 10));
}

TEST_CASE("one invoice with its lines, applications, open disputes and promises") {
  Fixture f;
  auto one = f.reader->invoice(1);
  REQUIRE_MESSAGE(one, why(one));
  CHECK(one->invoice.number == "INV-1");
  CHECK(one->invoice.status == "partially_paid");
  REQUIRE(one->lines.size() == 1);
  CHECK(one->lines[0].quantity == "2.5");
  REQUIRE(one->applied.size() == 1);
  CHECK(one->applied[0].kind == "payment");
  CHECK(one->applied[0].from_number == "PAY-1");
  CHECK(one->applied[0].amount == 40000);
  REQUIRE(one->promises.size() == 1);
  CHECK(one->promises[0].invoice_amount == 60000);

  auto disputed = f.reader->invoice(7);
  REQUIRE(disputed);
  CHECK(disputed->invoice.status == "disputed");
  CHECK(disputed->invoice.erp_status == "open");
  REQUIRE(disputed->disputes.size() == 1);
  CHECK(disputed->disputes[0].portal_id == "dsp-1");

  auto resolved = f.reader->invoice(3);
  REQUIRE(resolved);
  CHECK(resolved->disputes.empty());
  CHECK(resolved->invoice.status == "open");

  CHECK(f.reader->invoice(6).error().kind == ErrorKind::kNotFound);  // deleted
  CHECK(f.reader->invoice(99).error().kind == ErrorKind::kNotFound);
}

TEST_CASE("customers page by id with their contacts") {
  Fixture f;
  auto first = f.reader->customers("", 1);
  REQUIRE_MESSAGE(first, why(first));
  REQUIRE(first->items.size() == 1);
  CHECK(first->items[0].name == "Acme");
  REQUIRE(first->items[0].contacts.size() == 1);
  CHECK(first->items[0].contacts[0].primary);
  auto second = f.reader->customers(first->next, 1);
  REQUIRE(second);
  REQUIRE(second->items.size() == 1);
  CHECK(second->items[0].name == "Other");
  CHECK(second->next.empty());
}

TEST_CASE("the change feed returns every table's changes after a seq, in seq order") {
  Fixture f;
  auto all = f.reader->changes(0, 1000);
  REQUIRE_MESSAGE(all, why(all));
  std::int64_t previous = 0;
  std::set<std::string> types;
  for (const ChangeItem& c : all->items) {
    CHECK(c.seq > previous);
    previous = c.seq;
    types.insert(c.type);
  }
  CHECK(types == std::set<std::string>{"customer", "invoice", "credit_memo", "payment", "dispute",
                                       "promise_to_pay", "document"});
  CHECK(all->next == 54);
  CHECK(all->items.size() == 2 + 11 + 4 + 1 + 2 + 1 + 1);

  auto tail = f.reader->changes(51, 2);
  REQUIRE(tail);
  REQUIRE(tail->items.size() == 2);
  CHECK(tail->items[0].type == "promise_to_pay");
  CHECK(tail->items[0].portal_id == "ptp-1");
  CHECK(tail->items[1].type == "document");
  CHECK(tail->next == 53);

  auto last = f.reader->changes(53, 10);
  REQUIRE(last);
  REQUIRE(last->items.size() == 1);
  CHECK(last->items[0].erp_id == "I6");
  CHECK(last->items[0].deleted);

  auto none = f.reader->changes(54, 10);
  REQUIRE(none);
  CHECK(none->items.empty());
  CHECK(none->next == 54);
}

TEST_CASE("documents are listed per owner and read with their content") {
  Fixture f;
  auto list = f.reader->documents("invoice", 1);
  REQUIRE_MESSAGE(list, why(list));
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].media_type == "application/pdf");
  auto doc = f.reader->document(1);
  REQUIRE(doc);
  REQUIRE(doc->content);
  CHECK(*doc->content == "%PD");
  CHECK(f.reader->document(2).error().kind == ErrorKind::kNotFound);
}

TEST_CASE("a tombstoned document is neither listed nor served") {
  Fixture f;
  RawDb(f.mirror.path).exec(
      "INSERT INTO documents (id, source, erp_id, kind, invoice_id, file_name, media_type, byte_size, sha256, content,"
      " updated_seq, deleted) VALUES (7, 'erp', 'doc-7', 'invoice', 1, 'old.pdf', 'application/pdf', 3,"
      " printf('%064d', 0), x'255044', 60, 1)");
  auto list = f.reader->documents("invoice", 1);
  REQUIRE(list);
  CHECK(list->size() == 1);  // the live one only; the trigger gave doc-7 its owner from invoice_id
  CHECK(f.reader->document(7).error().kind == ErrorKind::kNotFound);
  CHECK(f.reader->document(1));
}

TEST_CASE("portal payments not yet booked by the ERP lower the shown balance (migration 006)") {
  Fixture f;
  {
    RawDb db(f.mirror.path);
    // pp-1 pending: 100.00 on INV-1 and 20.00 on INV-7. pp-2 submitted, and the ERP's PAY-2 is
    // already in the mirror as its echo (portal_ref): booked, not pending. pp-3 failed.
    db.exec(R"(
      UPDATE payments SET portal_ref = 'pp-2' WHERE id = 2;
      INSERT INTO portal_payments (id, portal_id, customer_id, target, method, payment_date, currency, amount,
                                   status, created_by, created_at, updated_at, updated_seq) VALUES
        (1, 'pp-1', 1, 'demo', 'card', '2025-03-30', 'USD', 12000, 'pending', 'portal-web', 't', 't', 60),
        (2, 'pp-2', 1, 'demo', 'ach', '2025-03-24', 'USD', 10000, 'submitted', 'portal-web', 't', 't', 61),
        (3, 'pp-3', 1, 'demo', 'card', '2025-03-30', 'USD', 3000, 'failed', 'portal-web', 't', 't', 62);
      INSERT INTO portal_payment_applications (portal_payment_id, invoice_id, amount) VALUES
        (1, 1, 10000), (1, 7, 2000), (2, 1, 5000), (3, 1, 3000);
    )");
  }
  auto reopened = MirrorReader::open(f.mirror.path);
  REQUIRE(reopened);
  auto& reader = *reopened;
  REQUIRE(reader->has_portal_payments());
  auto one = reader->invoice(1);
  REQUIRE_MESSAGE(one, why(one));
  CHECK(one->invoice.balance == 60000);
  CHECK(one->invoice.pending == 10000);
  REQUIRE(one->pending_payments.size() == 1);
  CHECK(one->pending_payments[0].portal_id == "pp-1");
  CHECK(one->pending_payments[0].amount == 10000);

  auto page = reader->invoices(1, {.statuses = {"disputed", "partially_paid"}, .today = "2025-03-31"});
  REQUIRE(page);
  std::map<std::string, std::int64_t> pending;
  for (const InvoiceRow& row : page->items) pending[row.number] = row.pending;
  CHECK(pending == std::map<std::string, std::int64_t>{{"INV-1", 10000}, {"INV-2", 0}, {"INV-7", 2000}});

  auto feed = reader->changes(59, 10);
  REQUIRE(feed);
  REQUIRE(feed->items.size() == 3);
  CHECK(feed->items[0].type == "portal_payment");
  CHECK(feed->items[0].portal_id == "pp-1");
}
