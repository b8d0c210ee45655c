// json-http API: the ERP's REST/OData API as one json-http connector is configured to see it —
// the two option tables (what `arsync --help-config` prints) parsed once into typed settings,
// the URLs built under base_url from a stream's templates, and how the ERP's refusal of a GET
// is classified. Shared by the pull side (json_http_connector.cpp) and the push side
// (json_http_push.hpp); the pull/push contract is json_http_connector.hpp's.
// Plain values and functions; no thread contract.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "connectors/connector_spec.hpp"
#include "connectors/request_template.hpp"
#include "connectors/retry_policy.hpp"
#include "connectors/url.hpp"

namespace arsync {

struct JsonHttpStreamSettings {
  std::string path, records, next_link, cursor_field, filter, ids_filter;
  bool ordered = true;
  std::string push_path, push_method, push_ref, idempotency_header, lookup;
  std::string content;
  std::int64_t page_size = 0;  // 0: the connector's
};

struct JsonHttpSettings {
  Url base;
  std::string auth_header;  // "Bearer …" / "Basic …", or ""
  std::int64_t page_size = 1000;
  std::string page_size_param, filter_param;
  std::chrono::milliseconds timeout{};
  std::chrono::milliseconds overlap{};
  RetryPolicy retry;
  std::int64_t requests_per_second = 0;
  std::int64_t ids_per_request = 50;
  HttpTransportOptions transport;
  std::map<std::string, JsonHttpStreamSettings, std::less<>> streams;
};

std::span<const OptionSpec> json_http_options();
std::span<const OptionSpec> json_http_stream_options();

// `config`, already checked against the two tables, as settings; InvalidInput naming the
// connector or stream and the option's config place for what the schema cannot express (an
// unknown auth, bearer without a token, a push_method other than POST/PATCH/PUT, ...).
Result<JsonHttpSettings> read_json_http_settings(const ConnectorConfig& config);

// {base_url}/{path}; `path` may carry a query whose values are not yet encoded (spaces).
std::string collection_url(const Url& base, std::string_view path);

// `text` as it goes between the quotes of an OData string literal: each quote doubled
// (O'Brien -> O''Brien), so a key, id or ERP id never ends the literal early.
std::string odata_string_content(std::string_view text);

// The ERP's non-2xx answer to a GET as an Error: 429, 408 and 5xx are kTransient (retried),
// any other status kPermanent with the start of the ERP's words.
Error classify_refusal(const HttpResponse& response, const std::string& url);

}  // namespace arsync
