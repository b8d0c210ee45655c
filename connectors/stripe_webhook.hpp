// stripe: a Stripe-style signed webhook (docs.stripe.com, "Verify webhook signatures
// manually"). The header (default Stripe-Signature) is `t=<unix seconds>,v1=<hex>[,v1=…]`; each
// v1 is a candidate HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint secret (several
// during secret rotation; other schemes such as v0 are ignored). Signature first: no matching
// v1 -> 401. A valid signature whose timestamp is more than `tolerance` (default 300 s, Stripe's
// libraries' default) away from now, either way, is a replay: kIgnore (acknowledged 200, not
// stored). Bodies use the generic event format (hmac_webhook.hpp).
// Options: secret (secret, required), tolerance (duration, 300s), header.
#pragma once

#include "connectors/webhook.hpp"

namespace arsync {

const WebhookSchemeSpec& stripe_webhook_spec();

}  // namespace arsync
