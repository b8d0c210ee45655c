// xero: Xero webhooks (developer.xero.com, "Configuring your server"). Each POST carries
// `x-xero-signature`: base64 of HMAC-SHA256 over the raw body, keyed with the webhook key.
// Xero wants 200 with no body for a correctly signed request and 401 for a wrong one; its
// "intent to receive" check is just that, on bodies with `"events":[]`, so no special case:
// such a body reads as zero events. Notifications are thin:
//   {"events":[{"resourceUrl":..,"resourceId":..,"eventDateUtc":"2017-06-21T01:15:39.902",
//     "eventType":"UPDATE","eventCategory":"INVOICE","tenantId":..,"tenantType":..}],
//    "firstEventSequence":1,"lastEventSequence":1,"entropy":".."}
// Events carry no id: one is derived from tenant, category, resource, type and time.
// eventDateUtc has no zone designator; it is UTC and gets a "Z".
// Options: webhook_key (secret, required).
#pragma once

#include "connectors/webhook.hpp"

namespace arsync {

const WebhookSchemeSpec& xero_webhook_spec();

}  // namespace arsync
