#include "connectors/json_http_connector.hpp"

#include <random>

#include "connectors/cursor_text.hpp"
#include "connectors/hmac.hpp"
#include "connectors/retry_policy.hpp"
#include "connectors/token_bucket.hpp"
#include "connectors/url.hpp"
#include "mapping/json_reader.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

constexpr OptionSpec kOwnOptions[] = {
    {"base_url", OptionType::kUrl, "", true, "the API root, e.g. https://erp.example.com/api/v2.0"},
    {"auth", OptionType::kString, "none", false, "none, bearer or basic"},
    {"token", OptionType::kSecret, "", false, "bearer token (auth: bearer); use ${ENV} or a credential file"},
    {"username", OptionType::kString, "", false, "user for auth: basic"},
    {"password", OptionType::kSecret, "", false, "password for auth: basic"},
    {"page_size", OptionType::kInteger, "1000", false, "records asked for per request"},
    {"page_size_param", OptionType::kString, "$top", false, "query parameter carrying the page size"},
    {"filter_param", OptionType::kString, "$filter", false, "query parameter carrying the delta filter"},
    {"timeout", OptionType::kDuration, "60s", false, "limit for one whole request, connect to last byte"},
    {"overlap", OptionType::kDuration, "5s", false, "how far each delta read reaches back before the cursor"},
    {"requests_per_second", OptionType::kInteger, "0", false, "client-side rate limit; 0 = none"},
    {"verify_tls", OptionType::kBool, "true", false, "verify the server certificate"},
    {"ca_file", OptionType::kString, "", false, "extra CA bundle (PEM) for a private CA"},
    {"ids_per_request", OptionType::kInteger, "50", false,
     "records named in one targeted read (ids_filter); keeps request URLs short"},
};
constexpr auto kOptions = join_options(kOwnOptions, kRetryOptions);

constexpr OptionSpec kStreamOptions[] = {
    {"path", OptionType::kString, "", true, "collection path under base_url, e.g. salesInvoices"},
    {"records", OptionType::kString, "value", false, "where the records array sits in a response"},
    {"next_link", OptionType::kString, "@odata.nextLink", false, "where the next page's URL sits"},
    {"cursor_field", OptionType::kString, "lastModifiedDateTime", false,
     "ISO 8601 modification time of each record; empty = full read every run"},
    {"filter", OptionType::kString, "{cursor_field} ge {cursor}", false, "delta filter template"},
    {"ordered", OptionType::kBool, "true", false,
     "the ERP returns records in cursor_field order; if false the cursor moves only when a run completes"},
    {"ids_filter", OptionType::kString, "", false,
     "filter reading records by id, e.g. \"id in ({ids})\" ({ids}: quoted, comma-separated); empty = "
     "thin webhooks pull the stream's delta instead"},
    {"push_path", OptionType::kString, "", false,
     "where pushed items are sent; empty = path. {erp_id}: the ERP id of the record the item changes "
     "(a profile change's customer), e.g. customers('{erp_id}')"},
    {"push_method", OptionType::kString, "POST", false,
     "POST (items that create a record), PATCH or PUT (items that change one, with {erp_id} in push_path)"},
    {"push_ref", OptionType::kString, "id", false, "where the ERP's id sits in its answer to a push"},
    {"idempotency_header", OptionType::kString, "Idempotency-Key", false,
     "request header carrying a pushed item's idempotency key"},
    {"lookup", OptionType::kString, "", false,
     "where a pushed item is looked up by its key, e.g. payments?$filter=idempotencyKey eq '{key}'; "
     "empty = the ERP cannot be asked (an unanswered push then waits for an operator)"},
    {"content", OptionType::kString, "", false,
     "each record's file to download, as a path under base_url with {member} from the record, e.g. "
     "invoices('{invoiceId}')/pdf; the record gets _content, _contentType, _contentLength, _contentSha256"},
    {"page_size", OptionType::kInteger, "0", false,
     "records asked for per request on this stream; 0 = the connector's (keep it small with content:)"},
};

struct StreamSettings {
  std::string path, records, next_link, cursor_field, filter, ids_filter;
  bool ordered = true;
  std::string push_path, push_method, push_ref, idempotency_header, lookup;
  std::string content;
  std::int64_t page_size = 0;  // 0: the connector's
};

struct Settings {
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
  std::map<std::string, StreamSettings, std::less<>> streams;
};

Result<Settings> read_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  Settings s;
  std::string base_text = opt.string("base_url");
  while (!base_text.empty() && base_text.back() == '/') base_text.pop_back();
  auto base = parse_url(base_text);
  if (!base) return fail(ErrorKind::kInvalidInput, base.error().message, config.options.at("base_url").where);
  s.base = *base;

  std::string auth = opt.string("auth");
  if (auth == "bearer") {
    if (opt.string("token").empty())
      return fail(ErrorKind::kInvalidInput, "connector " + config.name + ": auth: bearer needs a token",
                  config.where);
    s.auth_header = "Bearer " + opt.string("token");
  } else if (auth == "basic") {
    s.auth_header = "Basic " + to_base64(opt.string("username") + ":" + opt.string("password"));
  } else if (auth != "none") {
    return fail(ErrorKind::kInvalidInput, "connector " + config.name + ": auth must be none, bearer or basic",
                config.where);
  }
  s.page_size = opt.integer("page_size");
  s.page_size_param = opt.string("page_size_param");
  s.filter_param = opt.string("filter_param");
  s.timeout = opt.duration("timeout");
  s.overlap = opt.duration("overlap");
  s.retry = RetryPolicy::from_options(opt);
  s.requests_per_second = opt.integer("requests_per_second");
  s.ids_per_request = opt.integer("ids_per_request");
  if (s.ids_per_request < 1)
    return fail(ErrorKind::kInvalidInput, "connector " + config.name + ": ids_per_request must be at least 1",
                config.options.at("ids_per_request").where);
  s.transport.verify_tls = opt.boolean("verify_tls");
  s.transport.ca_file = opt.string("ca_file");

  for (const StreamConfig& stream : config.streams) {
    OptionReader so(stream.options, kStreamOptions);
    StreamSettings& st = s.streams[stream.name];
    st.path = so.string("path");
    st.records = so.string("records");
    st.next_link = so.string("next_link");
    st.cursor_field = so.string("cursor_field");
    st.filter = so.string("filter");
    st.ids_filter = so.string("ids_filter");
    st.ordered = so.boolean("ordered");
    st.push_path = so.string("push_path");
    st.push_method = so.string("push_method");
    if (st.push_method != "POST" && st.push_method != "PATCH" && st.push_method != "PUT")
      return fail(ErrorKind::kInvalidInput,
                  "connector " + config.name + " stream " + stream.name + ": push_method must be POST, PATCH or PUT, not '" +
                      st.push_method + "'",
                  stream.options.contains("push_method") ? stream.options.at("push_method").where : stream.where);
    st.push_ref = so.string("push_ref");
    st.idempotency_header = so.string("idempotency_header");
    st.lookup = so.string("lookup");
    st.content = so.string("content");
    st.page_size = so.integer("page_size");
    if (st.page_size < 0)
      return fail(ErrorKind::kInvalidInput, "stream " + stream.name + ": page_size must be 0 or more", stream.where);
    if (st.push_path.empty()) st.push_path = st.path;
  }
  return s;
}

// Replaces every "{name}" in `pattern`.
std::string expand(std::string pattern, std::string_view name, std::string_view value) {
  std::string token = "{" + std::string(name) + "}";
  for (auto at = pattern.find(token); at != std::string::npos; at = pattern.find(token, at + value.size()))
    pattern.replace(at, token.size(), value);
  return pattern;
}

class JsonHttpConnector final : public Connector {
 public:
  JsonHttpConnector(std::string name, Settings settings, const ConnectorContext& context)
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

  // One attempt, no retry loop: the outbox worker owns retries, so that every wait is
  // persisted and survives a restart. Only an answer that proves the ERP did not act is kRetry;
  // anything that may have reached it unanswered is kUnknown (looked up before a re-send).
  PushResult push(const PushRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end())
      return {PushStatus::kReject, "", "connector " + name_ + " has no stream '" + request.stream + "'", {}};
    auto path = push_path(stream->second, request);
    if (!path) return {PushStatus::kReject, "", path.error().describe(), {}};
    const std::string url = collection_url(*path);
    HttpRequest http{stream->second.push_method, url, {{"Accept", "application/json"}}, request.body};
    http.headers.emplace_back("Content-Type", request.content_type.empty() ? "application/json" : request.content_type);
    http.headers.emplace_back(stream->second.idempotency_header, request.idempotency_key);
    if (!settings_.auth_header.empty()) http.headers.emplace_back("Authorization", settings_.auth_header);
    if (!bucket_.acquire(context_.stop)) return {PushStatus::kRetry, "", "stopped before sending", {}};
    auto response = transport_->send(http, settings_.timeout);
    if (!response) return {PushStatus::kUnknown, "", response.error().describe(), {}};
    return classify_push(*response, stream->second, url);
  }

  Result<std::optional<std::string>> lookup(const PushRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end() || stream->second.lookup.empty())
      return Connector::lookup(request);
    const StreamSettings& st = stream->second;
    // The key goes into an OData string literal: a quote in it is doubled ('O''Brien').
    std::string key;
    for (char c : request.idempotency_key) key += c == '\'' ? std::string("''") : std::string(1, c);
    const std::string url = collection_url(expand(expand(st.lookup, "key", key), "path", st.path));
    HttpRequest http{"GET", url, {{"Accept", "application/json"}}, {}};
    if (!settings_.auth_header.empty()) http.headers.emplace_back("Authorization", settings_.auth_header);
    if (!bucket_.acquire(context_.stop)) return fail(ErrorKind::kTransient, "stopped before the look-up", url);
    auto response = transport_->send(http, settings_.timeout);
    if (!response) return fail(response.error());
    if (response->status < 200 || response->status >= 300) return fail(classify(*response, url));
    auto page = read_json_page(response->body, st.records, "");
    if (!page) return fail(ErrorKind::kTransient, "look-up answer is not a records page: " + page.error().message, url);
    if (page->records.empty()) return std::optional<std::string>{};
    return std::optional<std::string>(member_text(page->records.front().root, st.push_ref));
  }

 private:
  // {base_url}/{path}; `path` may carry a query whose values are not yet encoded (spaces).
  std::string collection_url(std::string_view path) const {
    std::string url = settings_.base.origin() + settings_.base.target;
    if (url.back() != '/') url += '/';
    for (char c : path) {
      if (c == ' ') url += "%20";
      else if (c == '\'') url += "%27";
      else url += c;
    }
    return url;
  }

  // The stream's push_path with {erp_id} filled from request.erp_id (the ERP id of the record
  // the item changes), percent-encoded; inside '{erp_id}' (an OData key literal) a quote is
  // doubled first.
  Result<std::string> push_path(const StreamSettings& stream, const PushRequest& request) const {
    if (stream.push_path.find("{erp_id}") == std::string::npos) return stream.push_path;
    if (request.erp_id.empty())
      return fail(ErrorKind::kInvalidInput, "stream " + request.stream + "'s push_path " + stream.push_path +
                                                " needs the ERP id of the record item " + request.idempotency_key +
                                                " changes, and the item has none (push_path without {erp_id} "
                                                "creates records)");
    std::string id = request.erp_id;
    if (stream.push_path.find("'{erp_id}'") != std::string::npos) {
      std::string doubled;
      for (char c : id) doubled += c == '\'' ? std::string("''") : std::string(1, c);
      id = std::move(doubled);
    }
    return expand(stream.push_path, "erp_id", percent_encode(id));
  }

  // The text at a dotted member path of `node` ("id", "Payment.Id"), or "".
  static std::string member_text(const Node& node, std::string_view path) {
    const Node* at = &node;
    while (at && !path.empty()) {
      const auto dot = path.find('.');
      at = at->find(path.substr(0, dot));
      path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    }
    return at && at->is_scalar() ? at->text() : std::string();
  }

  // The ERP's answer to a push. 429 and 503 refuse before acting (kRetry); 408 means the
  // request never fully arrived (kRetry); 500/502/504 may come after the ERP committed
  // (kUnknown); other 4xx are its verdict (kReject). A 2xx that carries an error member is a
  // refusal too ("200 with an error in the body").
  PushResult classify_push(const HttpResponse& response, const StreamSettings& stream, const std::string& url) {
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

  Result<std::string> page_url(const StreamSettings& stream, const PullRequest& request) const {
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
    std::string url = settings_.base.origin() + settings_.base.target;
    if (url.back() != '/') url += '/';
    url += stream.path;
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
      std::string filter = expand(expand(stream.filter, "cursor_field", stream.cursor_field), "cursor", from);
      url += "&" + percent_encode(settings_.filter_param) + "=" + percent_encode(filter);
    }
    return url;
  }

  // The stream's ids_filter with {ids} as OData string literals: 'INV-1','O''Brien'.
  Result<std::string> ids_filter(const StreamSettings& stream, const PullRequest& request) const {
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
      for (char c : id) list += c == '\'' ? std::string("''") : std::string(1, c);
      list += '\'';
    }
    return expand(stream.ids_filter, "ids", list);
  }

  // One page GET with the retry policy (get_with_retries); the body is parsed inside the retry
  // loop, so a cut-off body is a transient failure.
  Result<JsonPage> fetch(const std::string& url, const StreamSettings& stream) {
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
  Result<void> attach_content(const StreamSettings& stream, Record& record) {
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
    const std::string url = collection_url(path);
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

  Error classify(const HttpResponse& response, const std::string& url) {
    int status = response.status;
    std::string excerpt = response.body.substr(0, 300);
    retry_after_.reset();
    if (status == 429) {
      retry_after_ = parse_retry_after(response.header("Retry-After"), std::chrono::system_clock::now());
      return {ErrorKind::kTransient, "rate limited (429)", url};
    }
    if (status == 408 || status >= 500)
      return {ErrorKind::kTransient, "ERP answered " + std::to_string(status) + ": " + excerpt, url};
    return {ErrorKind::kPermanent, "ERP refused the request with " + std::to_string(status) + ": " + excerpt,
            url};
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
  Page make_page(const StreamSettings& stream, const PullRequest& request, JsonPage parsed) {
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
  Settings settings_;
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
  auto settings = read_settings(config);
  if (!settings) return fail(settings.error());
  return std::unique_ptr<Connector>(
      std::make_unique<JsonHttpConnector>(config.name, std::move(*settings), context));
}

constexpr ConnectorSpec kSpec{
    "json-http", "REST/OData JSON APIs: bearer or basic auth, next-link paging, modified-since delta",
    kOptions,    kStreamOptions,
    &create,
};

}  // namespace

const ConnectorSpec& json_http_spec() { return kSpec; }

}  // namespace arsync
