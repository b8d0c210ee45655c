// record_xml: renders generated records as the XML API's elements (API.md "XML API"), shaped
// like Sage Intacct's readByQuery results: a lower-case object element (<arinvoice>) holding
// upper-case fields, dates as MM/DD/YYYY and WHENMODIFIED as "MM/DD/YYYY HH:MM:SS" (UTC, whole
// seconds, as Intacct writes it). Written by hand into the page string like record_json (the
// hot path); same data, same malformed-record spoilers. Owned by tools/erp-sim. Stateless;
// thread-safe.
#pragma once

#include <string>

#include "tools/erp-sim/generator.hpp"
#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/write_ledger.hpp"

namespace arsync::sim {

void write_customer_xml(std::string& out, const Customer& customer, const CustomerPatch* patch = nullptr);
void write_invoice_xml(std::string& out, const Invoice& invoice, Spoil spoil = Spoil::kNone);
void write_payment_xml(std::string& out, const Payment& payment);
// A payment the portal wrote (API.md "Writes"), with its current time and revision.
void write_written_payment_xml(std::string& out, const WrittenPayment& payment, int64_t modified_ms,
                               int revision);
void write_credit_memo_xml(std::string& out, const CreditMemo& memo);

// Appends `value` with the XML specials escaped (for element text and attribute values).
void write_xml_text(std::string& out, std::string_view value);

// The XML API's object name of a collection ("ARINVOICE") and back; its element name is the
// lower-case form.
std::string_view xml_object_name(Collection collection);
std::optional<Collection> collection_from_xml_object(std::string_view object);

// "MM/DD/YYYY HH:MM:SS" of a time in ms (the fraction is dropped), and the reverse (nullopt if
// the text is not exactly that shape or not a real date).
std::string xml_timestamp(int64_t millis);
std::optional<int64_t> parse_xml_timestamp(std::string_view text);

}  // namespace arsync::sim
