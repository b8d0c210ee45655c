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
};

// Reads $top, $filter and $skiptoken; an unknown or malformed option is an error that says
// what is wrong (the caller answers 400).
std::expected<CollectionQuery, std::string> parse_collection_query(const Target& target);

std::string encode_skiptoken(const RecordKey& key);

}  // namespace arsync::sim
