#include "daemon/portal_json.hpp"

namespace arsync {
namespace {

using json = nlohmann::json;

// Empty text is an absent value.
json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json optional_money(const std::optional<std::int64_t>& minor, const std::string& currency) {
  return minor ? money_json(*minor, currency) : json(nullptr);
}

}  // namespace

json money_json(std::int64_t minor, const std::string& currency) {
  return {{"amount", format_amount(Money{minor, currency})}, {"currency", currency}};
}

json to_json(const CustomerRow& c) {
  json contacts = json::array();
  for (const ContactRow& k : c.contacts)
    contacts.push_back({{"name", k.name},
                        {"role", text_or_null(k.role)},
                        {"email", text_or_null(k.email)},
                        {"phone", text_or_null(k.phone)},
                        {"primary", k.primary}});
  return {{"id", c.id},
          {"source", c.source},
          {"erp_id", c.erp_id},
          {"number", text_or_null(c.number)},
          {"name", c.name},
          {"status", text_or_null(c.status)},
          {"currency", text_or_null(c.currency)},
          {"credit_limit", c.credit_limit ? money_json(c.credit_limit->minor, c.credit_limit->currency) : json()},
          {"payment_terms", text_or_null(c.payment_terms)},
          {"tax_id", text_or_null(c.tax_id)},
          {"billing_email", text_or_null(c.billing_email)},
          {"phone", text_or_null(c.phone)},
          {"billing_address", c.billing.empty() ? json() : json(c.billing)},
          {"shipping_address", c.shipping.empty() ? json() : json(c.shipping)},
          {"contacts", std::move(contacts)},
          {"updated_seq", c.updated_seq}};
}

json to_json(const InvoiceRow& i) {
  return {{"id", i.id},
          {"customer_id", i.customer_id},
          {"source", i.source},
          {"erp_id", i.erp_id},
          {"number", i.number},
          {"issue_date", i.issue_date},
          {"due_date", text_or_null(i.due_date)},
          {"status", i.status},
          {"erp_status", i.erp_status},
          {"subtotal", optional_money(i.subtotal, i.currency)},
          {"tax", optional_money(i.tax, i.currency)},
          {"total", money_json(i.total, i.currency)},
          {"balance", money_json(i.balance, i.currency)},
          {"pending_payments", money_json(i.pending, i.currency)},
          {"balance_after_pending", money_json(i.balance - i.pending, i.currency)},
          {"po_number", text_or_null(i.po_number)},
          {"terms", text_or_null(i.terms)},
          {"updated_seq", i.updated_seq}};
}

json to_json(const InvoiceDetail& d) {
  const std::string& currency = d.invoice.currency;
  json out = to_json(d.invoice);
  json lines = json::array(), applied = json::array(), disputes = json::array(), promises = json::array(),
       pending = json::array();
  for (const InvoiceLineRow& l : d.lines)
    lines.push_back({{"line_no", l.line_no},
                     {"item", text_or_null(l.item)},
                     {"description", text_or_null(l.description)},
                     {"quantity", text_or_null(l.quantity)},
                     {"unit_price", text_or_null(l.unit_price)},
                     {"amount", money_json(l.amount, currency)},
                     {"tax", optional_money(l.tax, currency)}});
  for (const AppliedRow& a : d.applied)
    applied.push_back({{"kind", a.kind},
                       {a.kind == "payment" ? "payment_id" : "credit_memo_id", a.from_id},
                       {"number", text_or_null(a.from_number)},
                       {"date", text_or_null(a.date)},
                       {"amount", money_json(a.amount, a.currency)}});
  for (const DisputeRow& x : d.disputes)
    disputes.push_back({{"id", x.id},
                        {"portal_id", x.portal_id},
                        {"reason_code", x.reason_code},
                        {"status", x.status},
                        {"text", text_or_null(x.text)},
                        {"amount", x.amount ? money_json(x.amount->minor, x.amount->currency) : json()},
                        {"created_at", x.created_at}});
  for (const PromiseRow& p : d.promises)
    promises.push_back({{"id", p.id},
                        {"portal_id", p.portal_id},
                        {"promised_date", p.promised_date},
                        {"status", p.status},
                        {"amount", money_json(p.amount.minor, p.amount.currency)},
                        {"invoice_amount", optional_money(p.invoice_amount, p.amount.currency)}});
  for (const PendingPaymentRow& p : d.pending_payments)
    pending.push_back({{"id", p.id},
                       {"portal_id", p.portal_id},
                       {"status", p.status},
                       {"created_at", p.created_at},
                       {"amount", money_json(p.amount, p.currency)}});
  out["lines"] = std::move(lines);
  out["applied"] = std::move(applied);
  out["disputes"] = std::move(disputes);
  out["promises_to_pay"] = std::move(promises);
  out["pending_portal_payments"] = std::move(pending);
  return out;
}

json to_json(const CustomerStatement& s) {
  json currencies = json::array();
  for (const CurrencyStatement& c : s.currencies) {
    json lines = json::array(), applications = json::array();
    for (const StatementLine& l : c.lines)
      lines.push_back({{"date", l.date},
                       {"kind", l.kind},
                       {"id", l.id},
                       {"number", text_or_null(l.number)},
                       {"amount", money_json(l.amount, c.currency)},
                       {"balance", money_json(l.running, c.currency)}});
    for (const StatementApplication& a : c.applications)
      applications.push_back({{"date", a.date},
                              {"kind", a.kind},
                              {"from_number", text_or_null(a.from_number)},
                              {"invoice_number", a.invoice_number},
                              {"amount", money_json(a.amount, c.currency)}});
    const AgingBuckets& g = c.aging;
    currencies.push_back({{"currency", c.currency},
                          {"opening_balance", money_json(c.opening, c.currency)},
                          {"activity", std::move(lines)},
                          {"applications", std::move(applications)},
                          {"closing_balance", money_json(c.closing, c.currency)},
                          {"aging",
                           {{"current", money_json(g.current, c.currency)},
                            {"1-30", money_json(g.days_1_30, c.currency)},
                            {"31-60", money_json(g.days_31_60, c.currency)},
                            {"61-90", money_json(g.days_61_90, c.currency)},
                            {"90+", money_json(g.days_over_90, c.currency)},
                            {"total", money_json(g.total(), c.currency)}}},
                          {"unapplied_credits", money_json(c.unapplied_credits, c.currency)}});
  }
  return {{"customer_id", s.customer_id}, {"from", s.from}, {"as_of", s.as_of}, {"currencies", std::move(currencies)}};
}

json to_json(const DocumentRow& d) {
  return {{"id", d.id},
          {"kind", d.kind},
          {"owner_type", d.owner_type},
          {"owner_id", d.owner_id},
          {"file_name", d.file_name},
          {"media_type", d.media_type},
          {"byte_size", d.byte_size},
          {"sha256", d.sha256},
          {"created_at", d.created_at},
          {"href", "/v1/documents/" + std::to_string(d.id)}};
}

json to_json(const ChangePage& page) {
  json items = json::array();
  for (const ChangeItem& c : page.items) {
    json item = {{"seq", c.seq}, {"type", c.type}, {"id", c.id}, {"deleted", c.deleted}};
    if (!c.erp_id.empty()) item["erp_id"] = c.erp_id;
    if (!c.portal_id.empty()) item["portal_id"] = c.portal_id;
    items.push_back(std::move(item));
  }
  return {{"items", std::move(items)}, {"next", page.next}};
}

}  // namespace arsync
