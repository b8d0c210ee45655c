// odata_query: request-target parsing for the OData-style collections: URL decoding, the
// query options API.md documents ($top, $filter on lastModifiedDateTime, $skiptoken) and the
// opaque skiptoken, plus URL encoding for @odata.nextLink. Owned by tools/erp-sim. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/erp-sim/dataset.hpp"

namespace arsync::sim {

inline constexpr size_t kDefaultTop = 1000;
inline constexpr size_t kMaxTop = 20000;

// A request target split into its decoded path and decoded query options, in order.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> options;
};

// Percent-decodes `text`; in a query, '+' also means a space. Fails on a bad escape.
std::expected<std::string, std::string> url_decode(std::string_view text, bool plus_is_space);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);
std::expected<Target, std::string> parse_target(std::string_view target);

// The collection query options of one request.
struct CollectionQuery {
  size_t top = kDefaultTop;  // clamped to kMaxTop
  std::optional<RecordKey> after;
  int64_t since_ms = INT64_MIN;
  std::string filter;  // decoded $filter text, echoed into nextLink
  // $filter=idempotencyKey|portalRef eq '<value>' (the write lookup) instead of a time filter.
  std::optional<WriteLookup> lookup;
  // From `$filter=id in ('INV-0000001','INV-0000002')`: a targeted read of these records.
  std::optional<std::vector<std::string>> ids;
};

// Reads $top, $filter and $skiptoken; an unknown or malformed option is an error that says
// what is wrong (the caller answers 400).
std::expected<CollectionQuery, std::string> parse_collection_query(const Target& target);

std::string encode_skiptoken(const RecordKey& key);

// The generator ids of `wire_ids` in `collection` ("INV-0000042" -> 42); ids of another
// collection or of no shape at all name no record and are left out.
std::optional<std::vector<int64_t>> generator_ids(Collection collection,
                                                  const std::optional<std::vector<std::string>>& wire_ids);

}  // namespace arsync::sim
