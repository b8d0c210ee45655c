// webhook_message: what one erp-sim webhook delivery looks like on the wire, per scheme: the
// JSON body for a changed record and the signature headers (API.md "Webhooks"). Signatures
// follow the vendors' documents exactly as arsync's schemes verify them
// (connectors/*_webhook.hpp), but are computed here independently with OpenSSL directly, so the
// emitter tests check one implementation against the other.
// Owned by tools/erp-sim. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/erp-sim/generator.hpp"

namespace arsync::sim {

enum class WebhookFormat : uint8_t { kHmacSha256, kStripe, kQbo, kXero };

// "hmac-sha256" | "stripe" | "qbo" | "xero"; false for anything else.
bool parse_webhook_format(std::string_view text, WebhookFormat& out);

enum class WebhookChange : uint8_t { kUpdated, kCreated, kDeleted };

// One change to notify.
struct WebhookEventData {
  std::string event_id;  // unique per event; a duplicate delivery repeats it
  Collection collection = Collection::kInvoices;
  std::string record_id;    // "INV-0000042"
  WebhookChange change = WebhookChange::kUpdated;  // created: admin add; deleted: admin delete
  int64_t modified_ms = 0;  // the record's lastModifiedDateTime
  std::string record_json;  // the record as /odata serves it; "" for a thin event
  uint64_t sequence = 0;    // 1, 2, ...: Xero's event sequence
};

// The request body for `event` in `format`. hmac-sha256 and stripe use the generic format
// (connectors/hmac_webhook.hpp); qbo and xero their vendors' thin shapes (never fat).
std::string webhook_body(WebhookFormat format, const WebhookEventData& event);

using WebhookHeaders = std::vector<std::pair<std::string, std::string>>;

// The signature (and id) headers for `body`; `now_s` is the Unix time Stripe's t= signs.
WebhookHeaders webhook_headers(WebhookFormat format, std::string_view secret, std::string_view body,
                               std::string_view event_id, int64_t now_s);

}  // namespace arsync::sim
