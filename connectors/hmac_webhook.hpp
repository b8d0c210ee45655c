// hmac-sha256: the generic webhook scheme (GitHub-style), and the simple fat event format
// erp-sim emits (tools/erp-sim/API.md, "Webhooks").
// Signature: header `header` (default X-Signature) holds HMAC-SHA256 of the raw body keyed
// with `secret`, hex (default) or base64 (`encoding: base64`); an optional "sha256=" prefix is
// accepted. If `event_id_header` is set and present, its value is returned in
// WebhookCheck::event_id (a per-delivery dedupe key for bodies without one).
//
// Event format (one object or an array of them):
//   {"id":"evt-…","type":"invoices.updated","time":"2025-12-01T00:00:01.000Z",
//    "ids":["INV-0000042"],"data":{…the record exactly as GET /odata serves it…}}
//  - type is "<entity>.<created|updated|deleted>" (operation create|update|delete);
//  - data present: a fat event (payload = data); absent: thin, `ids` name what to pull;
//    erp_ids are `ids`, else data.id;
//  - id is the dedupe key (a duplicate delivery repeats it); when absent one is derived.
// Options: secret (secret, required), header, encoding (hex|base64), event_id_header.
#pragma once

#include "connectors/webhook.hpp"

namespace arsync {

const WebhookSchemeSpec& hmac_sha256_webhook_spec();

// Reads the event format above (shared with the stripe scheme, whose bodies use it too).
Result<std::vector<WebhookEvent>> read_generic_events(const std::string& body);

}  // namespace arsync
