// xml_writes: the XML API's one write (API.md "XML API", "create ARPYMT"): a Sage Intacct-style
// <create><ARPYMT> read into the same typed PaymentRequest the OData POST makes, so both APIs
// share one set of checks, one idempotency store and one commit (Dataset::write). Also the
// lookup query by the payment's DESCRIPTION (where a client keeps its own key).
// Owned by tools/erp-sim. Pure functions; thread-safe.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "tools/erp-sim/write_request.hpp"

namespace pugi {
class xml_node;
}

namespace arsync::sim {

// <ARPYMT> (the element inside <create>) as a payment request. Intacct names: CUSTOMERID
// (C000001), RECEIPTDATE (MM/DD/YYYY), PAYMENTMETHOD (Printed Check, Credit Card, Online ACH
// Debit, EFT, Cash...), DOCNUMBER (reference), DESCRIPTION (the client's own key: portalRef),
// CURRENCY, ARPYMTDETAILS/ARPYMTDETAIL with RECORDKEY (the invoice's RECORDNO) and
// TRX_PAYMENTAMOUNT. The payment's amount is the sum of its details: an ARPYMT creates no
// advance (Intacct: "use ARADVANCE to create advances"), so it needs at least one detail.
// FINANCIALENTITY and other Intacct fields are accepted and ignored.
std::expected<ParsedWrite, WriteError> parse_xml_payment(const pugi::xml_node& arpymt);

// `DESCRIPTION = 'text'` (a quote inside doubled): the text; nullopt for any other query.
std::optional<std::string> parse_description_query(std::string_view query);

}  // namespace arsync::sim
