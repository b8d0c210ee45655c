#include "schema/catalog.hpp"

#include <array>
#include <stdexcept>

namespace arsync {
namespace {

using F = FieldType;
using sv = std::string_view;

constexpr std::array<sv, 3> kCustomerStatus = {"active", "on_hold", "inactive"};
constexpr std::array<sv, 5> kInvoiceStatus = {"open", "partially_paid", "paid", "void", "disputed"};
constexpr std::array<sv, 3> kCreditMemoStatus = {"open", "applied", "void"};
constexpr std::array<sv, 3> kPaymentStatus = {"posted", "pending", "void"};
constexpr std::array<sv, 2> kOrigin = {"erp", "portal"};
constexpr std::array<sv, 3> kDocumentKind = {"invoice", "statement", "credit_memo"};

constexpr FieldSpec kContactFields[] = {
    {"erp_id", F::kText, false, {}, {}, "the contact's id in the ERP, if it has one"},
    {"name", F::kText, true, {}, {}, "full name"},
    {"role", F::kText, false, {}, {}, "e.g. billing, purchasing"},
    {"email", F::kText, false},
    {"phone", F::kText, false},
    {"is_primary", F::kBool, false, {}, {}, "the customer's primary AR contact"},
};

constexpr FieldSpec kCustomerFields[] = {
    {"erp_id", F::kText, true, {}, {}, "the customer's key in the ERP"},
    {"number", F::kText, false, {}, {}, "customer number shown to people"},
    {"name", F::kText, true},
    {"status", F::kText, false, {}, kCustomerStatus},
    {"currency", F::kText, false, {}, {}, "ISO 4217 code of the customer's default currency"},
    {"credit_limit", F::kMoney, false},
    {"payment_terms", F::kText, false, {}, {}, "e.g. NET30"},
    {"tax_id", F::kText, false},
    {"billing_email", F::kText, false},
    {"phone", F::kText, false},
    {"billing_line1", F::kText, false},
    {"billing_line2", F::kText, false},
    {"billing_city", F::kText, false},
    {"billing_region", F::kText, false},
    {"billing_postal_code", F::kText, false},
    {"billing_country", F::kText, false},
    {"shipping_line1", F::kText, false},
    {"shipping_line2", F::kText, false},
    {"shipping_city", F::kText, false},
    {"shipping_region", F::kText, false},
    {"shipping_postal_code", F::kText, false},
    {"shipping_country", F::kText, false},
    {"erp_updated_at", F::kTimestamp, false, {}, {}, "when the ERP last changed the record"},
};

constexpr FieldSpec kInvoiceLineFields[] = {
    {"line_no", F::kInteger, true},
    {"item", F::kText, false, {}, {}, "item or product code"},
    {"description", F::kText, false},
    {"quantity", F::kDecimal, false},
    {"unit_price", F::kDecimal, false, {}, {}, "may carry more decimals than the currency"},
    {"amount", F::kMoney, true, {}, {}, "line amount before tax"},
    {"tax", F::kMoney, false},
};

constexpr FieldSpec kInvoiceFields[] = {
    {"erp_id", F::kText, true},
    {"number", F::kText, true, {}, {}, "invoice number printed on the document"},
    {"customer", F::kRef, true, "customer", {}, "the customer's ERP id"},
    {"issue_date", F::kDate, true},
    {"due_date", F::kDate, false},
    {"currency", F::kText, true},
    {"subtotal", F::kMoney, false, {}, {}, "sum of line amounts, before tax"},
    {"tax", F::kMoney, false},
    {"total", F::kMoney, true},
    {"balance", F::kMoney, true, {}, {}, "amount still owed"},
    {"status", F::kText, true, {}, kInvoiceStatus},
    {"po_number", F::kText, false, {}, {}, "the customer's purchase order number"},
    {"terms", F::kText, false},
    {"erp_updated_at", F::kTimestamp, false},
};

constexpr FieldSpec kApplicationFields[] = {
    {"invoice", F::kRef, true, "invoice", {}, "the ERP id of the invoice this amount is applied to"},
    {"amount", F::kMoney, true},
    {"applied_date", F::kDate, false},
};

constexpr FieldSpec kCreditMemoFields[] = {
    {"erp_id", F::kText, true},
    {"number", F::kText, true},
    {"customer", F::kRef, true, "customer"},
    {"issue_date", F::kDate, true},
    {"currency", F::kText, true},
    {"total", F::kMoney, true},
    {"remaining", F::kMoney, true, {}, {}, "credit not yet applied"},
    {"status", F::kText, true, {}, kCreditMemoStatus},
    {"reason", F::kText, false},
    {"erp_updated_at", F::kTimestamp, false},
};

constexpr FieldSpec kPaymentFields[] = {
    {"erp_id", F::kText, true},
    {"number", F::kText, false},
    {"customer", F::kRef, true, "customer"},
    {"payment_date", F::kDate, true},
    {"method", F::kText, false, {}, {}, "card, ach, eft, check, wire, paypal, cash, other"},
    {"reference", F::kText, false, {}, {}, "check number, processor reference"},
    {"currency", F::kText, true},
    {"amount", F::kMoney, true},
    {"unapplied", F::kMoney, true, {}, {}, "part of the amount not applied to any invoice"},
    {"status", F::kText, false, {}, kPaymentStatus},
    {"origin", F::kText, false, {}, kOrigin, "erp (default) or portal"},
    {"portal_ref", F::kText, false, {}, {}, "the portal payment this ERP payment echoes (links, never duplicates)"},
    {"erp_updated_at", F::kTimestamp, false},
};

// A document copy pulled from the ERP (a json-http stream with `content:`); the connector gives
// its bytes with their size and SHA-256, so the three always agree.
constexpr FieldSpec kDocumentFields[] = {
    {"erp_id", F::kText, true, {}, {}, "the document's id in the ERP"},
    {"kind", F::kText, true, {}, kDocumentKind},
    {"invoice", F::kRef, false, "invoice", {}, "the invoice this is a copy of"},
    {"file_name", F::kText, true},
    {"media_type", F::kText, true, {}, {}, "e.g. application/pdf; the portal serves the bytes with it"},
    {"byte_size", F::kInteger, true},
    {"sha256", F::kText, true, {}, {}, "hex SHA-256 of the bytes (the portal's ETag)"},
    {"content", F::kBytes, false, {}, {}, "the file's bytes"},
    {"erp_updated_at", F::kTimestamp, false},
};

// Push-only: what the portal sends the ERP. References hold the ERP ids of the customer and
// invoices; portal_ref is the portal's id (also the outbox item's idempotency key), for ERPs
// that echo it or can only be searched by it.
constexpr FieldSpec kDisputeFields[] = {
    {"portal_ref", F::kText, true, {}, {}, "the portal's id of the dispute"},
    {"customer", F::kRef, true, "customer"},
    {"invoice", F::kRef, true, "invoice", {}, "the invoice disputed"},
    {"reason_code", F::kText, true},
    {"currency", F::kText, false, {}, {}, "with amount"},
    {"amount", F::kMoney, false, {}, {}, "the amount disputed; absent = the whole invoice"},
    {"text", F::kText, false, {}, {}, "the customer's explanation"},
};

constexpr FieldSpec kPromiseInvoiceFields[] = {
    {"invoice", F::kRef, true, "invoice", {}, "an invoice the promise covers"},
};

constexpr FieldSpec kPromiseFields[] = {
    {"portal_ref", F::kText, true, {}, {}, "the portal's id of the promise"},
    {"customer", F::kRef, true, "customer"},
    {"promised_date", F::kDate, true, {}, {}, "when the customer promises to pay"},
    {"currency", F::kText, true},
    {"amount", F::kMoney, true},
    {"note", F::kText, false},
};

constexpr FieldSpec kMessageFields[] = {
    {"portal_ref", F::kText, true, {}, {}, "the portal's id of the message"},
    {"customer", F::kRef, true, "customer"},
    {"invoice", F::kRef, false, "invoice", {}, "the invoice the message is about, if any"},
    {"body", F::kText, true, {}, {}, "the message to the AR team"},
};

constexpr FieldSpec kCreditRequestFields[] = {
    {"portal_ref", F::kText, true, {}, {}, "the portal's id of the request"},
    {"customer", F::kRef, true, "customer"},
    {"invoice", F::kRef, false, "invoice", {}, "the invoice a credit is asked for, if any"},
    {"currency", F::kText, true},
    {"amount", F::kMoney, true},
    {"reason_code", F::kText, true},
    {"text", F::kText, false},
};

constexpr EntitySpec kContact{"contact", "contacts", kContactFields, {}, false};
constexpr EntitySpec kInvoiceLine{"invoice_line", "invoice_lines", kInvoiceLineFields, {}, false};
constexpr EntitySpec kApplication{"application", "applications", kApplicationFields, {}, false};

constexpr ChildSpec kCustomerChildren[] = {{"contacts", &kContact}};
constexpr ChildSpec kInvoiceChildren[] = {{"lines", &kInvoiceLine}};
constexpr ChildSpec kApplicationChildren[] = {{"applications", &kApplication}};

constexpr EntitySpec kCustomer{"customer", "customers", kCustomerFields, kCustomerChildren};
constexpr EntitySpec kInvoice{"invoice", "invoices", kInvoiceFields, kInvoiceChildren};
constexpr EntitySpec kCreditMemo{"credit_memo", "credit_memos", kCreditMemoFields, kApplicationChildren};
constexpr EntitySpec kPayment{"payment", "payments", kPaymentFields, kApplicationChildren};

constexpr EntitySpec kDocument{"document", "documents", kDocumentFields, {}};

constexpr const EntitySpec* kAll[] = {&kCustomer, &kInvoice, &kCreditMemo, &kPayment, &kDocument,
                                      &kContact,  &kInvoiceLine, &kApplication};

constexpr EntitySpec kPromiseInvoice{"promise_invoice", "promise_invoices", kPromiseInvoiceFields, {}, false, true};
constexpr ChildSpec kPromiseChildren[] = {{"invoices", &kPromiseInvoice}};
constexpr EntitySpec kDispute{"dispute", "disputes", kDisputeFields, {}, true, true};
constexpr EntitySpec kPromise{"promise_to_pay", "promises_to_pay", kPromiseFields, kPromiseChildren, true, true};
constexpr EntitySpec kMessage{"message", "messages", kMessageFields, {}, true, true};
constexpr EntitySpec kCreditRequest{"credit_request", "credit_requests", kCreditRequestFields, {}, true, true};

constexpr const EntitySpec* kPushOnly[] = {&kDispute, &kPromise, &kMessage, &kCreditRequest, &kPromiseInvoice};

}  // namespace

bool FieldSpec::allows(std::string_view value) const {
  if (allowed.empty()) return true;
  for (std::string_view a : allowed)
    if (a == value) return true;
  return false;
}

std::string FieldSpec::allowed_text() const {
  std::string out;
  for (std::string_view a : allowed) out += (out.empty() ? "" : ", ") + std::string(a);
  return out;
}

const char* to_string(FieldType type) {
  switch (type) {
    case F::kText: return "text";
    case F::kInteger: return "integer";
    case F::kBool: return "bool";
    case F::kMoney: return "money";
    case F::kDecimal: return "decimal";
    case F::kDate: return "date";
    case F::kTimestamp: return "timestamp";
    case F::kRef: return "reference";
    case F::kBytes: return "bytes";
  }
  return "?";
}

bool value_fits(FieldType type, const Value& value) {
  switch (type) {
    case F::kText:
    case F::kDate:
    case F::kTimestamp:
    case F::kRef:
      return std::holds_alternative<std::string>(value);
    case F::kInteger:
      return std::holds_alternative<std::int64_t>(value);
    case F::kBool:
      return std::holds_alternative<bool>(value);
    case F::kMoney:
      return std::holds_alternative<Money>(value);
    case F::kDecimal:
      return std::holds_alternative<Decimal>(value);
    case F::kBytes:
      return std::holds_alternative<Bytes>(value);
  }
  return false;
}

int EntitySpec::field_index(std::string_view field) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return static_cast<int>(i);
  return -1;
}

int EntitySpec::child_index(std::string_view child) const {
  for (std::size_t i = 0; i < children.size(); ++i)
    if (children[i].name == child) return static_cast<int>(i);
  return -1;
}

std::span<const EntitySpec* const> all_entities() { return kAll; }

std::span<const EntitySpec* const> push_only_entities() { return kPushOnly; }

const EntitySpec* find_entity(std::string_view name) {
  for (const EntitySpec* spec : kAll)
    if (spec->name == name) return spec;
  for (const EntitySpec* spec : kPushOnly)
    if (spec->name == name) return spec;
  return nullptr;
}

Entity::Entity(const EntitySpec* s) : spec(s) {
  if (spec) {
    values.resize(spec->fields.size());
    children.resize(spec->children.size());
  }
}

const Value& Entity::get(std::string_view field) const {
  int i = spec->field_index(field);
  if (i < 0) throw std::out_of_range("entity " + std::string(spec->name) + " has no field " + std::string(field));
  return values[static_cast<std::size_t>(i)];
}

void Entity::set(std::string_view field, Value value) {
  int i = spec->field_index(field);
  if (i < 0) throw std::out_of_range("entity " + std::string(spec->name) + " has no field " + std::string(field));
  values[static_cast<std::size_t>(i)] = std::move(value);
}

std::string Entity::key() const {
  int i = spec ? spec->field_index("erp_id") : -1;
  if (i >= 0)
    if (const auto* s = std::get_if<std::string>(&values[static_cast<std::size_t>(i)])) return *s;
  return "?";
}

}  // namespace arsync
