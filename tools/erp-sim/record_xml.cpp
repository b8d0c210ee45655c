// record_xml: see record_xml.hpp. Field names are listed in API.md ("XML API").
#include "tools/erp-sim/record_xml.hpp"

#include <array>
#include <string>

#include "tools/erp-sim/json_writer.hpp"
#include "tools/erp-sim/sim_time.hpp"
#include "tools/erp-sim/write_request.hpp"

namespace arsync::sim {
namespace {

constexpr int kCustomerDigits = 6;
constexpr int kDocumentDigits = 7;

void text(std::string& out, std::string_view value) { write_xml_text(out, value); }

void open(std::string& out, std::string_view name) { out.append("<").append(name).append(">"); }
void close(std::string& out, std::string_view name) { out.append("</").append(name).append(">"); }

void element(std::string& out, std::string_view name, std::string_view value) {
  open(out, name);
  text(out, value);
  close(out, name);
}

void integer(std::string& out, std::string_view name, int64_t value, int width = 0) {
  open(out, name);
  JsonWriter(out).integer(value, width);
  close(out, name);
}

void id(std::string& out, std::string_view name, std::string_view prefix, int64_t value, int width) {
  open(out, name);
  out.append(prefix);
  JsonWriter(out).integer(value, width);
  close(out, name);
}

void money(std::string& out, std::string_view name, int64_t minor, Currency currency, bool trim = false) {
  open(out, name);
  JsonWriter(out).money(minor, currency, trim);
  close(out, name);
}

// The document's currency, the company's base currency and (for a foreign one) the rate between.
void currencies(std::string& out, Currency currency) {
  element(out, "CURRENCY", currency_code(currency));
  element(out, "BASECURR", currency_code(kBaseCurrency));
  if (currency != kBaseCurrency) element(out, "EXCHANGE_RATE", exchange_rate_text(currency));
}

// An Intacct amount pair: NAME in the base currency, TRX_NAME in the document's currency (what
// the document says). For a base-currency document the two are equal.
void amounts(std::string& out, std::string_view name, int64_t minor, Currency currency, bool trim = false) {
  money(out, name, base_amount(minor, currency), kBaseCurrency, trim);
  money(out, "TRX_" + std::string(name), minor, currency, trim);
}

// MM/DD/YYYY from days since the epoch.
void date(std::string& out, std::string_view name, int64_t days) {
  char iso[10];
  write_date(iso, days);
  open(out, name);
  out.append(iso + 5, 2).append("/").append(iso + 8, 2).append("/").append(iso, 4);
  close(out, name);
}

void modified(std::string& out, int64_t millis) { element(out, "WHENMODIFIED", xml_timestamp(millis)); }

void applications(std::string& out, std::string_view list, std::string_view item,
                  std::string_view amount_name, std::string_view date_name, const Application* apps,
                  int count, Currency currency) {
  open(out, list);
  for (int i = 0; i < count; ++i) {
    open(out, item);
    integer(out, "RECORDKEY", apps[i].invoice_id);
    money(out, amount_name, apps[i].amount, currency);
    date(out, date_name, apps[i].day);
    close(out, item);
  }
  close(out, list);
}

std::string_view invoice_state(InvoiceStatus status) {
  // Intacct's ARINVOICE STATE words; a voided invoice is "Reversed".
  return status == InvoiceStatus::kOpen       ? "Posted"
         : status == InvoiceStatus::kCanceled ? "Reversed"
                                              : invoice_status_text(status);
}

// Intacct's receipt payment methods where it has one; the rest keep the sim's word.
std::string_view payment_method(std::string_view method) {
  if (method == "Check") return "Printed Check";
  if (method == "Card") return "Credit Card";
  if (method == "ACH") return "Online ACH Debit";
  return method;  // EFT, Wire, PayPal
}

// A patched profile field (portal writes) or the generated one.
void patched(std::string& out, std::string_view name, const std::optional<std::string>& patch,
             std::string_view generated) {
  element(out, name, patch ? std::string_view(*patch) : generated);
}

constexpr std::array<std::string_view, kCollectionCount> kObjects = {"CUSTOMER", "ARINVOICE", "ARPYMT",
                                                                     "ARADJUSTMENT"};
constexpr std::array<std::string_view, kCollectionCount> kElements = {"customer", "arinvoice", "arpymt",
                                                                      "aradjustment"};

}  // namespace

void write_xml_text(std::string& out, std::string_view value) {
  for (char ch : value) {
    switch (ch) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&apos;");
        break;
      default:
        out.push_back(ch);
    }
  }
}

std::string_view xml_object_name(Collection collection) { return kObjects[static_cast<int>(collection)]; }

std::optional<Collection> collection_from_xml_object(std::string_view object) {
  for (int i = 0; i < kCollectionCount; ++i)
    if (kObjects[i] == object) return static_cast<Collection>(i);
  return std::nullopt;
}

std::string xml_timestamp(int64_t millis) {
  char iso[24];
  write_timestamp(iso, millis);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  std::string out;
  out.append(iso + 5, 2).append("/").append(iso + 8, 2).append("/").append(iso, 4);
  out.append(" ").append(iso + 11, 8);
  return out;
}

std::optional<int64_t> parse_xml_timestamp(std::string_view t) {
  // MM/DD/YYYY HH:MM:SS
  if (t.size() != 19 || t[2] != '/' || t[5] != '/' || t[10] != ' ' || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto num = [&](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int month = num(0, 2), day = num(3, 2), year = num(6, 4), hour = num(11, 2), minute = num(14, 2),
            second = num(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 0 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59)
    return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  char check[10];
  write_date(check, days);  // refuses 02/31 by round trip
  if (num(0, 2) != (check[5] - '0') * 10 + (check[6] - '0') ||
      day != (check[8] - '0') * 10 + (check[9] - '0'))
    return std::nullopt;
  return days * kMillisPerDay + ((hour * 60 + minute) * 60 + second) * int64_t{1000};
}

void write_customer_xml(std::string& out, const Customer& c, const CustomerPatch* patch) {
  const CustomerPatch none;
  const CustomerPatch& p = patch ? *patch : none;
  open(out, kElements[0]);
  integer(out, "RECORDNO", c.id);
  id(out, "CUSTOMERID", "C", c.id, kCustomerDigits);
  open(out, "NAME");
  text(out, c.name_first);
  out.push_back(' ');
  text(out, c.name_second);
  out.push_back(' ');
  JsonWriter(out).integer(c.id);
  close(out, "NAME");
  element(out, "STATUS", "active");
  element(out, "ONHOLD", c.blocked ? "true" : "false");
  element(out, "CURRENCY", currency_code(c.currency));
  money(out, "CREDITLIMIT", c.credit_limit, c.currency);
  element(out, "TERMNAME", c.terms_code);
  open(out, "TAXID");
  out.append(c.country);
  JsonWriter(out).integer(static_cast<int64_t>(c.tax_number));
  close(out, "TAXID");
  open(out, "DISPLAYCONTACT");
  open(out, "EMAIL1");
  if (p.email) {
    text(out, *p.email);
  } else {
    out.append("ap@");
    write_customer_domain(out, c);
  }
  close(out, "EMAIL1");
  open(out, "PHONE1");
  if (p.phone) {
    text(out, *p.phone);
  } else {
    out.append(c.phone_prefix).append(" ");
    JsonWriter(out).integer(c.revision == 0 ? c.phone : 7000 + c.revision % 3000, 4);
  }
  close(out, "PHONE1");
  open(out, "MAILADDRESS");
  open(out, "ADDRESS1");
  if (p.street) {
    text(out, *p.street);
  } else {
    JsonWriter(out).integer(c.street_number);
    out.push_back(' ');
    text(out, c.street);
  }
  close(out, "ADDRESS1");
  patched(out, "CITY", p.city, c.city);
  patched(out, "STATE", p.state, c.state);
  patched(out, "ZIP", p.postal_code, c.postal_code);
  patched(out, "COUNTRYCODE", p.country, c.country);
  close(out, "MAILADDRESS");
  close(out, "DISPLAYCONTACT");
  modified(out, c.modified_ms);
  open(out, "CONTACTS");
  for (int i = 0; i < c.contact_count; ++i) {
    const Contact& contact = c.contacts[i];
    open(out, "CONTACT");
    open(out, "CONTACTID");
    out.append("CONT-");
    JsonWriter(out).integer(c.id, kCustomerDigits);
    out.push_back('-');
    JsonWriter(out).integer(i + 1);
    close(out, "CONTACTID");
    open(out, "PRINTAS");
    text(out, contact.first_name);
    out.push_back(' ');
    text(out, contact.last_name);
    close(out, "PRINTAS");
    element(out, "TITLE", contact.job_title);
    open(out, "EMAIL1");
    write_email_local(out, contact.first_name);
    out.push_back('@');
    write_customer_domain(out, c);
    close(out, "EMAIL1");
    open(out, "PHONE1");
    out.append(c.phone_prefix).append(" ");
    JsonWriter(out).integer(contact.phone, 4);
    close(out, "PHONE1");
    element(out, "PRIMARY", contact.primary ? "true" : "false");
    close(out, "CONTACT");
  }
  close(out, "CONTACTS");
  close(out, kElements[0]);
}

void write_invoice_xml(std::string& out, const Invoice& inv, Spoil spoil) {
  open(out, kElements[1]);
  if (spoil != Spoil::kMissingId) integer(out, "RECORDNO", inv.id);
  id(out, "RECORDID", "SI-", inv.id, kDocumentDigits);
  id(out, "CUSTOMERID", "C", inv.customer_id, kCustomerDigits);
  if (spoil == Spoil::kBadDate)
    element(out, "WHENCREATED", "31/02/2025");
  else
    date(out, "WHENCREATED", inv.invoice_day);
  date(out, "WHENDUE", inv.due_day);
  currencies(out, inv.currency);
  money(out, "SUBTOTAL", inv.total_excluding_tax, inv.currency, inv.trim_money);
  money(out, "TOTALTAX", inv.total_tax, inv.currency, inv.trim_money);
  if (spoil == Spoil::kBadAmount) {
    element(out, "TOTALENTERED", "12.3.4");
    element(out, "TRX_TOTALENTERED", "12.3.4");
  } else {
    amounts(out, "TOTALENTERED", inv.total, inv.currency, inv.trim_money);
  }
  amounts(out, "TOTALDUE", inv.remaining, inv.currency, inv.trim_money);
  element(out, "STATE", invoice_state(inv.status));
  open(out, "DOCNUMBER");
  if (inv.revision > 0) {
    out.append("PO-R");
    JsonWriter(out).integer(inv.revision);
    out.push_back('-');
    JsonWriter(out).integer(inv.id);
  } else if (inv.po_number != 0) {
    out.append("PO-");
    JsonWriter(out).integer(inv.po_number);
  }
  close(out, "DOCNUMBER");
  element(out, "TERMNAME", inv.terms_code);
  modified(out, inv.modified_ms);
  open(out, "ARINVOICEITEMS");
  for (int i = 0; i < inv.line_count; ++i) {
    const InvoiceLine& line = inv.lines[i];
    open(out, "arinvoiceitem");
    integer(out, "LINE_NO", i + 1);
    id(out, "ITEMID", "ITEM-", line.item, 0);
    element(out, "MEMO", line.description);
    open(out, "QUANTITY");
    JsonWriter(out).halves(line.quantity_halves);
    close(out, "QUANTITY");
    money(out, "UNITPRICE", line.unit_price, inv.currency, inv.trim_money);
    money(out, "AMOUNT", line.amount, inv.currency, inv.trim_money);
    money(out, "TAXAMOUNT", line.tax, inv.currency, inv.trim_money);
    close(out, "arinvoiceitem");
  }
  close(out, "ARINVOICEITEMS");
  close(out, kElements[1]);
}

void write_payment_xml(std::string& out, const Payment& p) {
  open(out, kElements[2]);
  integer(out, "RECORDNO", p.id);
  id(out, "RECORDID", "PMT-", p.id, kDocumentDigits);
  id(out, "CUSTOMERID", "C", p.customer_id, kCustomerDigits);
  date(out, "RECEIPTDATE", p.day);
  element(out, "PAYMENTMETHOD", payment_method(p.method));
  open(out, "DOCNUMBER");
  out.append(p.reference_prefix);
  JsonWriter(out).integer(p.reference_number);
  if (p.revision > 0) {
    out.append("-R");
    JsonWriter(out).integer(p.revision);
  }
  close(out, "DOCNUMBER");
  currencies(out, p.currency);
  amounts(out, "TOTALENTERED", p.amount, p.currency);
  amounts(out, "TOTALDUE", p.unapplied, p.currency);  // the part not applied to any invoice
  element(out, "STATE", "Posted");
  modified(out, p.modified_ms);
  applications(out, "ARPYMTDETAILS", "arpymtdetail", "TRX_PAYMENTAMOUNT", "PAYMENTDATE", p.applications,
               p.application_count, p.currency);
  close(out, kElements[2]);
}

void write_written_payment_xml(std::string& out, const WrittenPayment& p, int64_t modified_ms, int revision) {
  open(out, kElements[2]);
  integer(out, "RECORDNO", p.id);
  id(out, "RECORDID", "PMT-", p.id, kDocumentDigits);
  id(out, "CUSTOMERID", "C", p.customer_id, kCustomerDigits);
  date(out, "RECEIPTDATE", p.day);
  element(out, "PAYMENTMETHOD", payment_method(kPaymentMethods[p.method]));
  element(out, "DOCNUMBER", revision > 0 ? p.reference + "-R" + std::to_string(revision) : p.reference);
  element(out, "DESCRIPTION", p.portal_ref);  // the portal's reference (API.md: create ARPYMT)
  currencies(out, p.currency);
  amounts(out, "TOTALENTERED", p.amount, p.currency);
  int64_t applied = 0;
  for (const WrittenApplication& a : p.applications) applied += a.amount;
  amounts(out, "TOTALDUE", p.amount - applied, p.currency);
  element(out, "STATE", "Posted");
  modified(out, modified_ms);
  open(out, "ARPYMTDETAILS");
  for (const WrittenApplication& a : p.applications) {
    open(out, "arpymtdetail");
    integer(out, "RECORDKEY", a.invoice_id);
    money(out, "TRX_PAYMENTAMOUNT", a.amount, p.currency);
    date(out, "PAYMENTDATE", p.day);
    close(out, "arpymtdetail");
  }
  close(out, "ARPYMTDETAILS");
  close(out, kElements[2]);
}

void write_credit_memo_xml(std::string& out, const CreditMemo& m) {
  open(out, kElements[3]);
  integer(out, "RECORDNO", m.id);
  id(out, "RECORDID", "CR-", m.id, kDocumentDigits);
  id(out, "CUSTOMERID", "C", m.customer_id, kCustomerDigits);
  date(out, "WHENCREATED", m.day);
  currencies(out, m.currency);
  amounts(out, "TOTALENTERED", m.total, m.currency);
  amounts(out, "TOTALDUE", m.remaining, m.currency);
  element(out, "STATE", m.remaining > 0 ? "Posted" : "Paid");
  open(out, "DESCRIPTION");
  text(out, m.reason);
  if (m.revision > 0) {
    out.append(" (revised ");
    JsonWriter(out).integer(m.revision);
    out.push_back(')');
  }
  close(out, "DESCRIPTION");
  modified(out, m.modified_ms);
  applications(out, "APPLICATIONS", "application", "AMOUNT", "APPLIEDDATE", m.applications,
               m.application_count, m.currency);
  close(out, kElements[3]);
}

}  // namespace arsync::sim
