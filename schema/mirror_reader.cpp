#include "schema/mirror_reader.hpp"

#include <charconv>
#include <limits>

#include "schema/mirror_reader_impl.hpp"

namespace arsync {
namespace {

// The effective due date: an invoice without one is due when issued (as the aging view reads
// it). The invoice list is ordered by (this, id) through the expression index
// invoices_customer_effective_due (migration 009), so the SQL must spell it exactly so.
#define EFFECTIVE_DUE "coalesce(i.due_date, i.issue_date)"

constexpr const char* kShownStatus =
    "CASE WHEN EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id"
    " AND d.status IN ('open', 'under_review')) THEN 'disputed' ELSE i.status END";

// Page tokens are opaque to clients: hex of "<key>/<id>". Hex keeps them URL-safe without
// escaping; decoding checks the shape so a forged token is a 400, not a strange page.
std::string encode_token(std::string_view key, std::int64_t id) {
  static const char* kHex = "0123456789abcdef";
  std::string plain = std::string(key) + "/" + std::to_string(id), out;
  for (unsigned char c : plain) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}

struct Token {
  std::string key;
  std::int64_t id = 0;
};

Result<Token> decode_token(std::string_view token) {
  auto bad = [&] {
    return fail(ErrorKind::kInvalidInput, "query parameter 'after': not a page token from this API (pass the previous page's `next`)",
                "after");
  };
  if (token.empty()) return Token{};
  if (token.size() % 2 != 0 || token.size() > 128) return bad();
  std::string plain;
  for (std::size_t i = 0; i < token.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(token.data() + i, token.data() + i + 2, value, 16);
    if (ec != std::errc() || end != token.data() + i + 2) return bad();
    plain += static_cast<char>(value);
  }
  auto slash = plain.rfind('/');
  if (slash == std::string::npos) return bad();
  Token out{plain.substr(0, slash), 0};
  auto [end, ec] = std::from_chars(plain.data() + slash + 1, plain.data() + plain.size(), out.id);
  if (ec != std::errc() || end != plain.data() + plain.size() || out.id < 0) return bad();
  return out;
}

std::string address_part(const Statement& s, int column) { return s.column_string(column); }

CustomerRow read_customer(const Statement& s) {
  CustomerRow c;
  c.id = s.column_int(0);
  c.source = s.column_string(1);
  c.erp_id = s.column_string(2);
  c.number = s.column_string(3);
  c.name = s.column_string(4);
  c.status = s.column_string(5);
  c.currency = s.column_string(6);
  if (!s.column_null(7)) c.credit_limit = Money{s.column_int(7), c.currency};
  c.payment_terms = s.column_string(8);
  c.tax_id = s.column_string(9);
  c.billing_email = s.column_string(10);
  c.phone = s.column_string(11);
  static const char* kParts[] = {"line1", "line2", "city", "region", "postal_code", "country"};
  for (int i = 0; i < 6; ++i) {
    if (!s.column_null(12 + i)) c.billing[kParts[i]] = address_part(s, 12 + i);
    if (!s.column_null(18 + i)) c.shipping[kParts[i]] = address_part(s, 18 + i);
  }
  c.updated_seq = s.column_int(24);
  return c;
}

constexpr const char* kCustomerColumns =
    "SELECT id, source, erp_id, number, name, status, currency, credit_limit, payment_terms, tax_id,"
    " billing_email, phone, billing_line1, billing_line2, billing_city, billing_region,"
    " billing_postal_code, billing_country, shipping_line1, shipping_line2, shipping_city,"
    " shipping_region, shipping_postal_code, shipping_country, updated_seq FROM customers ";

InvoiceRow read_invoice(const Statement& s) {
  InvoiceRow r;
  r.id = s.column_int(0);
  r.customer_id = s.column_int(1);
  r.source = s.column_string(2);
  r.erp_id = s.column_string(3);
  r.number = s.column_string(4);
  r.issue_date = s.column_string(5);
  r.due_date = s.column_string(6);
  r.currency = s.column_string(7);
  r.subtotal = column_opt_int(s, 8);
  r.tax = column_opt_int(s, 9);
  r.total = s.column_int(10);
  r.balance = s.column_int(11);
  r.status = s.column_string(12);
  r.erp_status = s.column_string(13);
  r.po_number = s.column_string(14);
  r.terms = s.column_string(15);
  r.updated_seq = s.column_int(16);
  r.pending = s.column_int(17);
  return r;
}

std::string invoice_columns(const std::string& pending) {
  return std::string(
             "SELECT i.id, i.customer_id, i.source, i.erp_id, i.number, i.issue_date, i.due_date,"
             " i.currency, i.subtotal, i.tax, i.total, i.balance, ") +
         kShownStatus + ", i.status, i.po_number, i.terms, i.updated_seq, " + pending + " FROM invoices i ";
}

}  // namespace

Result<Statement*> MirrorReader::Impl::stmt(std::string_view sql) {
  auto found = statements.find(sql);
  if (found != statements.end()) return &found->second;
  auto prepared = db.prepare(sql);
  if (!prepared) return fail(prepared.error());
  return &statements.emplace(std::string(sql), std::move(*prepared)).first->second;
}

// Migration 006 says what is pending (a portal payment pending or submitted whose ERP payment is
// not in the mirror yet) in its views portal_payment_state and invoice_pending_payments. The
// latter is an aggregate over every invoice, which SQLite 3.40 does not narrow to one invoice
// (it scans all portal applications per row), so the same rule is written here per invoice.
std::string MirrorReader::Impl::pending_sql() const {
  if (!portal_payments) return "0";
  return "coalesce((SELECT sum(pa.amount) FROM portal_payment_applications pa"
         " JOIN portal_payment_state st ON st.portal_payment_id = pa.portal_payment_id"
         " WHERE pa.invoice_id = i.id AND st.status IN ('pending', 'submitted') AND st.payment_id IS NULL), 0)";
}

Result<std::unique_ptr<MirrorReader>> MirrorReader::open(const std::filesystem::path& mirror) {
  if (!std::filesystem::exists(mirror))
    return fail(ErrorKind::kNotFound, "the mirror does not exist yet (run `arsync migrate` or start the daemon)",
                mirror.string());
  auto db = Database::open(mirror, SQLITE_OPEN_READONLY);
  if (!db) return fail(db.error());
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  // Readers never wait for the writer in WAL mode; this only covers a checkpoint's brief lock.
  sqlite3_busy_timeout(impl->db.get(), 5000);
  auto probe = impl->stmt("SELECT count(*) FROM sqlite_master WHERE name IN"
                          " ('portal_payment_applications', 'portal_payment_state', 'invoice_pending_payments')");
  if (!probe) return fail(probe.error());
  {
    StatementScope scope(**probe);
    if ((*probe)->step() != SQLITE_ROW) return fail(impl->db.error(sqlite3_errcode(impl->db.get()), "cannot read the schema"));
    impl->portal_payments = (*probe)->column_int(0) == 3;
  }
  return std::unique_ptr<MirrorReader>(new MirrorReader(std::move(impl)));
}

MirrorReader::MirrorReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MirrorReader::~MirrorReader() = default;

bool MirrorReader::has_portal_payments() const { return impl_->portal_payments; }

Result<CustomerPage> MirrorReader::customers(std::string_view after, int limit) {
  auto token = decode_token(after);
  if (!token) return fail(token.error());
  auto s = impl_->stmt(std::string(kCustomerColumns) + "WHERE deleted = 0 AND id > ?1 ORDER BY id LIMIT ?2");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, token->id);
  (*s)->bind_int(2, limit + 1);
  CustomerPage page;
  if (auto ok = read_rows(impl_->db, **s, page.items, read_customer, "cannot list customers"); !ok)
    return fail(ok.error());
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.pop_back();
    page.next = encode_token("c", page.items.back().id);
  }
  for (CustomerRow& c : page.items)
    if (auto ok = impl_->read_contacts(c); !ok) return fail(ok.error());
  return page;
}

Result<CustomerRow> MirrorReader::customer(std::int64_t id) {
  auto s = impl_->stmt(std::string(kCustomerColumns) + "WHERE id = ?1 AND deleted = 0");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, id);
  std::vector<CustomerRow> rows;
  if (auto ok = read_rows(impl_->db, **s, rows, read_customer, "cannot read a customer"); !ok)
    return fail(ok.error());
  if (rows.empty()) return fail(ErrorKind::kNotFound, "no customer " + std::to_string(id), "customer");
  if (auto ok = impl_->read_contacts(rows.front()); !ok) return fail(ok.error());
  return std::move(rows.front());
}

Result<void> MirrorReader::Impl::read_contacts(CustomerRow& customer) {
  auto s = stmt("SELECT name, role, email, phone, is_primary FROM contacts WHERE customer_id = ?1 ORDER BY position");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, customer.id);
  return read_rows(db, **s, customer.contacts,
                   [](const Statement& r) {
                     return ContactRow{r.column_string(0), r.column_string(1), r.column_string(2),
                                       r.column_string(3), r.column_int(4) == 1};
                   },
                   "cannot read contacts");
}

// One statement serves every filter combination: an absent filter binds a value that lets
// every row through, so the plan (a range scan of invoices_customer_effective_due in order,
// bounded by the page key and due_before) is the same for all of them.
Result<InvoicePage> MirrorReader::invoices(std::int64_t customer_id, const InvoiceFilter& filter) {
  auto token = decode_token(filter.after);
  if (!token) return fail(token.error());
  const std::string shown = std::string("(") + kShownStatus + ")";
  auto s = impl_->stmt(
      invoice_columns(impl_->pending_sql()) +
      "WHERE i.customer_id = ?1 AND i.deleted = 0"
      " AND " EFFECTIVE_DUE " >= ?2 AND (" EFFECTIVE_DUE " > ?2 OR i.id > ?3)"
      " AND " EFFECTIVE_DUE " < ?4"
      " AND (?5 = '' OR i.currency = ?5)"
      " AND i.total BETWEEN ?6 AND ?7"
      " AND (?8 = 0 OR (" EFFECTIVE_DUE " < ?9 AND i.balance > 0 AND i.status NOT IN ('paid', 'void')))"
      " AND (?10 = '' OR instr(?10, ',' || " + shown + " || ',') > 0)"
      " ORDER BY " EFFECTIVE_DUE ", i.id LIMIT ?11");
  if (!s) return fail(s.error());
  std::string statuses;
  for (const std::string& status : filter.statuses) statuses += "," + status;
  if (!statuses.empty()) statuses += ",";
  const std::string due_before = filter.due_before.empty() ? "9999-99-99" : filter.due_before;
  Statement& q = **s;
  q.bind_int(1, customer_id);
  q.bind_text(2, token->key);
  q.bind_int(3, token->id);
  q.bind_text(4, due_before);
  q.bind_text(5, filter.currency);
  q.bind_int(6, filter.min_total.value_or(std::numeric_limits<std::int64_t>::min()));
  q.bind_int(7, filter.max_total.value_or(std::numeric_limits<std::int64_t>::max()));
  q.bind_int(8, filter.overdue ? 1 : 0);
  q.bind_text(9, filter.today);
  q.bind_text(10, statuses);
  q.bind_int(11, filter.limit + 1);
  InvoicePage page;
  if (auto ok = read_rows(impl_->db, q, page.items, read_invoice, "cannot list invoices"); !ok)
    return fail(ok.error());
  if (page.items.size() > static_cast<std::size_t>(filter.limit)) {
    page.items.pop_back();
    const InvoiceRow& last = page.items.back();
    page.next = encode_token(last.due_date.empty() ? last.issue_date : last.due_date, last.id);
  }
  return page;
}

Result<InvoiceDetail> MirrorReader::invoice(std::int64_t id) {
  auto s = impl_->stmt(invoice_columns(impl_->pending_sql()) + "WHERE i.id = ?1 AND i.deleted = 0");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, id);
  std::vector<InvoiceRow> rows;
  if (auto ok = read_rows(impl_->db, **s, rows, read_invoice, "cannot read an invoice"); !ok)
    return fail(ok.error());
  if (rows.empty()) return fail(ErrorKind::kNotFound, "no invoice " + std::to_string(id), "invoice");
  InvoiceDetail detail;
  detail.invoice = std::move(rows.front());
  for (auto step : {&Impl::read_lines, &Impl::read_applied, &Impl::read_disputes, &Impl::read_promises,
                    &Impl::read_pending_payments})
    if (auto ok = ((*impl_).*step)(detail); !ok) return fail(ok.error());
  return detail;
}

Result<std::vector<DocumentRow>> MirrorReader::documents(std::string_view owner_type, std::int64_t owner_id) {
  auto s = impl_->stmt(
      "SELECT id, kind, owner_type, owner_id, file_name, media_type, sha256, created_at, byte_size"
      " FROM documents WHERE owner_type = ?1 AND owner_id = ?2 AND deleted = 0 ORDER BY id");
  if (!s) return fail(s.error());
  (*s)->bind_text(1, owner_type);
  (*s)->bind_int(2, owner_id);
  std::vector<DocumentRow> rows;
  auto ok = read_rows(impl_->db, **s, rows,
                      [](const Statement& r) {
                        return DocumentRow{r.column_int(0),    r.column_string(1), r.column_string(2),
                                           r.column_int(3),    r.column_string(4), r.column_string(5),
                                           r.column_string(6), r.column_string(7), r.column_int(8)};
                      },
                      "cannot list documents");
  if (!ok) return fail(ok.error());
  return rows;
}

Result<DocumentContent> MirrorReader::document(std::int64_t id) {
  auto s = impl_->stmt(
      "SELECT id, kind, owner_type, owner_id, file_name, media_type, sha256, created_at, byte_size,"
      " content, path FROM documents WHERE id = ?1 AND deleted = 0");
  if (!s) return fail(s.error());
  Statement& q = **s;
  StatementScope scope(q);
  q.bind_int(1, id);
  int rc = q.step();
  if (rc == SQLITE_DONE) return fail(ErrorKind::kNotFound, "no document " + std::to_string(id), "document");
  if (rc != SQLITE_ROW) return fail(impl_->db.error(rc, "cannot read a document"));
  DocumentContent doc;
  doc.meta = {q.column_int(0),    q.column_string(1), q.column_string(2), q.column_int(3), q.column_string(4),
              q.column_string(5), q.column_string(6), q.column_string(7), q.column_int(8)};
  if (!q.column_null(9)) doc.content = std::string(q.column_blob(9));
  doc.path = q.column_string(10);
  return doc;
}

}  // namespace arsync
