// record_json: renders generated records as the JSON objects API.md documents, by hand
// through JsonWriter (the hot path of every collection page). Also the "malformed record"
// spoilers, which are a wire-level fault and so live with the rendering, not the generator.
// Owned by tools/erp-sim. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/erp-sim/generator.hpp"

namespace arsync::sim {

// How a malformed invoice is spoiled (API.md, malformed_rate): in rotation by id.
enum class Spoil : uint8_t { kNone, kBadAmount, kBadDate, kMissingId };

// A customer's profile as changed by portal writes: members set replace the generated values.
struct CustomerPatch {
  std::optional<std::string> email, phone, street, city, state, postal_code, country;
};

void write_customer(std::string& out, const Customer& customer, const CustomerPatch* patch = nullptr);
void write_invoice(std::string& out, const Invoice& invoice, Spoil spoil = Spoil::kNone);
void write_payment(std::string& out, const Payment& payment);
void write_credit_memo(std::string& out, const CreditMemo& memo);

// Pieces the XML API renders identically (record_xml): a customer's e-mail domain
// ("acme-tools-1.example"), a name as an e-mail local part ("pat"), an invoice's status word.
void write_customer_domain(std::string& out, const Customer& customer);
void write_email_local(std::string& out, std::string_view word);
std::string_view invoice_status_text(InvoiceStatus status);

}  // namespace arsync::sim

namespace arsync::sim {

// The collection's name on the wire ("creditMemos") and back.
std::string_view collection_name(Collection collection);
std::optional<Collection> collection_from_name(std::string_view name);

// A record's wire id ("INV-0000042").
std::string record_id(Collection collection, int64_t id);

}  // namespace arsync::sim
