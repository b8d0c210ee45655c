// json-http: the built-in connector for REST/OData JSON ERP APIs (Business Central style).
//
// Pull: GET {base_url}/{path}?$top=N&$filter={cursor_field} ge {cursor − overlap}, then follow
// the response's next link until there is none. The cursor is the greatest cursor_field value
// seen, kept at the ERP's own precision; the filter is inclusive and reaches back by `overlap`
// (ERP clock skew, same-millisecond writes), so no record on a cursor boundary is ever skipped
// — the mirror's idempotent upsert absorbs the re-read duplicates.
// Failures: transport errors, 408, 429 and 5xx are retried with exponential backoff and full
// jitter (429 honours Retry-After); other 4xx fail the pull as kPermanent. A page whose body
// does not parse (truncated, not JSON) is retried and never half-applied.
// Targeted reads (PullRequest::ids, a thin webhook's records): GET {path}?$top=N&$filter=
// {ids_filter with {ids} = 'id1','id2',…}, following next links; at most ids_per_request ids per
// request, the cursor unchanged. A stream without ids_filter cannot read by id
// (max_ids_per_pull() is 0) and the engine pulls its delta instead.
// Push and look-up of outbox items: json_http_push.hpp. Options, settings and the URLs built
// under base_url: json_http_api.hpp.
#pragma once

#include "connectors/connector_spec.hpp"

namespace arsync {

const ConnectorSpec& json_http_spec();

}  // namespace arsync
