// MirrorReader::invoice's parts: an invoice's lines, what was applied to it, its open disputes,
// its promises to pay and the portal payments still pending against it (mirror_reader_impl.hpp).
#include "schema/mirror_reader_impl.hpp"

namespace arsync {

Result<void> MirrorReader::Impl::read_lines(InvoiceDetail& detail) {
  auto s = stmt(
      "SELECT line_no, item, description, quantity, unit_price, amount, tax FROM invoice_lines"
      " WHERE invoice_id = ?1 ORDER BY position");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, detail.invoice.id);
  return read_rows(db, **s, detail.lines,
                   [](const Statement& r) {
                     return InvoiceLineRow{r.column_int(0),    r.column_string(1), r.column_string(2),
                                           r.column_string(3), r.column_string(4), r.column_int(5),
                                           column_opt_int(r, 6)};
                   },
                   "cannot read invoice lines");
}

// An application without its own date took effect on its payment's date (or its credit
// memo's issue date); void or deleted payments and credit memos apply nothing.
Result<void> MirrorReader::Impl::read_applied(InvoiceDetail& detail) {
  auto s = stmt(
      "SELECT CASE WHEN a.payment_id IS NOT NULL THEN 'payment' ELSE 'credit_memo' END,"
      " coalesce(a.payment_id, a.credit_memo_id),"
      " coalesce(p.number, p.reference, p.erp_id, c.number),"
      " coalesce(a.applied_date, p.payment_date, c.issue_date), a.amount, a.currency"
      " FROM applications a"
      " LEFT JOIN payments p ON p.id = a.payment_id"
      " LEFT JOIN credit_memos c ON c.id = a.credit_memo_id"
      " WHERE a.invoice_id = ?1"
      " AND (p.id IS NULL OR (p.deleted = 0 AND coalesce(p.status, 'posted') <> 'void'))"
      " AND (c.id IS NULL OR (c.deleted = 0 AND c.status <> 'void'))"
      " ORDER BY 4, a.id");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, detail.invoice.id);
  return read_rows(db, **s, detail.applied,
                   [](const Statement& r) {
                     return AppliedRow{r.column_string(0), r.column_int(1), r.column_string(2),
                                       r.column_string(3), r.column_int(4), r.column_string(5)};
                   },
                   "cannot read applications");
}

Result<void> MirrorReader::Impl::read_disputes(InvoiceDetail& detail) {
  auto s = stmt(
      "SELECT id, portal_id, reason_code, status, text, created_at, disputed_amount, currency FROM disputes"
      " WHERE invoice_id = ?1 AND status IN ('open', 'under_review') ORDER BY id");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, detail.invoice.id);
  return read_rows(db, **s, detail.disputes,
                   [](const Statement& r) {
                     DisputeRow d{r.column_int(0),    r.column_string(1), r.column_string(2), r.column_string(3),
                                  r.column_string(4), r.column_string(5), std::nullopt};
                     if (!r.column_null(6)) d.amount = Money{r.column_int(6), r.column_string(7)};
                     return d;
                   },
                   "cannot read disputes");
}

Result<void> MirrorReader::Impl::read_promises(InvoiceDetail& detail) {
  auto s = stmt(
      "SELECT p.id, p.portal_id, p.promised_date, p.status, p.amount, p.currency, pi.amount"
      " FROM promise_invoices pi JOIN promises_to_pay p ON p.id = pi.promise_id"
      " WHERE pi.invoice_id = ?1 ORDER BY p.promised_date, p.id");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, detail.invoice.id);
  return read_rows(db, **s, detail.promises,
                   [](const Statement& r) {
                     return PromiseRow{r.column_int(0), r.column_string(1), r.column_string(2), r.column_string(3),
                                       Money{r.column_int(4), r.column_string(5)}, column_opt_int(r, 6)};
                   },
                   "cannot read promises to pay");
}

// Migration 006's portal payments not yet in the ERP's books: the ones its view
// portal_payment_state says are pending or submitted and not linked to an ERP payment (the rule
// of its invoice_pending_payments view, listed here payment by payment).
Result<void> MirrorReader::Impl::read_pending_payments(InvoiceDetail& detail) {
  if (!portal_payments) return {};
  auto s = stmt(
      "SELECT pp.id, pp.portal_id, pp.status, pp.created_at, pa.amount, pp.currency"
      " FROM portal_payment_applications pa JOIN portal_payments pp ON pp.id = pa.portal_payment_id"
      " JOIN portal_payment_state st ON st.portal_payment_id = pp.id"
      " WHERE pa.invoice_id = ?1 AND st.status IN ('pending', 'submitted') AND st.payment_id IS NULL"
      " ORDER BY pp.id");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, detail.invoice.id);
  return read_rows(db, **s, detail.pending_payments,
                   [](const Statement& r) {
                     return PendingPaymentRow{r.column_int(0),    r.column_string(1), r.column_string(2),
                                              r.column_string(3), r.column_int(4),    r.column_string(5)};
                   },
                   "cannot read pending portal payments");
}

}  // namespace arsync
