// written_json: renders the records portal writes created (API.md "Writes") as GET serves
// them and as the write answers them: a written payment in the payments collection's shape
// plus portalRef and idempotencyKey, and the portal-only collections (disputes, promisesToPay,
// messages, creditRequests). Owned by tools/erp-sim. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "tools/erp-sim/write_ledger.hpp"

namespace arsync::sim {

// `modified_ms` and `revision` are the payment's current ones (/admin/mutate may modify it).
void write_written_payment(std::string& out, const WrittenPayment& payment, int64_t modified_ms, int revision);
void write_portal_record(std::string& out, const PortalRecord& record);

// A portal record's wire id: "DSP-0000001", "PTP-...", "MSG-...", "CRQ-...".
std::string portal_record_id(PortalKind kind, int64_t id);
// The number in a portal record's wire id; -1 if `wire_id` is not one of `kind`.
int64_t parse_portal_record_id(PortalKind kind, std::string_view wire_id);
// "INV-0000042" with prefix "INV-" -> 42; -1 if the text is not prefix + a positive number.
int64_t parse_prefixed_number(std::string_view prefix, std::string_view wire_id);

}  // namespace arsync::sim
