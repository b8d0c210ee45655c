// qbo: QuickBooks Online webhooks (developer.intuit.com, "Webhooks"). Intuit signs each POST
// with `intuit-signature`: base64 of HMAC-SHA256 over the raw body, keyed with the app's
// verifier token. Notifications are thin (entity name + id; the daemon pulls the record) and
// come in two shapes, both read here:
//  - classic: {"eventNotifications":[{"realmId":..,"dataChangeEvent":{"entities":[{"name":
//    "Invoice","id":"130","operation":"Update","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}
//    (no event id: one is derived from realm, entity, id, operation and lastUpdated);
//  - CloudEvents (Intuit blog 2025-11-12, "upcoming change to webhooks payload structure"):
//    [{"specversion":"1.0","id":"..","type":"qbo.invoice.updated.v1","time":"..",
//      "intuitentityid":"130","intuitaccountid":"<realm>",...}] (the event's own id is used).
// Entity names differ in case between the two ("Invoice" vs "invoice"): compare
// case-insensitively. Operations are lower-cased; QBO also sends merge, void and emailed.
// Options: verifier_token (secret, required).
#pragma once

#include "connectors/webhook.hpp"

namespace arsync {

const WebhookSchemeSpec& qbo_webhook_spec();

}  // namespace arsync
