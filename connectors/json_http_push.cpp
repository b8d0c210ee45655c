#include "connectors/json_http_push.hpp"

#include "mapping/json_reader.hpp"

namespace arsync {
namespace {

// The text at a dotted member path of `node` ("id", "Payment.Id"), or "".
std::string member_text(const Node& node, std::string_view path) {
  const Node* at = &node;
  while (at && !path.empty()) {
    const auto dot = path.find('.');
    at = at->find(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return at && at->is_scalar() ? at->text() : std::string();
}

// The stream's push_path with {erp_id} filled from request.erp_id (the ERP id of the record
// the item changes), percent-encoded; inside '{erp_id}' (an OData key literal) a quote is
// doubled first.
Result<std::string> push_path(const JsonHttpStreamSettings& stream, const PushRequest& request) {
  if (stream.push_path.find("{erp_id}") == std::string::npos) return stream.push_path;
  if (request.erp_id.empty())
    return fail(ErrorKind::kInvalidInput, "stream " + request.stream + "'s push_path " + stream.push_path +
                                              " needs the ERP id of the record item " + request.idempotency_key +
                                              " changes, and the item has none (push_path without {erp_id} "
                                              "creates records)");
  const bool in_literal = stream.push_path.find("'{erp_id}'") != std::string::npos;
  std::string id = in_literal ? odata_string_content(request.erp_id) : request.erp_id;
  return expand_template(stream.push_path, "erp_id", percent_encode(id));
}

// The ERP's answer to a push (the outcomes: json_http_push.hpp).
PushResult classify_push(const HttpResponse& response, const JsonHttpStreamSettings& stream,
                         const std::string& url) {
  const int status = response.status;
  const std::string excerpt = response.body.substr(0, 300);
  if (status >= 200 && status < 300) {
    auto body = parse_json(response.body);
    if (!body) return {PushStatus::kUnknown, "", "the ERP's answer is not JSON: " + body.error().message, {}};
    if (body->find("error"))
      return {PushStatus::kReject, "", "the ERP answered " + std::to_string(status) + " with an error: " + excerpt, {}};
    return {PushStatus::kDelivered, member_text(*body, stream.push_ref), "", {}};
  }
  if (status == 429 || status == 503) {
    auto hint = parse_retry_after(response.header("Retry-After"), std::chrono::system_clock::now());
    return {PushStatus::kRetry, "", "ERP answered " + std::to_string(status) + " at " + url, hint};
  }
  if (status == 408) return {PushStatus::kRetry, "", "ERP answered 408 at " + url, {}};
  if (status >= 500)
    return {PushStatus::kUnknown, "", "ERP answered " + std::to_string(status) + ": " + excerpt, {}};
  return {PushStatus::kReject, "", "ERP refused the item with " + std::to_string(status) + ": " + excerpt, {}};
}

}  // namespace

PushResult json_http_push(const JsonHttpLink& link, const JsonHttpStreamSettings& stream,
                          const PushRequest& request) {
  auto path = push_path(stream, request);
  if (!path) return {PushStatus::kReject, "", path.error().describe(), {}};
  const std::string url = collection_url(link.settings.base, *path);
  HttpRequest http{stream.push_method, url, {{"Accept", "application/json"}}, request.body};
  http.headers.emplace_back("Content-Type", request.content_type.empty() ? "application/json" : request.content_type);
  http.headers.emplace_back(stream.idempotency_header, request.idempotency_key);
  if (!link.settings.auth_header.empty()) http.headers.emplace_back("Authorization", link.settings.auth_header);
  if (!link.bucket.acquire(link.stop)) return {PushStatus::kRetry, "", "stopped before sending", {}};
  auto response = link.transport.send(http, link.settings.timeout);
  if (!response) return {PushStatus::kUnknown, "", response.error().describe(), {}};
  return classify_push(*response, stream, url);
}

Result<std::optional<std::string>> json_http_lookup(const JsonHttpLink& link, const JsonHttpStreamSettings& stream,
                                                    const PushRequest& request) {
  // The key goes into an OData string literal: a quote in it is doubled ('O''Brien').
  const std::string key = odata_string_content(request.idempotency_key);
  const std::string url = collection_url(
      link.settings.base, expand_template(expand_template(stream.lookup, "key", key), "path", stream.path));
  HttpRequest http{"GET", url, {{"Accept", "application/json"}}, {}};
  if (!link.settings.auth_header.empty()) http.headers.emplace_back("Authorization", link.settings.auth_header);
  if (!link.bucket.acquire(link.stop)) return fail(ErrorKind::kTransient, "stopped before the look-up", url);
  auto response = link.transport.send(http, link.settings.timeout);
  if (!response) return fail(response.error());
  if (response->status < 200 || response->status >= 300) return fail(classify_refusal(*response, url));
  auto page = read_json_page(response->body, stream.records, "");
  if (!page) return fail(ErrorKind::kTransient, "look-up answer is not a records page: " + page.error().message, url);
  if (page->records.empty()) return std::optional<std::string>{};
  return std::optional<std::string>(member_text(page->records.front().root, stream.push_ref));
}

}  // namespace arsync
