// The portal-write half of MirrorStore (declared in mirror_store.hpp; values in portal_write.hpp).
//
// Every write is one transaction: look the Idempotency-Key up (a replay answers what was
// answered, a reused key with another body is refused), validate against the mirror, insert
// the portal object, its outbox item and the API's answer, advance the change sequence,
// commit. A kill -9 at any point leaves either all of it or none of it.
#include <functional>

#include "schema/entity_json.hpp"
#include "schema/portal_write_tx.hpp"
#include "schema/money.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
PortalWriteTx::~PortalWriteTx() {
  if (!committed_) m_.last_seq = seq_before_;
}

Result<std::optional<PortalWriteResult>> PortalWriteTx::begin() {
  auto tx = m_.grouped ? Transaction::savepoint(m_.db, "store a portal write")
                       : Transaction::begin(m_.db, "store a portal write");
  if (!tx) return fail(tx.error());
  tx_.emplace(std::move(*tx));
  auto s = m_.stmt("SELECT request_hash, status, response FROM api_requests WHERE principal = ?1 AND idempotency_key = ?2");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_text(1, api_.principal);
  st.bind_text(2, api_.idempotency_key);
  if (st.step() != SQLITE_ROW) return std::optional<PortalWriteResult>{};
  PortalWriteResult replay;
  if (st.column_text(0) != api_.request_hash) {
    replay.kind = PortalWriteResult::Kind::kKeyReused;
    replay.status = 422;
  } else {
    replay.kind = PortalWriteResult::Kind::kReplayed;
    replay.status = static_cast<int>(st.column_int(1));
    replay.answer = st.column_string(2);
  }
  return std::optional<PortalWriteResult>(std::move(replay));
}

bool PortalWriteTx::can_push(std::string_view target) const {
  for (const std::string& t : api_.push_targets)
    if (t == target) return true;
  return false;
}

const ApiWrite::CannotCarry* PortalWriteTx::cannot_carry(std::string_view target, std::string_view field) const {
  for (const ApiWrite::CannotCarry& c : api_.cannot_carry)
    if (c.target == target && c.field == field) return &c;
  return nullptr;
}

Result<std::optional<WriteCustomer>> PortalWriteTx::customer(std::int64_t id) {
  auto s = m_.stmt("SELECT source, erp_id, coalesce(currency, '') FROM customers WHERE id = ?1 AND deleted = 0");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_int(1, id);
  if (st.step() != SQLITE_ROW) return std::optional<WriteCustomer>{};
  return std::optional<WriteCustomer>(WriteCustomer{st.column_string(0), st.column_string(1), st.column_string(2)});
}

Result<std::optional<WriteInvoice>> PortalWriteTx::invoice(std::int64_t id) {
  // The open balance less what portal payments not yet echoed by the ERP already cover.
  auto s = m_.stmt(
      "SELECT i.customer_id, i.source, i.erp_id, i.number, i.currency, i.status, i.total, i.balance, "
      "  coalesce((SELECT sum(a.amount) FROM portal_payment_applications a "
      "            JOIN portal_payment_state ps ON ps.portal_payment_id = a.portal_payment_id "
      "            WHERE a.invoice_id = i.id AND ps.status IN ('pending', 'submitted') "
      "              AND ps.payment_id IS NULL), 0) "
      "FROM invoices i WHERE i.id = ?1 AND i.deleted = 0");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_int(1, id);
  if (st.step() != SQLITE_ROW) return std::optional<WriteInvoice>{};
  WriteInvoice row{st.column_int(0),    st.column_string(1), st.column_string(2), st.column_string(3),
                 st.column_string(4), st.column_string(5), st.column_int(6),    st.column_int(7),
                 st.column_int(8)};
  return std::optional<WriteInvoice>(std::move(row));
}

Result<std::int64_t> PortalWriteTx::insert(std::string_view sql, const std::function<void(Statement&)>& bind,
                                           std::string_view what) {
  auto s = m_.stmt(sql);
  if (!s) return fail(s.error());
  bind(**s);
  if (auto ok = m_.db.run(**s, what); !ok) return fail(ok.error());
  return m_.db.last_insert_rowid();
}

Result<std::int64_t> PortalWriteTx::enqueue(std::string_view kind, const std::string& key, const std::string& target,
                                            const std::string& payload, std::string_view object_table,
                                            std::int64_t object_id) {
  return insert(
      "INSERT INTO outbox (idempotency_key, kind, target_connector, payload, object_table, object_id, "
      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
      [&](Statement& st) {
        st.bind_text(1, key);
        st.bind_text(2, kind);
        st.bind_text(3, target);
        st.bind_text(4, payload);
        st.bind_text(5, object_table);
        st.bind_int(6, object_id);
        st.bind_text(7, now_);
      },
      "cannot queue the portal write for the ERP");
}

void PortalWriteTx::bind_stamp(Statement& st, int first) const {
  st.bind_text(first, api_.principal);
  st.bind_text(first + 1, now_);
  st.bind_int(first + 2, seq());
}

Result<PortalWriteResult> PortalWriteTx::commit(std::int64_t outbox_id) {
  auto stored = insert(
      "INSERT INTO api_requests (principal, idempotency_key, request_hash, status, response, created_at) "
      "VALUES (?1, ?2, ?3, 201, ?4, ?5)",
      [&](Statement& st) {
        st.bind_text(1, api_.principal);
        st.bind_text(2, api_.idempotency_key);
        st.bind_text(3, api_.request_hash);
        st.bind_text(4, api_.answer);
        st.bind_text(5, now_);
      },
      "cannot keep the answer to the portal write");
  if (!stored) return fail(stored.error());
  m_.last_seq = seq();
  if (auto ok = m_.store_last_seq(); !ok) return fail(ok.error());
  if (auto ok = tx_->commit("the portal write"); !ok) return fail(ok.error());
  committed_ = true;
  PortalWriteResult result;
  result.answer = api_.answer;
  result.outbox_id = outbox_id;
  return result;
}

Result<void> MirrorStore::group_portal_writes(const std::function<void()>& writes) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("store portal writes"); !ok) return ok;
  if (m.grouped) return fail(ErrorKind::kIo, "internal error: portal write groups do not nest", m.db.path());
  const std::int64_t seq_before = m.last_seq;
  auto tx = Transaction::begin(m.db, "store a group of portal writes");
  if (!tx) return fail(tx.error());
  struct Grouped {  // also on the way out of an exception
    Impl& m;
    const std::int64_t seq_before;
    bool kept = false;
    ~Grouped() {
      m.grouped = false;
      if (!kept) m.last_seq = seq_before;
    }
  } grouped{m, seq_before};
  m.grouped = true;
  writes();
  if (!m.db.in_transaction())
    return fail(ErrorKind::kIo, "cannot store a group of portal writes: SQLite rolled its transaction back after "
                                "an error; none of them was kept", m.db.path());
  if (auto ok = tx->commit("a group of portal writes"); !ok) return ok;
  grouped.kept = true;
  return {};
}

PortalWriteResult invalid_write(std::vector<FieldError> errors) {
  PortalWriteResult result;
  result.kind = PortalWriteResult::Kind::kInvalid;
  result.status = 422;
  result.errors = std::move(errors);
  return result;
}

std::string money_text(std::int64_t minor, const std::string& currency) {
  return format_amount(Money{minor, currency}) + " " + currency;
}

namespace {

// The canonical payment the target's push mapping renders: references are ERP ids.
std::string payment_payload(const PortalPaymentWrite& p, const WriteCustomer& customer,
                            const std::vector<WriteInvoice>& invoices) {
  const EntitySpec* spec = find_entity("payment");
  Entity payment(spec);
  std::int64_t applied = 0;
  for (const auto& a : p.applications) applied += a.amount;
  payment.set("erp_id", p.portal_id);
  payment.set("customer", customer.erp_id);
  payment.set("payment_date", p.payment_date);
  payment.set("method", p.method);
  payment.set("reference", p.reference);  // "" when the processor gave none: ERPs want the member
  payment.set("currency", p.currency);
  payment.set("amount", Money{p.amount, p.currency});
  payment.set("unapplied", Money{p.amount - applied, p.currency});
  payment.set("status", std::string("pending"));
  payment.set("origin", std::string("portal"));
  payment.set("portal_ref", p.portal_id);
  const int child = spec->child_index("applications");
  for (std::size_t i = 0; i < p.applications.size(); ++i) {
    Entity application(spec->children[child].entity);
    application.set("invoice", invoices[i].erp_id);
    application.set("amount", Money{p.applications[i].amount, p.currency});
    application.set("applied_date", p.payment_date);
    payment.children[child].push_back(std::move(application));
  }
  return entity_json(payment);
}

}  // namespace

Result<PortalWriteResult> MirrorStore::write_portal_payment(const ApiWrite& api, const PortalPaymentWrite& p) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a portal payment", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {

    std::vector<FieldError> errors;
    auto customer = tx.customer(p.customer_id);
    if (!customer) return fail(customer.error());
    if (!*customer) return invalid_write({{"customer_id", "no such customer: " + std::to_string(p.customer_id)}});
    if (!tx.can_push((*customer)->source))
      return invalid_write({{"customer_id", "this customer's ERP ('" + (*customer)->source +
                                          "') does not take portal payments: its connector has no push mapping "
                                          "for payments"}});
    std::vector<WriteInvoice> invoices;
    std::int64_t applied = 0;
    for (std::size_t i = 0; i < p.applications.size(); ++i) {
      const auto& a = p.applications[i];
      const std::string field = "applications[" + std::to_string(i) + "]";
      for (std::size_t k = 0; k < i; ++k)
        if (p.applications[k].invoice_id == a.invoice_id)
          errors.push_back({field + ".invoice_id", "the invoice is already applied in applications[" +
                                                       std::to_string(k) + "]"});
      auto invoice = tx.invoice(a.invoice_id);
      if (!invoice) return fail(invoice.error());
      invoices.push_back(invoice->value_or(WriteInvoice{}));
      applied += a.amount;
      if (!*invoice) {
        errors.push_back({field + ".invoice_id", "no such invoice: " + std::to_string(a.invoice_id)});
        continue;
      }
      const WriteInvoice& inv = **invoice;
      if (inv.customer_id != p.customer_id)
        errors.push_back({field + ".invoice_id", "invoice " + inv.number + " belongs to another customer"});
      else if (inv.currency != p.currency)
        errors.push_back({field + ".amount", "currency mismatch: invoice " + inv.number + " is in " + inv.currency +
                                                 ", the payment in " + p.currency});
      else if (inv.status == "void")
        errors.push_back({field + ".invoice_id", "invoice " + inv.number + " is void"});
      else if (a.amount > inv.balance - inv.pending)
        errors.push_back({field + ".amount", "over-application: " + money_text(a.amount, p.currency) +
                                                 " exceeds the open balance of invoice " + inv.number + " (" +
                                                 money_text(inv.balance - inv.pending, p.currency) +
                                                 (inv.pending ? " after pending portal payments)" : ")")});
    }
    if (applied > p.amount)
      errors.push_back({"applications", "the applications (" + money_text(applied, p.currency) +
                                            ") exceed the payment's amount (" + money_text(p.amount, p.currency) + ")"});
    // The outbox would refuse the push (push: cannot_carry:), so the payment is refused now,
    // while the customer can still apply the whole amount, rather than accepted and parked.
    const ApiWrite::CannotCarry* limit = tx.cannot_carry((*customer)->source, "unapplied");
    if (applied < p.amount && limit)
      errors.push_back({"amount", money_text(p.amount - applied, p.currency) +
                                      " of the payment is applied to no invoice, and this customer's ERP ('" +
                                      limit->target + "') cannot record an unapplied amount: " + limit->reason +
                                      ". Apply the whole amount to invoices"});
    if (!errors.empty()) return invalid_write(std::move(errors));

    auto id = tx.insert(
        "INSERT INTO portal_payments (portal_id, customer_id, target, method, reference, payment_date, currency, "
        "amount, created_by, created_at, updated_at, updated_seq) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
        [&](Statement& st) {
          st.bind_text(1, p.portal_id);
          st.bind_int(2, p.customer_id);
          st.bind_text(3, (*customer)->source);
          st.bind_text(4, p.method);
          if (p.reference.empty()) st.bind_null(5); else st.bind_text(5, p.reference);
          st.bind_text(6, p.payment_date);
          st.bind_text(7, p.currency);
          st.bind_int(8, p.amount);
          tx.bind_stamp(st, 9);
        },
        "cannot store the portal payment");
    if (!id) return fail(id.error());
    for (const auto& a : p.applications) {
      auto row = tx.insert(
          "INSERT INTO portal_payment_applications (portal_payment_id, invoice_id, amount) VALUES (?1, ?2, ?3)",
          [&](Statement& st) {
            st.bind_int(1, *id);
            st.bind_int(2, a.invoice_id);
            st.bind_int(3, a.amount);
          },
          "cannot store a portal payment application");
      if (!row) return fail(row.error());
    }
    auto item = tx.enqueue("payment", p.portal_id, (*customer)->source, payment_payload(p, **customer, invoices),
                           "portal_payments", *id);
    return tx.commit(item);
  });
}

}  // namespace arsync
