// Webhooks: how an ERP's push notifications are verified and read (DESIGN §4 "Webhooks").
//
// A WebhookScheme is one ERP's way of signing and shaping its notifications (QuickBooks Online
// intuit-signature, Xero x-xero-signature, Business Central's validationToken/clientState,
// Stripe-style `t=…,v1=…`, a generic HMAC-SHA256 header). The daemon's HTTP server hands it the
// request exactly as received — the raw body bytes, before any parsing, because re-serialised
// JSON breaks signatures — and acts on the verdict:
//   kAccept     -> store the raw event in the inbox, commit, then answer `status` (2xx);
//   kChallenge  -> answer `status`/`body` at once, store nothing (Xero intent-to-receive, BC
//                  validationToken handshake);
//   kReject     -> answer 401, store nothing (bad or missing signature);
//   kIgnore     -> answer 2xx, store nothing (a replay outside the timestamp tolerance).
// Only after the inbox commit are events read (read_events), asynchronously: a thin event
// names ids for a targeted pull; a fat one carries the record itself.
//
// Schemes are stateless after construction and thread-safe. Secrets live in the scheme and are
// never logged. HMAC via OpenSSL; signatures compared in constant time (CRYPTO_memcmp).
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector_spec.hpp"
#include "connectors/http_transport.hpp"
#include "schema/result.hpp"

namespace arsync {

struct WebhookRequest {
  std::string method;  // "POST", or "GET" for some handshakes
  std::string target;  // path and query as received: "/webhooks/qbo?validationToken=abc"
  HttpHeaders headers;
  std::string body;  // raw bytes, untouched
};

enum class WebhookVerdict { kAccept, kChallenge, kReject, kIgnore };

struct WebhookCheck {
  WebhookVerdict verdict = WebhookVerdict::kReject;
  int status = 401;  // the HTTP status to answer
  std::string body;  // the answer's body (a challenge echo), usually empty
  std::string content_type = "text/plain";
  std::string reason;    // why, for logs and metrics (never contains a secret)
  std::string event_id;  // a delivery id read from a header (hmac-sha256's event_id_header), else ""
};

// One change an ERP notified us of.
struct WebhookEvent {
  std::string event_id;              // the ERP's id for the notification (dedupe key); derived when absent
  std::string entity;                // the ERP's entity name ("Invoice", "INVOICE", "salesInvoices")
  std::string operation;             // "create", "update", "delete" (lower-case), or "" if unknown
  std::vector<std::string> erp_ids;  // records concerned: a thin event's targeted pull
  std::string payload;               // a fat event's record as JSON text, else ""
  std::string occurred_at;           // ISO 8601 UTC if the ERP says, else ""
  // Business Central only: the subscription's expirationDateTime (BC subscriptions expire after
  // 3 days and must be renewed by a PATCH before then), else "".
  std::string subscription_expires_at;
};

class WebhookScheme {
 public:
  virtual ~WebhookScheme() = default;
  // Verifies a request; `now` is injected so tolerance windows are tested on a fixed clock.
  virtual WebhookCheck verify(const WebhookRequest& request,
                              std::chrono::system_clock::time_point now) const = 0;
  // Reads the events of an accepted body (kInvalidInput for a body that is not this ERP's shape).
  virtual Result<std::vector<WebhookEvent>> read_events(const std::string& body) const = 0;
};

// A scheme described as data, like connectors: a name, its options (secrets as kSecret) and a
// factory. Listed in one table in webhook_schemes.cpp.
struct WebhookSchemeSpec {
  std::string_view name;  // "qbo", "xero", "business-central", "stripe", "hmac-sha256"
  std::string_view description;
  std::span<const OptionSpec> options;
  Result<std::unique_ptr<WebhookScheme>> (*create)(const OptionValues& options);
};

std::span<const WebhookSchemeSpec* const> webhook_schemes();
const WebhookSchemeSpec* find_webhook_scheme(std::string_view name);

// Building blocks the built-in schemes share (webhook_schemes.cpp).
// A request header by case-insensitive name; nullopt when absent.
std::optional<std::string_view> webhook_header(const WebhookRequest& request, std::string_view name);
WebhookCheck webhook_accept();                    // kAccept, 200, empty body
WebhookCheck webhook_reject(std::string reason);  // kReject, 401
// A stable dedupe id for ERPs whose notifications carry none: hex SHA-256 of the parts, each
// length-prefixed (so ("ab","c") and ("a","bc") differ). A re-delivery derives the same id.
std::string derived_event_id(std::initializer_list<std::string_view> parts);
// An ISO 8601 time with a zone offset ("2015-10-05T14:42:19-0700", "...+02:00") as UTC with a
// "Z"; a time with no zone is taken as UTC (Xero's eventDateUtc). Unparseable text is returned
// unchanged, "" stays "".
std::string utc_timestamp(std::string_view text);
std::string ascii_lower(std::string_view text);
// check_options() for a scheme, all problems joined into one kInvalidInput error.
Result<void> check_webhook_options(const OptionValues& values, std::span<const OptionSpec> schema,
                                   std::string_view scheme);

}  // namespace arsync
