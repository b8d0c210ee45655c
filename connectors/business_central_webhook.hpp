// business-central: Dynamics 365 Business Central webhooks (learn.microsoft.com, "Working with
// webhooks in Dynamics 365 Business Central", API v2.0).
//  - Handshake: on subscription create *and renew* BC calls the notificationUrl with
//    `?validationToken=XYZ` and expects 200 with the token as the plain-text body. verify()
//    answers kChallenge with the (percent-decoded) token; nothing is stored.
//  - Notifications carry no signature header; each item repeats the subscription's
//    `clientState`, the shared secret given when subscribing. Every item's clientState must
//    equal the configured one (constant-time compare), else 401.
//  - Body: {"value":[{"subscriptionId":..,"clientState":..,"expirationDateTime":..,
//    "resource":"api/v2.0/companies(..)/customers(..)","changeType":"updated",
//    "lastModifiedDateTime":..}]}. Thin: the entity is the resource's last segment
//    ("customers"), the id the key in its parentheses. changeType "collection" (BC's "too many
//    changes" summary) has no id: operation "" and no erp_ids mean "pull that entity's delta".
//  - Subscriptions expire after 3 days: every event carries the subscription's
//    expirationDateTime in `subscription_expires_at`, so the daemon can renew (PATCH) in time.
// Options: client_state (secret, required; BC allows up to 2048 characters).
#pragma once

#include "connectors/webhook.hpp"

namespace arsync {

const WebhookSchemeSpec& business_central_webhook_spec();

}  // namespace arsync
