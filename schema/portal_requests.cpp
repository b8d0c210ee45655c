// The portal's other writes (declared in mirror_store.hpp; values in portal_write.hpp):
// disputes, promises to pay, messages to the AR team and credit requests (profile changes:
// profile_changes.cpp).
// Each is one transaction through PortalWriteTx, like a portal payment. They show in the
// mirror at once (a dispute makes its invoice shown as disputed; the change feed carries
// them); they get an outbox item when their customer's connector has a push mapping for them.
#include "schema/entity_json.hpp"
#include "schema/portal_write_tx.hpp"

namespace arsync {
namespace {

// Checks an optional invoice reference of a customer's request; returns the row when valid.
Result<std::optional<WriteInvoice>> customer_invoice(PortalWriteTx& tx, std::int64_t customer_id,
                                                   std::optional<std::int64_t> invoice_id,
                                                   std::vector<FieldError>& errors) {
  if (!invoice_id) return std::optional<WriteInvoice>{};
  auto invoice = tx.invoice(*invoice_id);
  if (!invoice) return invoice;
  if (!*invoice)
    errors.push_back({"invoice_id", "no such invoice: " + std::to_string(*invoice_id)});
  else if ((*invoice)->customer_id != customer_id)
    errors.push_back({"invoice_id", "invoice " + (*invoice)->number + " belongs to another customer"});
  return invoice;
}

// The customer's row, or an error listed under customer_id.
Result<std::optional<WriteCustomer>> known_customer(PortalWriteTx& tx, std::int64_t id, std::vector<FieldError>& errors) {
  auto customer = tx.customer(id);
  if (customer && !*customer) errors.push_back({"customer_id", "no such customer: " + std::to_string(id)});
  return customer;
}

// Queues `entity` (a push-only entity of `kind`) for the customer's connector when that
// connector pushes such items; 0 when it does not (the object is kept for the AR team only).
// The key is the portal id: a retry of the item, and a look-up of it, carry the same one.
template <class Fill>
Result<std::int64_t> enqueue_if_pushed(PortalWriteTx& tx, std::string_view kind, const std::string& portal_id,
                                       const std::string& source, std::string_view table, std::int64_t object_id,
                                       Fill fill) {
  if (!tx.can_push(source)) return std::int64_t{0};
  Entity entity(find_entity(kind));
  entity.set("portal_ref", portal_id);
  fill(entity);
  return tx.enqueue(kind, portal_id, source, entity_json(entity), table, object_id);
}

}  // namespace

Result<PortalWriteResult> MirrorStore::write_dispute(const ApiWrite& api, const DisputeWrite& d) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a dispute", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {
    auto invoice = tx.invoice(d.invoice_id);
    if (!invoice) return fail(invoice.error());
    if (!*invoice) return invalid_write({{"invoice_id", "no such invoice: " + std::to_string(d.invoice_id)}});
    const WriteInvoice& inv = **invoice;
    std::vector<FieldError> errors;
    if (inv.status == "void") errors.push_back({"invoice_id", "invoice " + inv.number + " is void"});
    if (d.amount && d.currency != inv.currency)
      errors.push_back({"amount", "currency mismatch: invoice " + inv.number + " is in " + inv.currency});
    else if (d.amount && *d.amount > inv.total)
      errors.push_back({"amount", money_text(*d.amount, d.currency) + " is more than invoice " + inv.number +
                                      "'s total of " + money_text(inv.total, inv.currency)});
    if (!errors.empty()) return invalid_write(std::move(errors));
    auto id = tx.insert(
        "INSERT INTO disputes (portal_id, invoice_id, reason_code, disputed_amount, currency, text, created_by, "
        "created_at, updated_at, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        [&](Statement& st) {
          st.bind_text(1, d.portal_id);
          st.bind_int(2, d.invoice_id);
          st.bind_text(3, d.reason_code);
          if (d.amount) st.bind_int(4, *d.amount), st.bind_text(5, d.currency);
          else st.bind_null(4), st.bind_null(5);
          st.bind_text(6, d.text);
          tx.bind_stamp(st, 7);
        },
        "cannot store the dispute");
    if (!id) return fail(id.error());
    auto customer = tx.customer(inv.customer_id);  // the ERP may want it beside the invoice
    if (!customer) return fail(customer.error());
    auto item = enqueue_if_pushed(tx, "dispute", d.portal_id, inv.source, "disputes", *id, [&](Entity& e) {
      if (*customer) e.set("customer", (*customer)->erp_id);
      e.set("invoice", inv.erp_id);
      e.set("reason_code", d.reason_code);
      if (d.amount) e.set("currency", d.currency), e.set("amount", Money{*d.amount, d.currency});
      e.set("text", d.text);
    });
    return tx.commit(item);
  });
}

Result<PortalWriteResult> MirrorStore::write_promise(const ApiWrite& api, const PromiseWrite& p) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a promise to pay", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {
    std::vector<FieldError> errors;
    auto customer = known_customer(tx, p.customer_id, errors);
    if (!customer) return fail(customer.error());
    std::vector<std::string> invoice_erp_ids;
    for (std::size_t i = 0; i < p.invoice_ids.size() && *customer; ++i) {
      const std::string field = "invoice_ids[" + std::to_string(i) + "]";
      auto invoice = tx.invoice(p.invoice_ids[i]);
      if (!invoice) return fail(invoice.error());
      if (*invoice) invoice_erp_ids.push_back((*invoice)->erp_id);
      if (!*invoice)
        errors.push_back({field, "no such invoice: " + std::to_string(p.invoice_ids[i])});
      else if ((*invoice)->customer_id != p.customer_id)
        errors.push_back({field, "invoice " + (*invoice)->number + " belongs to another customer"});
      else if ((*invoice)->currency != p.currency)
        errors.push_back({field, "currency mismatch: invoice " + (*invoice)->number + " is in " + (*invoice)->currency});
      else if ((*invoice)->balance <= 0)
        errors.push_back({field, "invoice " + (*invoice)->number + " has nothing left to pay"});
    }
    if (!errors.empty()) return invalid_write(std::move(errors));
    auto id = tx.insert(
        "INSERT INTO promises_to_pay (portal_id, customer_id, promised_date, amount, currency, note, created_by, "
        "created_at, updated_at, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
        [&](Statement& st) {
          st.bind_text(1, p.portal_id);
          st.bind_int(2, p.customer_id);
          st.bind_text(3, p.promised_date);
          st.bind_int(4, p.amount);
          st.bind_text(5, p.currency);
          if (p.note.empty()) st.bind_null(6); else st.bind_text(6, p.note);
          tx.bind_stamp(st, 7);
        },
        "cannot store the promise to pay");
    if (!id) return fail(id.error());
    for (std::int64_t invoice_id : p.invoice_ids) {
      auto row = tx.insert("INSERT INTO promise_invoices (promise_id, invoice_id) VALUES (?1, ?2)",
                           [&](Statement& st) {
                             st.bind_int(1, *id);
                             st.bind_int(2, invoice_id);
                           },
                           "cannot store an invoice of the promise");
      if (!row) return fail(row.error());
    }
    const WriteCustomer& c = **customer;
    auto item = enqueue_if_pushed(tx, "promise_to_pay", p.portal_id, c.source, "promises_to_pay", *id, [&](Entity& e) {
      e.set("customer", c.erp_id);
      e.set("promised_date", p.promised_date);
      e.set("currency", p.currency);
      e.set("amount", Money{p.amount, p.currency});
      if (!p.note.empty()) e.set("note", p.note);
      std::vector<Entity>& invoices = e.children[static_cast<std::size_t>(e.spec->child_index("invoices"))];
      for (const std::string& erp_id : invoice_erp_ids) {
        Entity& covered = invoices.emplace_back(e.spec->children[0].entity);
        covered.set("invoice", erp_id);
      }
    });
    return tx.commit(item);
  });
}

Result<PortalWriteResult> MirrorStore::write_message(const ApiWrite& api, const MessageWrite& message) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a message", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {
    std::vector<FieldError> errors;
    auto customer = known_customer(tx, message.customer_id, errors);
    if (!customer) return fail(customer.error());
    std::optional<WriteInvoice> invoice;
    if (*customer) {
      auto found = customer_invoice(tx, message.customer_id, message.invoice_id, errors);
      if (!found) return fail(found.error());
      invoice = std::move(*found);
    }
    if (!errors.empty()) return invalid_write(std::move(errors));
    auto id = tx.insert(
        "INSERT INTO messages (portal_id, customer_id, invoice_id, author, direction, body, created_at, updated_seq) "
        "VALUES (?1, ?2, ?3, ?4, 'inbound', ?5, ?6, ?7)",
        [&](Statement& st) {
          st.bind_text(1, message.portal_id);
          st.bind_int(2, message.customer_id);
          if (message.invoice_id) st.bind_int(3, *message.invoice_id); else st.bind_null(3);
          st.bind_text(4, api.principal);
          st.bind_text(5, message.body);
          st.bind_text(6, tx.now());
          st.bind_int(7, tx.seq());
        },
        "cannot store the message");
    if (!id) return fail(id.error());
    const WriteCustomer& c = **customer;
    auto item = enqueue_if_pushed(tx, "message", message.portal_id, c.source, "messages", *id, [&](Entity& e) {
      e.set("customer", c.erp_id);
      if (invoice) e.set("invoice", invoice->erp_id);
      e.set("body", message.body);
    });
    return tx.commit(item);
  });
}

Result<PortalWriteResult> MirrorStore::write_credit_request(const ApiWrite& api, const CreditRequestWrite& r) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a credit request", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {
    std::vector<FieldError> errors;
    auto customer = known_customer(tx, r.customer_id, errors);
    if (!customer) return fail(customer.error());
    std::optional<WriteInvoice> invoice_row;
    if (*customer) {
      auto invoice = customer_invoice(tx, r.customer_id, r.invoice_id, errors);
      if (!invoice) return fail(invoice.error());
      invoice_row = *invoice;
      if (*invoice && (*invoice)->currency != r.currency)
        errors.push_back({"amount", "currency mismatch: invoice " + (*invoice)->number + " is in " + (*invoice)->currency});
      else if (*invoice && r.amount > (*invoice)->total)
        errors.push_back({"amount", money_text(r.amount, r.currency) + " is more than invoice " + (*invoice)->number +
                                        "'s total of " + money_text((*invoice)->total, r.currency)});
    }
    if (!errors.empty()) return invalid_write(std::move(errors));
    auto id = tx.insert(
        "INSERT INTO credit_requests (portal_id, customer_id, invoice_id, currency, amount, reason_code, text, "
        "created_by, created_at, updated_at, updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
        [&](Statement& st) {
          st.bind_text(1, r.portal_id);
          st.bind_int(2, r.customer_id);
          if (r.invoice_id) st.bind_int(3, *r.invoice_id); else st.bind_null(3);
          st.bind_text(4, r.currency);
          st.bind_int(5, r.amount);
          st.bind_text(6, r.reason_code);
          st.bind_text(7, r.text);
          tx.bind_stamp(st, 8);
        },
        "cannot store the credit request");
    if (!id) return fail(id.error());
    const WriteCustomer& c = **customer;
    auto item = enqueue_if_pushed(tx, "credit_request", r.portal_id, c.source, "credit_requests", *id, [&](Entity& e) {
      e.set("customer", c.erp_id);
      if (invoice_row) e.set("invoice", invoice_row->erp_id);
      e.set("currency", r.currency);
      e.set("amount", Money{r.amount, r.currency});
      e.set("reason_code", r.reason_code);
      e.set("text", r.text);
    });
    return tx.commit(item);
  });
}

}  // namespace arsync
