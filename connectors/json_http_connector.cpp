#include "connectors/json_http_connector.hpp"

#include <random>

#include "connectors/cursor_text.hpp"
#include "connectors/hmac.hpp"
#include "connectors/json_http_api.hpp"
#include "connectors/json_http_push.hpp"
#include "connectors/token_bucket.hpp"
#include "mapping/json_reader.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

class JsonHttpConnector final : public Connector {
 public:
  JsonHttpConnector(std::string name, JsonHttpSettings settings, const ConnectorContext& context)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        context_(context),
        transport_(context.make_transport(settings_.transport)),
        bucket_(static_cast<double>(settings_.requests_per_second), *context.clock),
        rng_(std::random_device{}()) {}

  Result<Page> pull(const PullRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end())
      return fail(ErrorKind::kInvalidInput, "connector " + name_ + " has no stream '" + request.stream + "'");
    auto url = page_url(stream->second, request);
    if (!url) return fail(url.error());
    auto parsed = fetch(*url, stream->second);
    if (!parsed) return fail(parsed.error());
    if (!stream->second.content.empty())
      for (Record& record : parsed->records)
        if (auto ok = attach_content(stream->second, record); !ok) return fail(ok.error());
    if (!request.ids.empty()) return Page{std::move(parsed->records), request.cursor, parsed->next_link.value_or("")};
    return make_page(stream->second, request, std::move(*parsed));
  }

  std::size_t max_ids_per_pull(const std::string& stream) const override {
    auto found = settings_.streams.find(stream);
    if (found == settings_.streams.end() || found->second.ids_filter.empty()) return 0;
    return static_cast<std::size_t>(settings_.ids_per_request);
  }

  PushResult push(const PushRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end())
      return {PushStatus::kReject, "", "connector " + name_ + " has no stream '" + request.stream + "'", {}};
    return json_http_push(link(), stream->second, request);
  }

  Result<std::optional<std::string>> lookup(const PushRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end() || stream->second.lookup.empty())
      return Connector::lookup(request);
    return json_http_lookup(link(), stream->second, request);
  }

 private:
  JsonHttpLink link() { return {*transport_, bucket_, context_.stop, settings_}; }

  Result<std::string> page_url(const JsonHttpStreamSettings& stream, const PullRequest& request) const {
    if (!request.page_token.empty()) {
      // Follow the ERP's next link, but never send our credentials to another origin.
      auto next = resolve_url(settings_.base, request.page_token);
      if (!next) return fail(next.error());
      if (!next->same_origin(settings_.base))
        return fail(ErrorKind::kPermanent, "next link points to " + next->origin() +
                                               ", not to the configured " + settings_.base.origin() +
                                               "; refusing to send credentials there");
      return next->origin() + next->target;
    }
    std::string url = collection_url(settings_.base, stream.path);
    url += stream.path.find('?') == std::string::npos ? '?' : '&';
    url += percent_encode(settings_.page_size_param) + "=" +
           std::to_string(stream.page_size > 0 ? stream.page_size : settings_.page_size);
    if (!request.ids.empty()) {
      auto filter = ids_filter(stream, request);
      if (!filter) return fail(filter.error());
      return url + "&" + percent_encode(settings_.filter_param) + "=" + percent_encode(*filter);
    }
    if (!request.cursor.empty() && !stream.cursor_field.empty()) {
      auto cursor = parse_iso8601(request.cursor);
      if (!cursor)
        return fail(ErrorKind::kInvalidInput, "stored cursor is unreadable: " + cursor.error().message);
      std::string from = iso_.format(*cursor - settings_.overlap, request.cursor);
      std::string filter =
          expand_template(expand_template(stream.filter, "cursor_field", stream.cursor_field), "cursor", from);
      url += "&" + percent_encode(settings_.filter_param) + "=" + percent_encode(filter);
    }
    return url;
  }

  // The stream's ids_filter with {ids} as OData string literals: 'INV-1','O''Brien'.
  Result<std::string> ids_filter(const JsonHttpStreamSettings& stream, const PullRequest& request) const {
    if (stream.ids_filter.empty())
      return fail(ErrorKind::kInvalidInput,
                  "connector " + name_ + " stream " + request.stream + " has no ids_filter for targeted reads");
    if (request.ids.size() > static_cast<std::size_t>(settings_.ids_per_request))
      return fail(ErrorKind::kInvalidInput, "a targeted read names " + std::to_string(request.ids.size()) +
                                                " ids; ids_per_request allows " +
                                                std::to_string(settings_.ids_per_request));
    std::string list;
    for (const std::string& id : request.ids) {
      list += list.empty() ? "'" : ",'";
      list += odata_string_content(id) + "'";
    }
    return expand_template(stream.ids_filter, "ids", list);
  }

  // One page GET with the retry policy (get_with_retries); the body is parsed inside the retry
  // loop, so a cut-off body is a transient failure.
  Result<JsonPage> fetch(const std::string& url, const JsonHttpStreamSettings& stream) {
    return get_with_retries<JsonPage>(url, "application/json", [&](HttpResponse& response) -> Result<JsonPage> {
      auto parsed = read_json_page(response.body, stream.records, stream.next_link);  // parses in place
      if (parsed) return parsed;
      return fail(ErrorKind::kTransient, "response is not valid JSON: " + parsed.error().message, url);
    });
  }

  // Downloads the record's file (stream option content:) and adds it to the record with its
  // media type, size and SHA-256, computed here from the bytes received so they always agree.
  // A file the ERP no longer has (404) is left off: the mapping then rejects the record, naming
  // the missing field; any other failure ends the pull (the cursor stays before this page).
  Result<void> attach_content(const JsonHttpStreamSettings& stream, Record& record) {
    std::string path;
    for (std::size_t at = 0; at < stream.content.size();) {
      const std::size_t open = stream.content.find('{', at), close = stream.content.find('}', open);
      if (open == std::string::npos || close == std::string::npos) {
        path += stream.content.substr(at);
        break;
      }
      path += stream.content.substr(at, open - at);
      const Node* member = record.root.find(std::string_view(stream.content).substr(open + 1, close - open - 1));
      if (member == nullptr || !member->is_scalar() || member->text().empty()) return {};  // the mapping says why
      path += percent_encode(member->text());
      at = close + 1;
    }
    const std::string url = collection_url(settings_.base, path);
    auto file = get_with_retries<HttpResponse>(
        url, "*/*", [](HttpResponse& r) -> Result<HttpResponse> { return std::move(r); }, true);
    if (!file) return fail(file.error());
    if (file->status == 404) return {};
    std::string type(file->header("Content-Type"));
    const std::string digest = to_hex(sha256(file->body));
    const std::string size = std::to_string(file->body.size());
    record.root.add("_content", Node::Type::kString, file->body);
    record.root.add("_contentType", Node::Type::kString, type);
    record.root.add("_contentLength", Node::Type::kNumber, size);
    record.root.add("_contentSha256", Node::Type::kString, digest);
    return {};
  }

  // One GET with the retry policy: transport errors, 408, 429, 5xx and what `read` calls
  // transient are retried; any other non-2xx ends the pull as kPermanent with the ERP's words.
  // With `answer_404`, a 404 is handed to `read` too (a file that is gone is an answer, not a failure).
  template <class T, class Read>
  Result<T> get_with_retries(const std::string& url, const char* accept, Read read, bool answer_404 = false) {
    HttpRequest request{"GET", url, {{"Accept", accept}}, {}};
    if (!settings_.auth_header.empty()) request.headers.emplace_back("Authorization", settings_.auth_header);
    Error last{ErrorKind::kTransient, "no attempt made", url};
    for (int attempt = 1; attempt <= settings_.retry.max_attempts; ++attempt) {
      if (attempt > 1 && !wait_before_retry(attempt - 1, last)) break;
      if (!bucket_.acquire(context_.stop)) break;
      auto response = transport_->send(request, settings_.timeout);
      if (!response) {
        last = response.error();
        continue;
      }
      if ((response->status >= 200 && response->status < 300) || (answer_404 && response->status == 404)) {
        auto result = read(*response);
        if (result || result.error().kind != ErrorKind::kTransient) return result;
        last = result.error();
        continue;
      }
      last = classify(*response, url);
      if (last.kind == ErrorKind::kPermanent) return fail(last);
    }
    if (context_.stop.stop_requested()) return fail(ErrorKind::kTransient, "stopped while retrying", url);
    last.message =
        "gave up after " + std::to_string(settings_.retry.max_attempts) + " attempts: " + last.message;
    return fail(last);
  }

  // Also keeps a 429's Retry-After for the next wait_before_retry().
  Error classify(const HttpResponse& response, const std::string& url) {
    retry_after_.reset();
    if (response.status == 429)
      retry_after_ = parse_retry_after(response.header("Retry-After"), std::chrono::system_clock::now());
    return classify_refusal(response, url);
  }

  bool wait_before_retry(int failed_attempts, const Error& last) {
    auto delay =
        retry_after_ ? settings_.retry.honour(*retry_after_) : settings_.retry.backoff(failed_attempts, rng_);
    retry_after_.reset();
    log(LogLevel::kWarn, "pull_retry",
        {{"connector", name_},
         {"attempt", failed_attempts + 1},
         {"delay_ms", delay.count()},
         {"error", last.describe()}});
    return context_.clock->sleep_for(delay, context_.stop);
  }

  // An ordered ERP serves records in cursor order, so a page's cursor is the greatest value seen
  // so far and committing it never passes a record this run has not read yet. For an unordered
  // one the cursor stays put until the run's last page, then jumps to the run's greatest value.
  Page make_page(const JsonHttpStreamSettings& stream, const PullRequest& request, JsonPage parsed) {
    Page page;
    page.next_page_token = parsed.next_link.value_or("");
    if (request.page_token.empty()) run_.begin(iso_, request.cursor);
    if (!stream.cursor_field.empty())
      for (const Record& record : parsed.records) {
        const Node* field = record.root.find(stream.cursor_field);
        if (field && field->is_scalar()) run_.see(iso_, field->text());  // else the mapping decides
      }
    page.cursor = run_.page_cursor(stream.ordered, page.next_page_token.empty());
    page.records = std::move(parsed.records);
    return page;
  }

  // Constant after construction
  std::string name_;
  JsonHttpSettings settings_;
  ConnectorContext context_;

  // Touched only by the thread calling pull()
  std::unique_ptr<HttpTransport> transport_;
  TokenBucket bucket_;
  std::mt19937_64 rng_;
  std::optional<std::chrono::milliseconds> retry_after_;
  const CursorFormat iso_;  // OData times: ISO 8601
  RunCursor run_;           // the current run's cursor (cursor_text.hpp)
};

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  auto settings = read_json_http_settings(config);
  if (!settings) return fail(settings.error());
  return std::unique_ptr<Connector>(
      std::make_unique<JsonHttpConnector>(config.name, std::move(*settings), context));
}

}  // namespace

const ConnectorSpec& json_http_spec() {
  static const ConnectorSpec spec{
      "json-http", "REST/OData JSON APIs: bearer or basic auth, next-link paging, modified-since delta",
      json_http_options(), json_http_stream_options(), &create,
  };
  return spec;
}

}  // namespace arsync
