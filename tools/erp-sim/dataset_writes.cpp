// dataset_writes: the Dataset's portal writes (declared in dataset.hpp): idempotency, the
// checks against customers, invoices and balances, and the commit into the overlay. Kept out
// of dataset.cpp so the read path stays short.
#include <functional>
#include <mutex>
#include <unordered_set>

#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"
#include "tools/erp-sim/written_json.hpp"

namespace arsync::sim {
namespace {

std::optional<WriteError> refuse(std::string code, std::string message, std::string target) {
  return WriteError{422, std::move(code), std::move(message), std::move(target)};
}

WriteOutcome refused(WriteError error) {
  WriteOutcome outcome;
  outcome.status = error.status;
  outcome.error = std::move(error);
  return outcome;
}

uint64_t request_hash(const WriteCall& call, const ParsedWrite& parsed) {
  std::string text(write_target_name(call.target));
  text.append("\n").append(call.customer_id).append("\n").append(parsed.canonical);
  return std::hash<std::string>{}(text);
}

std::string money(int64_t minor, Currency currency) {
  return money_text(minor, currency) + " " + std::string(currency_code(currency));
}

}  // namespace

struct Dataset::InvoiceState {
  int64_t id = 0;
  int64_t customer_id = 0;
  Currency currency{};
  int64_t total = 0;
  int64_t remaining = 0;
  bool voided = false;
};

std::optional<Dataset::InvoiceState> Dataset::invoice_state(std::string_view wire_id) const {
  const int64_t id = parse_record_id(Collection::kInvoices, wire_id);
  if (id < 1 || !exists(Collection::kInvoices, id)) return std::nullopt;
  thread_local Invoice invoice;
  generator_.invoice(id, invoice);
  InvoiceState state{id, invoice.customer_id, invoice.currency, invoice.total, invoice.remaining,
                     invoice.status == InvoiceStatus::kCanceled};
  if (const OverlayEntry* entry = overlay_entry(Collection::kInvoices, id)) {
    state.voided = state.voided || entry->voided;
    state.remaining = state.voided ? 0 : state.remaining - entry->paid;
  }
  return state;
}

std::optional<Currency> Dataset::customer_currency(int64_t customer_id) const {
  if (customer_id < 1 || !exists(Collection::kCustomers, customer_id)) return std::nullopt;
  Customer customer;
  generator_.customer(customer_id, customer);
  return customer.currency;
}

WriteCounters Dataset::write_counters(WriteTarget target) const {
  std::shared_lock lock(mutex_);
  return ledger_.counters(target);
}

void Dataset::count_rejected(WriteTarget target) {
  std::unique_lock lock(mutex_);
  ledger_.count_rejected(target);
}

WriteOutcome Dataset::write(const WriteCall& call, const ParsedWrite& parsed) {
  std::unique_lock lock(mutex_);
  const uint64_t hash = request_hash(call, parsed);
  if (call.honor_idempotency) {
    if (const auto entry = ledger_.find_key(call.key)) {
      if (entry->target != call.target || entry->request_hash != hash) {
        ledger_.count_rejected(call.target);
        return refused(WriteError{422, "IdempotencyKeyReused",
                                  "Idempotency-Key '" + std::string(call.key) + "' was used for another request (" +
                                      std::string(write_target_name(entry->target)) +
                                      "): use a new key for a new request",
                                  ""});
      }
      ledger_.count_replayed(call.target);
      return replay(*entry);
    }
  }
  WriteOutcome outcome;
  if (const auto* payment = std::get_if<PaymentRequest>(&parsed.request))
    outcome = create_payment(call, hash, *payment);
  else if (const auto* portal = std::get_if<PortalRequest>(&parsed.request))
    outcome = create_portal_record(call, hash, *portal);
  else
    outcome = update_customer(call, hash, std::get<CustomerUpdate>(parsed.request));
  if (outcome.error) ledger_.count_rejected(call.target);
  return outcome;
}

// The first call's answer again: created records never change their created form, and a
// customer update keeps the text it answered.
WriteOutcome Dataset::replay(const KeyEntry& entry) const {
  WriteOutcome outcome;
  if (entry.target == WriteTarget::kCustomers) {
    outcome.status = 200;
    outcome.body = ledger_.update(entry.update_index).answer;
  } else if (entry.target == WriteTarget::kPayments) {
    const WrittenPayment& payment = ledger_.payment(entry.id - generator_.slot_count(Collection::kPayments) - 1);
    write_written_payment(outcome.body, payment, payment.created_ms, 0);
  } else {
    for (int k = 0; k < kPortalKindCount; ++k)
      if (portal_target(static_cast<PortalKind>(k)) == entry.target)
        write_portal_record(outcome.body, ledger_.records(static_cast<PortalKind>(k))[entry.id - 1]);
  }
  return outcome;
}

WriteOutcome Dataset::create_payment(const WriteCall& call, uint64_t hash, const PaymentRequest& request) {
  const int64_t customer_id = parse_record_id(Collection::kCustomers, request.customer_id);
  const auto currency = customer_currency(customer_id);
  if (!currency) return refused(*refuse("UnknownCustomer", "no customer '" + request.customer_id + "'", "customerId"));
  if (*currency != request.currency)
    return refused(*refuse("CurrencyMismatch",
                           "customer " + request.customer_id + " pays in " + std::string(currency_code(*currency)) +
                               ", not " + std::string(currency_code(request.currency)),
                           "currencyCode"));
  WrittenPayment payment;
  int64_t applied = 0;
  std::unordered_set<int64_t> seen;
  for (size_t i = 0; i < request.applications.size(); ++i) {
    const ApplicationRequest& application = request.applications[i];
    const std::string at = "applications[" + std::to_string(i) + "]";
    const auto invoice = invoice_state(application.invoice_id);
    if (!invoice)
      return refused(*refuse("UnknownInvoice", "no invoice '" + application.invoice_id + "'", at + ".invoiceId"));
    if (invoice->customer_id != customer_id)
      return refused(*refuse("InvoiceOfAnotherCustomer",
                             application.invoice_id + " belongs to " + record_id(Collection::kCustomers, invoice->customer_id) +
                                 ", not " + request.customer_id,
                             at + ".invoiceId"));
    if (invoice->voided)
      return refused(*refuse("InvoiceVoided", application.invoice_id + " is voided", at + ".invoiceId"));
    if (invoice->currency != request.currency)
      return refused(*refuse("CurrencyMismatch", application.invoice_id + " is in " +
                                                     std::string(currency_code(invoice->currency)), at + ".invoiceId"));
    if (!seen.insert(invoice->id).second)
      return refused(*refuse("DuplicateApplication", application.invoice_id + " is applied twice", at + ".invoiceId"));
    if (application.amount > invoice->remaining)
      return refused(*refuse("ApplicationExceedsRemaining",
                             at + ".amount " + money(application.amount, request.currency) + " exceeds " +
                                 application.invoice_id + "'s remaining amount " +
                                 money(invoice->remaining, request.currency),
                             at + ".amount"));
    applied += application.amount;
    payment.applications.push_back(WrittenApplication{invoice->id, application.amount});
  }
  if (applied > request.amount)
    return refused(*refuse("ApplicationsExceedAmount",
                           "the applications add up to " + money(applied, request.currency) + ", more than the amount " +
                               money(request.amount, request.currency),
                           "applications"));

  const int64_t at = ++clock_ms_;  // one write, one instant: the payment and its invoices
  payment.id = slot_count(Collection::kPayments) + 1;
  payment.customer_id = customer_id;
  payment.created_ms = at;
  payment.amount = request.amount;
  payment.day = request.day;
  payment.currency = request.currency;
  payment.method = request.method;
  payment.reference = request.reference;
  payment.portal_ref = request.portal_ref;
  payment.idempotency_key = call.key;
  payment.request_hash = hash;
  const WrittenPayment& stored = ledger_.add_payment(std::move(payment));
  touch(Collection::kPayments, stored.id, at, false);
  for (const WrittenApplication& application : stored.applications) {
    touch(Collection::kInvoices, application.invoice_id, at, false);
    overlays_[static_cast<int>(Collection::kInvoices)].by_id[application.invoice_id].paid += application.amount;
  }
  WriteOutcome outcome;
  outcome.committed = true;
  write_written_payment(outcome.body, stored, at, 0);
  outcome.created_payments.push_back(record_id(Collection::kPayments, stored.id));
  for (const WrittenApplication& application : stored.applications)
    outcome.changed_invoices.push_back(record_id(Collection::kInvoices, application.invoice_id));
  return outcome;
}

// Resolves a portal record's customer and invoices into `record`, or says what is wrong.
std::optional<WriteError> Dataset::check_portal(const PortalRequest& request, PortalRecord& record) const {
  if (request.kind != PortalKind::kDispute) {
    record.customer_id = parse_record_id(Collection::kCustomers, request.customer_id);
    const auto currency = customer_currency(record.customer_id);
    if (!currency) return refuse("UnknownCustomer", "no customer '" + request.customer_id + "'", "customerId");
    record.currency = *currency;
  }
  const bool many = request.kind == PortalKind::kPromiseToPay;
  int64_t remaining = 0, total = 0;
  for (size_t i = 0; i < request.invoice_ids.size(); ++i) {
    const std::string& wire = request.invoice_ids[i];
    const std::string at = many ? "invoiceIds[" + std::to_string(i) + "]" : "invoiceId";
    const auto invoice = invoice_state(wire);
    if (!invoice) return refuse("UnknownInvoice", "no invoice '" + wire + "'", at);
    if (request.kind == PortalKind::kDispute) {
      record.customer_id = invoice->customer_id;
      record.currency = invoice->currency;
    } else if (invoice->customer_id != record.customer_id) {
      return refuse("InvoiceOfAnotherCustomer",
                    wire + " belongs to " + record_id(Collection::kCustomers, invoice->customer_id) + ", not " +
                        request.customer_id,
                    at);
    }
    if (invoice->voided && request.kind != PortalKind::kMessage)
      return refuse("InvoiceVoided", wire + " is voided", at);
    if (std::find(record.invoice_ids.begin(), record.invoice_ids.end(), invoice->id) != record.invoice_ids.end())
      return refuse("DuplicateInvoice", wire + " is listed twice", at);
    record.invoice_ids.push_back(invoice->id);
    remaining += invoice->remaining;
    total += invoice->total;
  }
  if (request.currency && *request.currency != record.currency)
    return refuse("CurrencyMismatch",
                  "the amount is in " + std::string(currency_code(*request.currency)) + " but " +
                      (request.kind == PortalKind::kDispute ? request.invoice_ids.front() : request.customer_id) +
                      " is in " + std::string(currency_code(record.currency)),
                  "currencyCode");
  record.amount = request.amount;
  if (!request.amount || record.invoice_ids.empty()) return std::nullopt;
  // A dispute or promise covers what is still owed; a credit may also refund what was paid.
  const bool credit = request.kind == PortalKind::kCreditRequest;
  if (*request.amount > (credit ? total : remaining))
    return refuse(credit ? "AmountExceedsInvoice" : "AmountExceedsRemaining",
                  "amount " + money(*request.amount, record.currency) + " exceeds the " +
                      (credit ? "invoice total " + money(total, record.currency)
                              : "remaining amount " + money(remaining, record.currency)),
                  "amount");
  return std::nullopt;
}

WriteOutcome Dataset::create_portal_record(const WriteCall& call, uint64_t hash, const PortalRequest& request) {
  PortalRecord record;
  record.kind = request.kind;
  if (auto error = check_portal(request, record)) return refused(std::move(*error));
  record.id = std::ssize(ledger_.records(request.kind)) + 1;
  record.created_ms = ++clock_ms_;
  record.day = request.day;
  record.reason_code = request.reason_code;
  record.text = request.text;
  record.portal_ref = request.portal_ref;
  record.idempotency_key = call.key;
  record.request_hash = hash;
  const PortalRecord& stored = ledger_.add_record(std::move(record));
  WriteOutcome outcome;
  outcome.committed = true;
  write_portal_record(outcome.body, stored);
  return outcome;
}

WriteOutcome Dataset::update_customer(const WriteCall& call, uint64_t hash, const CustomerUpdate& update) {
  const int64_t id = parse_record_id(Collection::kCustomers, call.customer_id);
  if (id < 1 || !exists(Collection::kCustomers, id))
    return refused(WriteError{404, "NotFound", "no customer '" + std::string(call.customer_id) + "'", ""});
  CustomerPatch& patch = ledger_.patch_for(id);
  for (auto [from, to] : {std::pair{&update.email, &patch.email}, {&update.phone, &patch.phone},
                          {&update.street, &patch.street}, {&update.city, &patch.city},
                          {&update.state, &patch.state}, {&update.postal_code, &patch.postal_code},
                          {&update.country, &patch.country}})
    if (*from) *to = *from;
  touch(Collection::kCustomers, id, ++clock_ms_, false);
  WriteOutcome outcome;
  outcome.status = 200;
  outcome.committed = true;
  outcome.changed_customers.push_back(record_id(Collection::kCustomers, id));
  write_written_record(WriteTarget::kCustomers, id, outcome.body);
  ledger_.add_update({id, hash, std::string(call.key), update.portal_ref, outcome.body});
  return outcome;
}

// The current record behind a key entry, as GET serves it.
bool Dataset::write_written_record(WriteTarget target, int64_t id, std::string& out, WireFormat format) const {
  if (target == WriteTarget::kCustomers || target == WriteTarget::kPayments) {
    PageQuery query{target == WriteTarget::kCustomers ? Collection::kCustomers : Collection::kPayments};
    query.format = format;
    return write_record(query, id, overlay_entry(query.collection, id), out);
  }
  for (int k = 0; k < kPortalKindCount; ++k) {
    if (portal_target(static_cast<PortalKind>(k)) != target) continue;
    write_portal_record(out, ledger_.records(static_cast<PortalKind>(k))[id - 1]);
    return true;
  }
  return false;
}

// The record (customers: the customer) a write in `target` made with this key or portalRef.
std::optional<int64_t> Dataset::lookup_id(WriteTarget target, const WriteLookup& lookup) const {
  const auto entry = lookup.by_portal_ref ? ledger_.find_ref(target, lookup.value) : ledger_.find_key(lookup.value);
  if (!entry || entry->target != target) return std::nullopt;
  return entry->id;
}

// A lookup on payments or customers (called under the shared lock); other collections have no
// writes, so their lookups are empty.
PageOutcome Dataset::write_key_page(const PageQuery& query, std::string& out) const {
  PageOutcome page;
  if (query.collection != Collection::kPayments && query.collection != Collection::kCustomers) return page;
  const WriteTarget target = query.collection == Collection::kPayments ? WriteTarget::kPayments : WriteTarget::kCustomers;
  const auto id = lookup_id(target, *query.lookup);
  if (id && write_written_record(target, *id, out, query.format)) page.count = 1;
  return page;
}

PageOutcome Dataset::write_portal_page(PortalKind kind, const PageQuery& query, std::string& out) const {
  std::shared_lock lock(mutex_);
  const std::deque<PortalRecord>& records = ledger_.records(kind);
  PageOutcome page;
  if (query.lookup) {
    if (const auto id = lookup_id(portal_target(kind), *query.lookup)) {
      write_portal_record(out, records[*id - 1]);
      page.count = 1;
    }
    return page;
  }
  // Records are created in clock order, so the deque is already in (time, id) order.
  const RecordKey since{query.since_ms, INT64_MIN};
  const auto start = std::partition_point(records.begin(), records.end(), [&](const PortalRecord& r) {
    const RecordKey key{r.created_ms, r.id};
    return key < since || (query.after && key <= *query.after);
  });
  for (auto it = start; it != records.end(); ++it) {
    if (page.count == query.top) {
      page.more = true;
      break;
    }
    if (page.count > 0) out.push_back(',');
    write_portal_record(out, *it);
    ++page.count;
    page.last = RecordKey{it->created_ms, it->id};
  }
  return page;
}

}  // namespace arsync::sim
