#include "connectors/xml_http_client.hpp"

#include <pugixml.hpp>

#include "schema/log.hpp"

namespace arsync {
namespace {

bool retryable_status(int status) { return status == 408 || status == 429 || status >= 500; }

}  // namespace

XmlHttpClient::XmlHttpClient(XmlClientSettings settings, const XmlDialect& dialect,
                             const ConnectorContext& context, std::unique_ptr<HttpTransport> transport)
    : settings_(std::move(settings)),
      dialect_(dialect),
      context_(context),
      transport_(std::move(transport)),
      bucket_(static_cast<double>(settings_.requests_per_second), *context.clock),
      rng_(std::random_device{}()) {}

XmlHttpClient::Once XmlHttpClient::call_once(const XmlCall& call, const std::string& control_id, bool unique,
                                             std::int64_t page_size) {
  const std::string where =
      "POST " + settings_.url + (call.soap_action.empty() ? "" : " (" + call.soap_action + ")");
  HttpRequest request{"POST", settings_.url, dialect_.headers(call),
                      dialect_.envelope(call, control_id, unique, page_size)};
  if (!settings_.auth_header.empty()) request.headers.emplace_back("Authorization", settings_.auth_header);
  if (!bucket_.acquire(context_.stop)) return {fail(ErrorKind::kTransient, "stopped", where), {}, false};
  auto response = transport_->send(request, settings_.timeout);
  if (!response) {
    Error e = response.error();
    if (e.where.empty()) e.where = where;
    return {fail(std::move(e)), {}, false};
  }
  std::optional<std::chrono::milliseconds> retry_after;
  if (response->status == 429)
    retry_after = parse_retry_after(response->header("Retry-After"), std::chrono::system_clock::now());

  // One parse per answer, also of error answers: NetSuite sends its SOAP Faults with HTTP 500.
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed = doc->load_buffer(response->body.data(), response->body.size(),
                                                   pugi::parse_default, pugi::encoding_utf8);
  const bool ok_status = response->status >= 200 && response->status < 300;
  if (parsed) {
    if (auto failure = dialect_.failure(*doc, response->status, settings_.transient_codes)) {
      failure->error.where = where;
      return {fail(std::move(failure->error)), retry_after, failure->restart, response->status, true,
              std::move(failure->codes)};
    }
    if (ok_status) return {std::move(doc), retry_after, false, response->status};
  }
  std::string excerpt = response->body.substr(0, 300);
  if (ok_status)
    return {fail(ErrorKind::kTransient,
                 "the answer is not well-formed XML at byte " + std::to_string(parsed.offset) + " (" +
                     parsed.description() + "); truncated or not XML",
                 where),
            retry_after, false, response->status};
  if (retryable_status(response->status))
    return {fail(ErrorKind::kTransient, "ERP answered " + std::to_string(response->status) + ": " + excerpt,
                 where),
            retry_after, false, response->status};
  return {fail(ErrorKind::kPermanent,
               "ERP refused the request with " + std::to_string(response->status) + ": " + excerpt, where),
          retry_after, false, response->status};
}

Result<std::shared_ptr<pugi::xml_document>> XmlHttpClient::call(const XmlCall& call,
                                                                const std::string& control_id,
                                                                std::int64_t page_size) {
  Error last{ErrorKind::kTransient, "no attempt made", settings_.url};
  std::optional<std::chrono::milliseconds> hint;
  for (int attempt = 1; attempt <= settings_.retry.max_attempts; ++attempt) {
    if (attempt > 1 && !wait_before_retry(attempt - 1, last, hint)) break;
    Once once = call_once(call, control_id, false, page_size);
    if (once.answer) return once.answer;
    last = once.answer.error();
    hint = once.retry_after;
    if (last.kind != ErrorKind::kTransient || once.restart) return fail(last);
  }
  if (context_.stop.stop_requested())
    return fail(ErrorKind::kTransient, "stopped while retrying", last.where);
  last.message =
      "gave up after " + std::to_string(settings_.retry.max_attempts) + " attempts: " + last.message;
  return fail(last);
}

bool XmlHttpClient::wait_before_retry(int failed_attempts, const Error& last,
                                      std::optional<std::chrono::milliseconds> hint) {
  auto delay = hint ? settings_.retry.honour(*hint) : settings_.retry.backoff(failed_attempts, rng_);
  log(LogLevel::kWarn, "pull_retry",
      {{"connector", settings_.name},
       {"attempt", failed_attempts + 1},
       {"delay_ms", delay.count()},
       {"error", last.describe()}});
  return context_.clock->sleep_for(delay, context_.stop);
}

}  // namespace arsync
