// MirrorReader::statement: a customer's balance-forward statement and aging as of a date,
// derived from the mirror (DESIGN §3: statements and aging are queries, never stored copies).
//
// The balance is the ledger's: invoices add their total, payments and credit memos subtract
// theirs, each on its own date. Applications move money between documents without changing
// the balance, so they are listed for the reader but do not touch the running balance.
// Aging is open-item: what each invoice still owed on `as_of` (its total less what was applied
// to it by then), bucketed by days past its effective due date (the due date, else the issue
// date, as migration 004's view reads it) — computed for the given date, not for today.
#include <algorithm>

#include "schema/mirror_reader_impl.hpp"

namespace arsync {
namespace {

// Every document that moves the customer's balance, with its signed amount. Void and deleted
// documents never moved it. ?1 is the customer.
#define LEDGER                                                                                          \
  "SELECT 'invoice' AS kind, 0 AS ord, id, number, issue_date AS d, currency, total AS amount"         \
  " FROM invoices WHERE customer_id = ?1 AND deleted = 0 AND status <> 'void'"                         \
  " UNION ALL SELECT 'credit_memo', 1, id, number, issue_date, currency, -total"                       \
  " FROM credit_memos WHERE customer_id = ?1 AND deleted = 0 AND status <> 'void'"                     \
  " UNION ALL SELECT 'payment', 2, id, coalesce(number, reference, erp_id), payment_date, currency,"   \
  " -amount FROM payments WHERE customer_id = ?1 AND deleted = 0 AND coalesce(status, 'posted') <> 'void'"

// An application counts from its own date, else its payment's or credit memo's date, and only
// when that payment or credit memo is live.
#define APPLIED_DATE "coalesce(a.applied_date, p.payment_date, c.issue_date)"
#define LIVE_FUNDING                                                               \
  "(p.id IS NULL OR (p.deleted = 0 AND coalesce(p.status, 'posted') <> 'void'))" \
  " AND (c.id IS NULL OR (c.deleted = 0 AND c.status <> 'void'))"

void add_to_bucket(AgingBuckets& aging, std::int64_t days_past_due, std::int64_t open) {
  if (days_past_due <= 0)
    aging.current += open;
  else if (days_past_due <= 30)
    aging.days_1_30 += open;
  else if (days_past_due <= 60)
    aging.days_31_60 += open;
  else if (days_past_due <= 90)
    aging.days_61_90 += open;
  else
    aging.days_over_90 += open;
}

}  // namespace

Result<CustomerStatement> MirrorReader::statement(std::int64_t customer_id, std::string_view from,
                                                  std::string_view as_of) {
  if (auto customer = this->customer(customer_id); !customer) return fail(customer.error());
  CustomerStatement out{customer_id, std::string(from), std::string(as_of), {}};
  std::map<std::string, CurrencyStatement> by_currency;
  auto currency = [&](const std::string& code) -> CurrencyStatement& {
    CurrencyStatement& c = by_currency[code];
    c.currency = code;
    return c;
  };
  Database& db = impl_->db;
  // Runs `sql` with ?1 = customer, ?2 = `second`, ?3 = as_of bound and hands each row to `each`.
  auto query = [&](const char* sql, std::string_view second, auto each, std::string_view what) -> Result<void> {
    auto s = impl_->stmt(sql);
    if (!s) return fail(s.error());
    Statement& q = **s;
    StatementScope scope(q);
    q.bind_int(1, customer_id);
    if (sqlite3_bind_parameter_count(q.get()) >= 2) q.bind_text(2, second);
    if (sqlite3_bind_parameter_count(q.get()) >= 3) q.bind_text(3, as_of);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) each(q);
    if (rc != SQLITE_DONE) return fail(db.error(rc, what));
    return {};
  };

  auto opening = query(
      "SELECT currency, sum(amount) FROM (" LEDGER ") WHERE d < ?2 GROUP BY currency", from,
      [&](const Statement& r) { currency(r.column_string(0)).opening = r.column_int(1); },
      "cannot compute the opening balance");
  if (!opening) return fail(opening.error());

  auto lines = query(
      "SELECT kind, id, number, d, currency, amount FROM (" LEDGER ")"
      " WHERE d >= ?2 AND d <= ?3 ORDER BY currency, d, ord, id", from,
      [&](const Statement& r) {
        currency(r.column_string(4))
            .lines.push_back({r.column_string(3), r.column_string(0), r.column_int(1), r.column_string(2),
                              r.column_int(5), 0});
      },
      "cannot read the statement's activity");
  if (!lines) return fail(lines.error());

  auto applications = query(
      "SELECT " APPLIED_DATE " AS d, CASE WHEN a.payment_id IS NOT NULL THEN 'payment' ELSE 'credit_memo' END,"
      " coalesce(p.number, p.reference, p.erp_id, c.number), i.number, a.amount, a.currency"
      " FROM applications a JOIN invoices i ON i.id = a.invoice_id"
      " LEFT JOIN payments p ON p.id = a.payment_id LEFT JOIN credit_memos c ON c.id = a.credit_memo_id"
      " WHERE i.customer_id = ?1 AND i.deleted = 0 AND " LIVE_FUNDING " AND d >= ?2 AND d <= ?3"
      " ORDER BY a.currency, d, a.id", from,
      [&](const Statement& r) {
        currency(r.column_string(5))
            .applications.push_back(
                {r.column_string(0), r.column_string(1), r.column_string(2), r.column_string(3), r.column_int(4)});
      },
      "cannot read the statement's applications");
  if (!applications) return fail(applications.error());

  // ?2 here is as_of: aging and unapplied credit are both "as of" the statement's date.
  auto aging = query(
      "SELECT i.currency, CAST(julianday(?2) - julianday(coalesce(i.due_date, i.issue_date)) AS INTEGER),"
      " i.total - coalesce((SELECT sum(a.amount) FROM applications a"
      "   LEFT JOIN payments p ON p.id = a.payment_id LEFT JOIN credit_memos c ON c.id = a.credit_memo_id"
      "   WHERE a.invoice_id = i.id AND " LIVE_FUNDING " AND " APPLIED_DATE " <= ?2), 0)"
      " FROM invoices i WHERE i.customer_id = ?1 AND i.deleted = 0 AND i.status <> 'void' AND i.issue_date <= ?2", as_of,
      [&](const Statement& r) {
        if (r.column_int(2) != 0) add_to_bucket(currency(r.column_string(0)).aging, r.column_int(1), r.column_int(2));
      },
      "cannot compute aging");
  if (!aging) return fail(aging.error());

  auto unapplied = query(
      "SELECT currency, sum(open) FROM ("
      " SELECT p.currency, p.amount - coalesce((SELECT sum(a.amount) FROM applications a"
      "   WHERE a.payment_id = p.id AND coalesce(a.applied_date, p.payment_date) <= ?2), 0) AS open"
      " FROM payments p WHERE p.customer_id = ?1 AND p.deleted = 0 AND coalesce(p.status, 'posted') <> 'void'"
      "   AND p.payment_date <= ?2"
      " UNION ALL SELECT c.currency, c.total - coalesce((SELECT sum(a.amount) FROM applications a"
      "   WHERE a.credit_memo_id = c.id AND coalesce(a.applied_date, c.issue_date) <= ?2), 0)"
      " FROM credit_memos c WHERE c.customer_id = ?1 AND c.deleted = 0 AND c.status <> 'void'"
      "   AND c.issue_date <= ?2) GROUP BY currency", as_of,
      [&](const Statement& r) {
        if (r.column_int(1) != 0) currency(r.column_string(0)).unapplied_credits = r.column_int(1);
      },
      "cannot compute unapplied credits");
  if (!unapplied) return fail(unapplied.error());

  for (auto& [code, c] : by_currency) {
    std::int64_t running = c.opening;
    for (StatementLine& line : c.lines) line.running = running += line.amount;
    c.closing = running;
    out.currencies.push_back(std::move(c));
  }
  return out;
}

}  // namespace arsync
