// json-http push: one outbox item sent to a REST/OData ERP, and the look-up that finds an item
// the ERP may already have (the json-http connector's push() and lookup()).
//
// A push is ONE request, no retry loop: the outbox worker owns retries, so that every wait is
// persisted and survives a restart. It goes to the stream's push_path ({erp_id}: the ERP id of
// the record the item changes) with push_method, the item's idempotency key in the
// idempotency_header. Outcomes: 2xx -> kDelivered with the ERP's id at push_ref, unless the body
// is not JSON (kUnknown) or carries an error member (kReject: "200 with an error in the body").
// 429 and 503 refuse before acting, 408 means the request never fully arrived -> kRetry
// (Retry-After honoured); 500/502/504 may come after the ERP committed, as may a transport
// error -> kUnknown (looked up before any re-send); other 4xx are the ERP's verdict -> kReject.
//
// The look-up GETs the stream's `lookup` ({key}: the idempotency key as an OData string literal,
// {path}: the stream's path) and reads the first record's push_ref; no record -> nullopt.
//
// Blocking: both block on the network; the outbox worker calls them on its own threads.
// Thread contract: the link's (the connector's; one thread at a time).
#pragma once

#include <arsync/connector.hpp>
#include <optional>
#include <stop_token>
#include <string>

#include "connectors/http_transport.hpp"
#include "connectors/json_http_api.hpp"
#include "connectors/token_bucket.hpp"

namespace arsync {

// What a push or look-up is sent through: the connector's transport, rate limit and settings.
struct JsonHttpLink {
  HttpTransport& transport;
  TokenBucket& bucket;
  std::stop_token stop;
  const JsonHttpSettings& settings;
};

PushResult json_http_push(const JsonHttpLink& link, const JsonHttpStreamSettings& stream,
                          const PushRequest& request);

// The ERP's id of the item with the request's key, nullopt if the ERP has none; kTransient when
// it cannot be asked now (stopped, transport, 429/408/5xx, an answer that is not a records page),
// kPermanent when it refuses. `stream.lookup` must not be empty.
Result<std::optional<std::string>> json_http_lookup(const JsonHttpLink& link, const JsonHttpStreamSettings& stream,
                                                    const PushRequest& request);

}  // namespace arsync
