// record_json: see record_json.hpp. Field order and names follow API.md exactly.
#include "tools/erp-sim/record_json.hpp"

#include "tools/erp-sim/json_writer.hpp"

namespace arsync::sim {
namespace {

constexpr int kCustomerDigits = 6;
constexpr int kDocumentDigits = 7;

// Lower-cases a table word into an e-mail local part or domain label ("Acme" -> "acme").
void write_lower(JsonWriter& w, std::string_view word) {
  char buffer[64];
  size_t n = 0;
  for (char ch : word) {
    if (n == sizeof buffer) break;
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (ch == ' ') ch = '-';
    buffer[n++] = ch;
  }
  w.raw(std::string_view(buffer, n));
}

void write_customer_domain(JsonWriter& w, const Customer& c) {
  write_lower(w, c.name_first);
  w.raw('-');
  write_lower(w, c.name_second);
  w.raw('-');
  w.integer(c.id);
  w.raw(".example");
}

void write_contacts(JsonWriter& w, const Customer& c) {
  w.raw(",\"contacts\":[");
  for (int i = 0; i < c.contact_count; ++i) {
    const Contact& contact = c.contacts[i];
    w.raw(i == 0 ? "{\"id\":\"CONT-" : ",{\"id\":\"CONT-");
    w.integer(c.id, kCustomerDigits);
    w.raw('-');
    w.integer(i + 1);
    w.raw("\",\"displayName\":\"");
    w.raw(contact.first_name);
    w.raw(' ');
    w.raw(contact.last_name);
    w.raw("\",\"jobTitle\":\"");
    w.raw(contact.job_title);
    w.raw("\",\"email\":\"");
    write_lower(w, contact.first_name);
    w.raw('@');
    write_customer_domain(w, c);
    w.raw("\",\"phoneNumber\":\"");
    w.raw(c.phone_prefix);
    w.raw(' ');
    w.integer(contact.phone, 4);
    w.raw(contact.primary ? "\",\"isPrimary\":true}" : "\",\"isPrimary\":false}");
  }
  w.raw(']');
}

void write_applications(JsonWriter& w, const Application* apps, int count, Currency currency) {
  w.raw(",\"applications\":[");
  for (int i = 0; i < count; ++i) {
    w.raw(i == 0 ? "{\"invoiceId\":\"INV-" : ",{\"invoiceId\":\"INV-");
    w.integer(apps[i].invoice_id, kDocumentDigits);
    w.raw("\",\"amount\":");
    w.money(apps[i].amount, currency);
    w.raw(",\"appliedDate\":");
    w.date(apps[i].day);
    w.raw('}');
  }
  w.raw(']');
}

// A generated table word, which needs no escaping.
void quoted(JsonWriter& w, std::string_view word) {
  w.raw('"');
  w.raw(word);
  w.raw('"');
}

}  // namespace

std::string_view invoice_status_text(InvoiceStatus status) {
  switch (status) {
    case InvoiceStatus::kOpen:
      return "Open";
    case InvoiceStatus::kPartiallyPaid:
      return "Partially Paid";
    case InvoiceStatus::kPaid:
      return "Paid";
    case InvoiceStatus::kCanceled:
      return "Canceled";
  }
  return "Open";
}

void write_customer_domain(std::string& out, const Customer& customer) {
  JsonWriter w(out);
  write_customer_domain(w, customer);
}

void write_email_local(std::string& out, std::string_view word) {
  JsonWriter w(out);
  write_lower(w, word);
}

namespace {

void write_invoice_lines(JsonWriter& w, const Invoice& inv) {
  w.raw(",\"lines\":[");
  for (int i = 0; i < inv.line_count; ++i) {
    const InvoiceLine& line = inv.lines[i];
    w.raw(i == 0 ? "{\"sequence\":" : ",{\"sequence\":");
    w.integer((i + 1) * 10'000);
    w.raw(",\"itemNumber\":\"ITEM-");
    w.integer(line.item);
    w.raw("\",\"description\":");
    w.string(line.description);
    w.raw(",\"quantity\":");
    w.halves(line.quantity_halves);
    w.raw(",\"unitPrice\":");
    w.money(line.unit_price, inv.currency, inv.trim_money);
    w.raw(",\"amountExcludingTax\":");
    w.money(line.amount, inv.currency, inv.trim_money);
    w.raw(",\"taxAmount\":");
    w.money(line.tax, inv.currency, inv.trim_money);
    w.raw('}');
  }
  w.raw(']');
}

}  // namespace

void write_customer(std::string& out, const Customer& c, const CustomerPatch* patch) {
  const CustomerPatch none;
  const CustomerPatch& p = patch ? *patch : none;
  JsonWriter w(out);
  w.raw("{\"id\":\"CUST-");
  w.integer(c.id, kCustomerDigits);
  w.raw("\",\"number\":\"C");
  w.integer(c.id, kCustomerDigits);
  w.raw("\",\"displayName\":\"");
  w.raw(c.name_first);
  w.raw(' ');
  w.raw(c.name_second);
  w.raw(' ');
  w.integer(c.id);
  w.raw("\",\"currencyCode\":\"");
  w.raw(currency_code(c.currency));
  w.raw("\",\"creditLimit\":");
  w.money(c.credit_limit, c.currency);
  w.raw(",\"paymentTermsCode\":\"");
  w.raw(c.terms_code);
  w.raw("\",\"taxRegistrationNumber\":\"");
  w.raw(c.country);
  w.integer(static_cast<int64_t>(c.tax_number));
  w.raw("\",\"email\":");
  if (p.email) {
    w.string(*p.email);
  } else {
    w.raw("\"ap@");
    write_customer_domain(w, c);
    w.raw('"');
  }
  w.raw(",\"phoneNumber\":");
  if (p.phone) {
    w.string(*p.phone);
  } else {
    w.raw('"');
    w.raw(c.phone_prefix);
    w.raw(' ');
    // A modified customer gets a new phone number: 7000 + revision keeps it 4 digits for a while.
    w.integer(c.revision == 0 ? c.phone : 7000 + c.revision % 3000, 4);
    w.raw('"');
  }
  w.raw(c.blocked ? ",\"blocked\":\"All\"" : ",\"blocked\":\"\"");
  w.raw(",\"address\":{\"street\":");
  if (p.street) {
    w.string(*p.street);
  } else {
    w.raw('"');
    w.integer(c.street_number);
    w.raw(' ');
    w.raw(c.street);
    w.raw('"');
  }
  w.raw(",\"city\":");
  p.city ? w.string(*p.city) : quoted(w, c.city);
  w.raw(",\"state\":");
  p.state ? w.string(*p.state) : quoted(w, c.state);
  w.raw(",\"postalCode\":");
  p.postal_code ? w.string(*p.postal_code) : quoted(w, c.postal_code);
  w.raw(",\"countryLetterCode\":");
  p.country ? w.string(*p.country) : quoted(w, c.country);
  w.raw("},\"lastModifiedDateTime\":");
  w.timestamp(c.modified_ms);
  write_contacts(w, c);
  w.raw('}');
}

void write_invoice(std::string& out, const Invoice& inv, Spoil spoil) {
  JsonWriter w(out);
  if (spoil == Spoil::kMissingId) {
    w.raw("{\"number\":\"SI-");
  } else {
    w.raw("{\"id\":\"INV-");
    w.integer(inv.id, kDocumentDigits);
    w.raw("\",\"number\":\"SI-");
  }
  w.integer(inv.id, kDocumentDigits);
  w.raw("\",\"customerId\":\"CUST-");
  w.integer(inv.customer_id, kCustomerDigits);
  w.raw("\",\"customerNumber\":\"C");
  w.integer(inv.customer_id, kCustomerDigits);
  w.raw("\",\"invoiceDate\":");
  if (spoil == Spoil::kBadDate)
    w.raw("\"31/02/2025\"");
  else
    w.date(inv.invoice_day);
  w.raw(",\"dueDate\":");
  w.date(inv.due_day);
  w.raw(",\"currencyCode\":\"");
  w.raw(currency_code(inv.currency));
  w.raw("\",\"totalAmountExcludingTax\":");
  w.money(inv.total_excluding_tax, inv.currency, inv.trim_money);
  w.raw(",\"totalTaxAmount\":");
  w.money(inv.total_tax, inv.currency, inv.trim_money);
  w.raw(",\"totalAmountIncludingTax\":");
  if (spoil == Spoil::kBadAmount)
    w.raw("\"12.3.4\"");
  else
    w.money(inv.total, inv.currency, inv.trim_money);
  w.raw(",\"remainingAmount\":");
  w.money(inv.remaining, inv.currency, inv.trim_money);
  w.raw(",\"status\":\"");
  w.raw(invoice_status_text(inv.status));
  w.raw("\",\"externalDocumentNumber\":\"");
  if (inv.revision > 0) {
    // /admin/mutate modify: a new PO number that says which revision it is.
    w.raw("PO-R");
    w.integer(inv.revision);
    w.raw('-');
    w.integer(inv.id);
  } else if (inv.po_number != 0) {
    w.raw("PO-");
    w.integer(inv.po_number);
  }
  w.raw("\",\"paymentTermsCode\":\"");
  w.raw(inv.terms_code);
  w.raw("\",\"lastModifiedDateTime\":");
  w.timestamp(inv.modified_ms);
  write_invoice_lines(w, inv);
  w.raw('}');
}

void write_payment(std::string& out, const Payment& p) {
  JsonWriter w(out);
  w.raw("{\"id\":\"PAY-");
  w.integer(p.id, kDocumentDigits);
  w.raw("\",\"number\":\"PMT-");
  w.integer(p.id, kDocumentDigits);
  w.raw("\",\"customerId\":\"CUST-");
  w.integer(p.customer_id, kCustomerDigits);
  w.raw("\",\"paymentDate\":");
  w.date(p.day);
  w.raw(",\"paymentMethod\":\"");
  w.raw(p.method);
  w.raw("\",\"reference\":\"");
  w.raw(p.reference_prefix);
  w.integer(p.reference_number);
  if (p.revision > 0) {
    w.raw("-R");
    w.integer(p.revision);
  }
  w.raw("\",\"currencyCode\":\"");
  w.raw(currency_code(p.currency));
  w.raw("\",\"amount\":");
  w.money(p.amount, p.currency);
  w.raw(",\"unappliedAmount\":");
  w.money(p.unapplied, p.currency);
  w.raw(",\"lastModifiedDateTime\":");
  w.timestamp(p.modified_ms);
  write_applications(w, p.applications, p.application_count, p.currency);
  w.raw('}');
}

void write_credit_memo(std::string& out, const CreditMemo& m) {
  JsonWriter w(out);
  w.raw("{\"id\":\"CM-");
  w.integer(m.id, kDocumentDigits);
  w.raw("\",\"number\":\"CR-");
  w.integer(m.id, kDocumentDigits);
  w.raw("\",\"customerId\":\"CUST-");
  w.integer(m.customer_id, kCustomerDigits);
  w.raw("\",\"creditMemoDate\":");
  w.date(m.day);
  w.raw(",\"currencyCode\":\"");
  w.raw(currency_code(m.currency));
  w.raw("\",\"totalAmountIncludingTax\":");
  w.money(m.total, m.currency);
  w.raw(",\"remainingAmount\":");
  w.money(m.remaining, m.currency);
  w.raw(m.remaining > 0 ? ",\"status\":\"Open\"" : ",\"status\":\"Applied\"");
  w.raw(",\"reason\":\"");
  w.raw(m.reason);
  if (m.revision > 0) {
    w.raw(" (revised ");
    w.integer(m.revision);
    w.raw(')');
  }
  w.raw("\",\"lastModifiedDateTime\":");
  w.timestamp(m.modified_ms);
  write_applications(w, m.applications, m.application_count, m.currency);
  w.raw('}');
}

}  // namespace arsync::sim

namespace arsync::sim {

namespace {
constexpr std::string_view kCollectionNames[kCollectionCount] = {"customers", "invoices", "payments",
                                                                 "creditMemos"};
constexpr std::string_view kIdPrefixes[kCollectionCount] = {"CUST-", "INV-", "PAY-", "CM-"};
}  // namespace

std::string_view collection_name(Collection collection) {
  return kCollectionNames[static_cast<int>(collection)];
}

std::optional<Collection> collection_from_name(std::string_view name) {
  for (int i = 0; i < kCollectionCount; ++i)
    if (kCollectionNames[i] == name) return static_cast<Collection>(i);
  return std::nullopt;
}

std::string record_id(Collection collection, int64_t id) {
  std::string out(kIdPrefixes[static_cast<int>(collection)]);
  JsonWriter(out).integer(id, collection == Collection::kCustomers ? kCustomerDigits : kDocumentDigits);
  return out;
}

}  // namespace arsync::sim
