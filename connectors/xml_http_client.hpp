// XmlHttpClient: xml-http's I/O — one XML call to the ERP through the injected HttpTransport,
// with the retry policy and rate limit, answered as a parsed document or a classified Error.
//
// A call's answer is parsed once (pugixml) and checked by the dialect for a failure written in
// the body (a SOAP Fault, Intacct's <status>failure</status>): ERPs report errors with HTTP 200
// as often as with 4xx/5xx. Transport errors, 408, 429 (Retry-After honoured), 5xx, a body that
// is not well-formed XML (truncated, a proxy's HTML page) and transient ERP faults are retried;
// a permanent fault ends the call at once with the ERP's words. Owned by one connector; used by
// one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "connectors/connector_spec.hpp"
#include "connectors/retry_policy.hpp"
#include "connectors/token_bucket.hpp"
#include "connectors/xml_http_dialect.hpp"

namespace arsync {

struct XmlClientSettings {
  std::string url;          // the endpoint every call is POSTed to
  std::string name;         // the connector's name, for logs
  std::string auth_header;  // "Basic …"/"Bearer …" for APIs that want HTTP auth too; "" = none
  std::chrono::milliseconds timeout{60'000};
  RetryPolicy retry;
  std::int64_t requests_per_second = 0;
  std::set<std::string, std::less<>> transient_codes;  // added to the dialect's own
};

class XmlHttpClient {
 public:
  XmlHttpClient(XmlClientSettings settings, const XmlDialect& dialect, const ConnectorContext& context,
                std::unique_ptr<HttpTransport> transport);

  // `call` with retries; the document when the ERP answered success.
  Result<std::shared_ptr<pugi::xml_document>> call(const XmlCall& call, const std::string& control_id,
                                                   std::int64_t page_size);

  // `call` once (a push: the outbox decides about retries). On success: the answer; otherwise the
  // classified failure and any Retry-After.
  struct Once {
    Result<std::shared_ptr<pugi::xml_document>> answer;
    std::optional<std::chrono::milliseconds> retry_after;
    bool restart = false;  // transient, but repeating the same request cannot cure it
    int http_status = 0;   // 0: no answer at all (the request may or may not have arrived)
    bool written_failure = false;    // the ERP wrote its failure in a readable body
    std::vector<std::string> codes;  // ... with these error codes
  };
  Once call_once(const XmlCall& call, const std::string& control_id, bool unique, std::int64_t page_size);

 private:
  bool wait_before_retry(int failed_attempts, const Error& last,
                         std::optional<std::chrono::milliseconds> hint);

  // Constant after construction
  XmlClientSettings settings_;
  const XmlDialect& dialect_;
  ConnectorContext context_;

  // Touched only by the calling thread
  std::unique_ptr<HttpTransport> transport_;
  TokenBucket bucket_;
  std::mt19937_64 rng_;
};

}  // namespace arsync
