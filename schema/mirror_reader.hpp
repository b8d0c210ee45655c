// MirrorReader: the portal's read-only view of the mirror (DESIGN §3, §7) — customers,
// invoices with keyset pagination, one invoice in full, statements with aging, documents and
// the change feed. All of its SQL lives in schema/ (mirror_reader.cpp, statement_query.cpp,
// change_feed.cpp); callers get plain structs.
//
// Owner: one MirrorReader per reading thread. It holds its own read-only connection (WAL lets
// it read beside the daemon's one writer without waiting for it, and it never takes the
// writer's mutex). Not thread-safe: statements are prepared once per connection and reused.
// Each call reads one consistent snapshot and releases it before returning.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/money.hpp"
#include "schema/result.hpp"

namespace arsync {

struct ContactRow {
  std::string name, role, email, phone;
  bool primary = false;
};

struct CustomerRow {
  std::int64_t id = 0;
  std::string source, erp_id, number, name, status, currency;
  std::optional<Money> credit_limit;
  std::string payment_terms, tax_id, billing_email, phone;
  std::map<std::string, std::string> billing, shipping;  // line1, line2, city, region, postal_code, country
  std::vector<ContactRow> contacts;
  std::int64_t updated_seq = 0;
};

// Keyset pagination: `after` is the opaque token of the previous page's `next` (empty for the
// first page). A token is only ever produced by this class; a forged or stale one is an
// InvalidInput error, never a wrong page.
struct CustomerPage {
  std::vector<CustomerRow> items;
  std::string next;  // empty on the last page
};

struct InvoiceFilter {
  std::vector<std::string> statuses;  // shown statuses (open, partially_paid, paid, void, disputed)
  bool overdue = false;               // effective due date before `today` and something still owed
  std::string today;                  // YYYY-MM-DD: what "overdue" is measured against
  std::string due_before;             // YYYY-MM-DD, exclusive; "" = no bound
  std::string currency;               // "" = any
  std::optional<std::int64_t> min_total, max_total;  // minor units of `currency` (inclusive)
  std::string after;                  // page token
  int limit = 50;
};

struct InvoiceRow {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string source, erp_id, number, issue_date, due_date, currency;
  std::optional<std::int64_t> subtotal, tax;
  std::int64_t total = 0, balance = 0;
  std::int64_t pending = 0;   // portal payments applied to it that the ERP has not booked yet
  std::string status;         // as shown: `disputed` while a dispute is open or under review
  std::string erp_status;     // as the ERP last said
  std::string po_number, terms;
  std::int64_t updated_seq = 0;
};

struct InvoicePage {
  std::vector<InvoiceRow> items;
  std::string next;
};

struct InvoiceLineRow {
  std::int64_t line_no = 0;
  std::string item, description, quantity, unit_price;
  std::int64_t amount = 0;
  std::optional<std::int64_t> tax;
};

// A payment or credit memo amount applied to the invoice.
struct AppliedRow {
  std::string kind;  // "payment" or "credit_memo"
  std::int64_t from_id = 0;
  std::string from_number, date;
  std::int64_t amount = 0;
  std::string currency;
};

struct DisputeRow {
  std::int64_t id = 0;
  std::string portal_id, reason_code, status, text, created_at;
  std::optional<Money> amount;
};

struct PromiseRow {
  std::int64_t id = 0;
  std::string portal_id, promised_date, status;
  Money amount;
  std::optional<std::int64_t> invoice_amount;  // this invoice's share, when the promise names one
};

struct PendingPaymentRow {
  std::int64_t id = 0;
  std::string portal_id, status, created_at;
  std::int64_t amount = 0;  // applied to this invoice
  std::string currency;
};

struct InvoiceDetail {
  InvoiceRow invoice;
  std::vector<InvoiceLineRow> lines;
  std::vector<AppliedRow> applied;
  std::vector<DisputeRow> disputes;  // open or under review
  std::vector<PromiseRow> promises;
  std::vector<PendingPaymentRow> pending_payments;
};

// --- Statements (statement_query.cpp) --------------------------------------------------------

struct StatementLine {
  std::string date, kind;  // kind: invoice | payment | credit_memo
  std::int64_t id = 0;
  std::string number;
  std::int64_t amount = 0;   // signed effect on the balance: invoices +, payments and credits -
  std::int64_t running = 0;  // the currency's balance after this line
};

struct StatementApplication {
  std::string date, kind;  // kind: payment | credit_memo
  std::string from_number, invoice_number;
  std::int64_t amount = 0;
};

struct AgingBuckets {
  std::int64_t current = 0, days_1_30 = 0, days_31_60 = 0, days_61_90 = 0, days_over_90 = 0;
  std::int64_t total() const { return current + days_1_30 + days_31_60 + days_61_90 + days_over_90; }
};

// One currency's statement. closing = opening + sum(lines.amount); aging.total() is what the
// invoices still owe as of the date, unapplied_credits what payments and credit memos hold
// unapplied, so closing = aging.total() - unapplied_credits.
struct CurrencyStatement {
  std::string currency;
  std::int64_t opening = 0, closing = 0;
  std::vector<StatementLine> lines;
  std::vector<StatementApplication> applications;  // informational: no effect on the balance
  AgingBuckets aging;
  std::int64_t unapplied_credits = 0;
};

struct CustomerStatement {
  std::int64_t customer_id = 0;
  std::string from, as_of;  // activity is from..as_of inclusive; opening is before `from`
  std::vector<CurrencyStatement> currencies;  // by currency code
};

// --- Documents -------------------------------------------------------------------------------

struct DocumentRow {
  std::int64_t id = 0;
  std::string kind, owner_type;
  std::int64_t owner_id = 0;
  std::string file_name, media_type, sha256, created_at;
  std::int64_t byte_size = 0;
};

struct DocumentContent {
  DocumentRow meta;
  std::optional<std::string> content;  // inline blob, or
  std::string path;                    // a file relative to the state dir (the mirror's folder)
};

// --- Change feed (change_feed.cpp) -----------------------------------------------------------

struct ChangeItem {
  std::int64_t seq = 0;
  std::string type;  // customer, invoice, credit_memo, payment, dispute, promise_to_pay, message, document, ...
  std::int64_t id = 0;
  std::string erp_id;     // ERP-sourced rows
  std::string portal_id;  // portal-created rows
  bool deleted = false;
};

struct ChangePage {
  std::vector<ChangeItem> items;
  std::int64_t next = 0;  // the last seq returned (or `after` when nothing changed)
};

class MirrorReader {
 public:
  // Opens `mirror` read-only. NotFound when it does not exist (the daemon creates it first).
  static Result<std::unique_ptr<MirrorReader>> open(const std::filesystem::path& mirror);

  ~MirrorReader();
  MirrorReader(const MirrorReader&) = delete;
  MirrorReader& operator=(const MirrorReader&) = delete;

  Result<CustomerPage> customers(std::string_view after, int limit);
  Result<CustomerRow> customer(std::int64_t id);  // NotFound for unknown or deleted ids

  Result<InvoicePage> invoices(std::int64_t customer_id, const InvoiceFilter& filter);
  Result<InvoiceDetail> invoice(std::int64_t id);

  // Activity from `from` to `as_of` (inclusive, YYYY-MM-DD), opening balance before `from`,
  // aging as of `as_of`. Void and deleted documents are left out.
  Result<CustomerStatement> statement(std::int64_t customer_id, std::string_view from, std::string_view as_of);

  Result<std::vector<DocumentRow>> documents(std::string_view owner_type, std::int64_t owner_id);
  Result<DocumentContent> document(std::int64_t id);

  // Mirror changes with updated_seq > after, in seq order, at most `limit` (DESIGN §4). The
  // one function a change publisher (e.g. to Kafka, DESIGN §10) needs.
  Result<ChangePage> changes(std::int64_t after, int limit);

  // Whether migration 006's portal payments (tables and views) are present; before it, nothing
  // is pending.
  bool has_portal_payments() const;

 private:
  struct Impl;
  explicit MirrorReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace arsync
