// xml-http: the built-in connector for SOAP and plain XML-over-HTTP ERP APIs (DESIGN §6), in two
// dialects (xml_http_dialect.hpp): Sage Intacct's XML gateway and NetSuite SuiteTalk SOAP.
//
// Pull: each stream's `request` is the ERP operation (Intacct readByQuery, NetSuite search) with
// {filter} (the stream's `filter` with {cursor} = committed cursor − overlap, in the ERP's own
// time format; empty on a first sync) and {page_size}. The dialect continues the read (readMore
// with the resultId; searchMoreWithId with searchId and pageIndex + 1) until the ERP says nothing
// remains. Records are selected by XPath from a page parsed once; each record's `cursor_field`
// (an XPath inside it) moves the cursor by the same rule as json-http (cursor_text.hpp): the
// filter is inclusive and reaches back by `overlap`; the cursor is kept as the ERP wrote it; it
// moves with each page only when the stream is `ordered`, else at the end of a run.
// Failures: see xml_http_client.hpp; a SOAP Fault or Intacct failure status is a classified
// error naming the ERP's code and words.
// Push: the mapping's XML push body (Intacct <create>, NetSuite <add>) goes in the dialect's
// envelope; Intacct gets the idempotency key as a unique control id. Outcome: Delivered with the
// ERP's id; Retry when the answer proves the ERP did not act (408/429/503, a transient code);
// Unknown when it may have (no answer, cut-off or unreadable answer, 500/502/504, a
// `duplicate_codes` refusal); Reject for anything else the ERP refused. Lookup: the stream's
// `lookup` read with {key} finds the item the outbox is unsure about; `lookup_ref` is its id.
#pragma once

#include "connectors/connector_spec.hpp"

namespace arsync {

const ConnectorSpec& xml_http_spec();

}  // namespace arsync
