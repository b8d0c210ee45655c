// written_json: see written_json.hpp. Field order follows API.md "Writes".
#include "tools/erp-sim/written_json.hpp"

#include <charconv>

#include "tools/erp-sim/json_writer.hpp"

namespace arsync::sim {
namespace {

constexpr std::string_view kPortalPrefixes[kPortalKindCount] = {"DSP-", "PTP-", "MSG-", "CRQ-"};

void write_wire_id(JsonWriter& w, Collection collection, int64_t id) {
  w.raw('"');
  w.raw(record_id(collection, id));
  w.raw('"');
}

void write_keys(JsonWriter& w, std::string_view portal_ref, std::string_view key) {
  w.raw(",\"portalRef\":");
  w.string(portal_ref);
  w.raw(",\"idempotencyKey\":");
  w.string(key);
}

void write_amount(JsonWriter& w, const PortalRecord& r) {
  w.raw(",\"amount\":");
  if (r.amount)
    w.money(*r.amount, r.currency);
  else
    w.raw("null");
  w.raw(",\"currencyCode\":\"");
  w.raw(currency_code(r.currency));
  w.raw('"');
}

void write_invoice_id(JsonWriter& w, const PortalRecord& r) {
  w.raw(",\"invoiceId\":");
  if (r.invoice_ids.empty())
    w.raw("null");
  else
    write_wire_id(w, Collection::kInvoices, r.invoice_ids.front());
}

}  // namespace

void write_written_payment(std::string& out, const WrittenPayment& p, int64_t modified_ms, int revision) {
  JsonWriter w(out);
  w.raw("{\"id\":");
  write_wire_id(w, Collection::kPayments, p.id);
  w.raw(",\"number\":\"PMT-");
  w.raw(std::string_view(record_id(Collection::kPayments, p.id)).substr(4));
  w.raw("\",\"customerId\":");
  write_wire_id(w, Collection::kCustomers, p.customer_id);
  w.raw(",\"paymentDate\":");
  w.date(p.day);
  w.raw(",\"paymentMethod\":\"");
  w.raw(kPaymentMethods[p.method]);
  w.raw("\",\"reference\":");
  // /admin/mutate modify marks the reference with its revision, as for generated payments.
  w.string(revision > 0 ? p.reference + "-R" + std::to_string(revision) : p.reference);
  w.raw(",\"currencyCode\":\"");
  w.raw(currency_code(p.currency));
  w.raw("\",\"amount\":");
  w.money(p.amount, p.currency);
  int64_t applied = 0;
  for (const WrittenApplication& a : p.applications) applied += a.amount;
  w.raw(",\"unappliedAmount\":");
  w.money(p.amount - applied, p.currency);
  w.raw(",\"lastModifiedDateTime\":");
  w.timestamp(modified_ms);
  w.raw(",\"applications\":[");
  for (size_t i = 0; i < p.applications.size(); ++i) {
    w.raw(i == 0 ? "{\"invoiceId\":" : ",{\"invoiceId\":");
    write_wire_id(w, Collection::kInvoices, p.applications[i].invoice_id);
    w.raw(",\"amount\":");
    w.money(p.applications[i].amount, p.currency);
    w.raw(",\"appliedDate\":");
    w.date(p.day);
    w.raw('}');
  }
  w.raw(']');
  write_keys(w, p.portal_ref, p.idempotency_key);
  w.raw('}');
}

void write_portal_record(std::string& out, const PortalRecord& r) {
  JsonWriter w(out);
  w.raw("{\"id\":\"");
  w.raw(portal_record_id(r.kind, r.id));
  w.raw("\",\"customerId\":");
  write_wire_id(w, Collection::kCustomers, r.customer_id);
  switch (r.kind) {
    case PortalKind::kDispute:
      write_invoice_id(w, r);
      w.raw(",\"reasonCode\":");
      w.string(r.reason_code);
      write_amount(w, r);
      w.raw(",\"text\":");
      w.string(r.text);
      w.raw(",\"status\":\"Open\"");
      break;
    case PortalKind::kPromiseToPay:
      w.raw(",\"promisedDate\":");
      w.date(r.day);
      write_amount(w, r);
      w.raw(",\"invoiceIds\":[");
      for (size_t i = 0; i < r.invoice_ids.size(); ++i) {
        if (i > 0) w.raw(',');
        write_wire_id(w, Collection::kInvoices, r.invoice_ids[i]);
      }
      w.raw("],\"status\":\"Open\"");
      break;
    case PortalKind::kMessage:
      write_invoice_id(w, r);
      w.raw(",\"body\":");
      w.string(r.text);
      w.raw(",\"direction\":\"Inbound\"");
      break;
    case PortalKind::kCreditRequest:
      write_invoice_id(w, r);
      write_amount(w, r);
      w.raw(",\"reasonCode\":");
      w.string(r.reason_code);
      w.raw(",\"text\":");
      w.string(r.text);
      w.raw(",\"status\":\"Pending\"");
      break;
  }
  w.raw(",\"lastModifiedDateTime\":");
  w.timestamp(r.created_ms);
  write_keys(w, r.portal_ref, r.idempotency_key);
  w.raw('}');
}

std::string portal_record_id(PortalKind kind, int64_t id) {
  std::string out(kPortalPrefixes[static_cast<int>(kind)]);
  JsonWriter(out).integer(id, 7);
  return out;
}

int64_t parse_portal_record_id(PortalKind kind, std::string_view wire_id) {
  return parse_prefixed_number(kPortalPrefixes[static_cast<int>(kind)], wire_id);
}

int64_t parse_prefixed_number(std::string_view prefix, std::string_view wire_id) {
  if (!wire_id.starts_with(prefix) || wire_id.size() == prefix.size()) return -1;
  wire_id.remove_prefix(prefix.size());
  int64_t id = -1;
  const auto [end, ec] = std::from_chars(wire_id.data(), wire_id.data() + wire_id.size(), id);
  return ec == std::errc() && end == wire_id.data() + wire_id.size() && id > 0 ? id : -1;
}

}  // namespace arsync::sim
