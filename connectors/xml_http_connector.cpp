#include "connectors/xml_http_connector.hpp"

#include <pugixml.hpp>

#include "connectors/cursor_text.hpp"
#include "connectors/request_template.hpp"
#include "connectors/url.hpp"
#include "connectors/xml_http_client.hpp"
#include "mapping/xml_reader.hpp"

namespace arsync {
namespace {

constexpr OptionSpec kOwnOptions[] = {
    {"base_url", OptionType::kUrl, "", true,
     "the endpoint every call is POSTed to (https://api.intacct.com/ia/xml/xmlgw.phtml, "
     "https://ACCOUNT.suitetalk.api.netsuite.com/services/NetSuitePort_2024_2)"},
    {"dialect", OptionType::kString, "", true, "intacct or netsuite"},
    {"sender_id", OptionType::kString, "", false, "intacct: Web Services sender id"},
    {"sender_password", OptionType::kSecret, "", false, "intacct: Web Services sender password"},
    {"session_id", OptionType::kSecret, "", false, "intacct: an API session id (instead of a user login)"},
    {"company_id", OptionType::kString, "", false, "intacct: company id of the user login"},
    {"user_id", OptionType::kString, "", false, "intacct: Web Services user"},
    {"user_password", OptionType::kSecret, "", false, "intacct: that user's password"},
    {"account", OptionType::kString, "", false, "netsuite: account id (e.g. 1234567 or 1234567_SB1)"},
    {"consumer_key", OptionType::kSecret, "", false, "netsuite: integration record's consumer key"},
    {"consumer_secret", OptionType::kSecret, "", false, "netsuite: integration record's consumer secret"},
    {"token_id", OptionType::kSecret, "", false, "netsuite: access token id (token-based authentication)"},
    {"token_secret", OptionType::kSecret, "", false, "netsuite: access token secret"},
    {"netsuite_version", OptionType::kString, "2024_2", false, "netsuite: WSDL version used in namespaces"},
    {"page_size", OptionType::kInteger, "1000", false,
     "records asked for per page ({page_size}; NetSuite pageSize)"},
    {"timeout", OptionType::kDuration, "120s", false, "limit for one whole call, connect to last byte"},
    {"overlap", OptionType::kDuration, "5s", false, "how far each delta read reaches back before the cursor"},
    {"requests_per_second", OptionType::kInteger, "0", false, "client-side rate limit; 0 = none"},
    {"transient_codes", OptionType::kString, "", false,
     "more ERP error codes or fault names to retry (comma-separated), beside the dialect's own"},
    {"duplicate_codes", OptionType::kString, "", false,
     "ERP error codes (comma-separated) saying a pushed item's unique control id was used before: the "
     "item may exist, so it is looked up, never parked or re-sent blindly"},
    {"verify_tls", OptionType::kBool, "true", false, "verify the server certificate"},
    {"ca_file", OptionType::kString, "", false, "extra CA bundle (PEM) for a private CA"},
};
constexpr auto kOptions = join_options(kOwnOptions, kRetryOptions);

// Keys per detail read: a read's answer stays about one page's size, and a long key list stays
// well inside what a gateway accepts in one function.
constexpr std::size_t kMaxDetailKeys = 100;

constexpr OptionSpec kStreamOptions[] = {
    {"request", OptionType::kString, "", true,
     "the read operation's XML, with {filter}, {cursor} and {page_size} filled in"},
    {"filter", OptionType::kString, "", false, "the delta condition put in {filter} once there is a cursor"},
    {"records", OptionType::kString, "", false, "XPath of the records in a page (default: the dialect's)"},
    {"cursor_field", OptionType::kString, "", false,
     "XPath, inside a record, of its modification time; empty = full read every run"},
    {"cursor_format", OptionType::kString, "iso8601", false,
     "how the ERP writes that time: iso8601, or a pattern like \"%m/%d/%Y %H:%M:%S\" (UTC)"},
    {"ordered", OptionType::kBool, "false", false,
     "the ERP returns records in cursor_field order, so the cursor may move with each page"},
    {"detail_request", OptionType::kString, "", false,
     "a read of whole records by key, with {keys} = up to 100 of a page's keys, comma-separated, e.g. "
     "<read><object>ARINVOICE</object><keys>{keys}</keys><fields>*</fields></read>: Intacct's readByQuery "
     "answers header fields only, its read adds owned lines (ARINVOICEITEMS, ARPYMTDETAILS); empty = none"},
    {"detail_key", OptionType::kString, "RECORDNO", false, "XPath, inside a page's record, of the key detail_request reads"},
    {"lookup", OptionType::kString, "", false,
     "the read that finds a pushed item by its key ({key}, XML-escaped), e.g. <readByQuery><object>ARPYMT"
     "</object><fields>RECORDNO</fields><query>DESCRIPTION = '{key}'</query><pagesize>2</pagesize>"
     "</readByQuery>; empty = the ERP cannot be asked (an unanswered push then waits for an operator)"},
    {"lookup_ref", OptionType::kString, "RECORDNO", false,
     "XPath, inside a record the lookup found, of the ERP's id for it (NetSuite: @internalId)"},
};

struct StreamSettings {
  std::string request, filter, records, lookup, detail_request;
  std::optional<pugi::xpath_query> cursor_field;  // compiled once
  std::optional<pugi::xpath_query> lookup_ref;
  std::optional<pugi::xpath_query> detail_key;
  CursorFormat format;
  bool ordered = false;
};

struct Settings {
  std::string dialect, netsuite_version;
  XmlAuth auth;
  XmlClientSettings client;
  std::int64_t page_size = 1000;
  std::chrono::milliseconds overlap{};
  std::set<std::string, std::less<>> duplicate_codes;
  HttpTransportOptions transport;
  std::map<std::string, StreamSettings, std::less<>> streams;
};

std::set<std::string, std::less<>> split_codes(std::string_view text) {
  std::set<std::string, std::less<>> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace(item);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

// The SOAP action of an operation is its element's name: <search> -> "search", <add> -> "add".
std::string operation_name(std::string_view xml) {
  auto lt = xml.find('<');
  while (lt != std::string_view::npos && lt + 1 < xml.size() && (xml[lt + 1] == '?' || xml[lt + 1] == '!'))
    lt = xml.find('<', lt + 1);
  if (lt == std::string_view::npos) return "";
  auto end = xml.find_first_of(" \t\r\n/>", lt + 1);
  std::string_view name = xml.substr(lt + 1, end == std::string_view::npos ? end : end - lt - 1);
  auto colon = name.find(':');
  return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

// A push body may carry its own XML declaration; inside an envelope it must not.
std::string_view without_declaration(std::string_view body) {
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  if (body.starts_with("<?xml")) {
    auto end = body.find("?>");
    body = end == std::string_view::npos ? body : body.substr(end + 2);
  }
  return body;
}

Result<StreamSettings> read_stream(const StreamConfig& stream) {
  OptionReader so(stream.options, kStreamOptions);
  StreamSettings s;
  s.request = so.string("request");
  s.filter = so.string("filter");
  s.records = so.string("records");
  s.ordered = so.boolean("ordered");
  auto format = CursorFormat::compile(so.string("cursor_format"));
  if (!format) return fail(ErrorKind::kInvalidInput, format.error().message, stream.where);
  s.format = *format;
  s.lookup = so.string("lookup");
  s.detail_request = so.string("detail_request");
  for (auto [option, target] : {std::pair{"cursor_field", &s.cursor_field}, std::pair{"lookup_ref", &s.lookup_ref},
                                std::pair{"detail_key", &s.detail_key}}) {
    const std::string path = so.string(option);
    if (path.empty() || (target == &s.lookup_ref && s.lookup.empty()) ||
        (target == &s.detail_key && s.detail_request.empty()))
      continue;
    try {
      target->emplace(path.c_str());
    } catch (const pugi::xpath_exception& e) {
      return fail(ErrorKind::kInvalidInput,
                  "stream " + stream.name + ": " + option + " \"" + path + "\" is not an XPath: " + e.what(),
                  stream.where);
    }
  }
  if (!s.lookup.empty() && operation_name(s.lookup).empty())
    return fail(ErrorKind::kInvalidInput, "stream " + stream.name + ": lookup must be an XML element", stream.where);
  if (!s.detail_request.empty() && operation_name(s.detail_request).empty())
    return fail(ErrorKind::kInvalidInput, "stream " + stream.name + ": detail_request must be an XML element",
                stream.where);
  if (operation_name(s.request).empty())
    return fail(ErrorKind::kInvalidInput, "stream " + stream.name + ": request must be an XML element",
                stream.where);
  return s;
}

Result<Settings> read_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  Settings s;
  s.dialect = opt.string("dialect");
  s.netsuite_version = opt.string("netsuite_version");
  s.auth = {opt.string("sender_id"),  opt.string("sender_password"), opt.string("session_id"),
            opt.string("company_id"), opt.string("user_id"),         opt.string("user_password"),
            opt.string("account"),    opt.string("consumer_key"),    opt.string("consumer_secret"),
            opt.string("token_id"),   opt.string("token_secret")};
  auto base = parse_url(opt.string("base_url"));
  if (!base) return fail(ErrorKind::kInvalidInput, base.error().message, config.options.at("base_url").where);
  s.client.url = opt.string("base_url");
  s.client.name = config.name;
  s.client.timeout = opt.duration("timeout");
  s.client.retry = RetryPolicy::from_options(opt);
  s.client.requests_per_second = opt.integer("requests_per_second");
  s.client.transient_codes = split_codes(opt.string("transient_codes"));
  s.duplicate_codes = split_codes(opt.string("duplicate_codes"));
  s.page_size = opt.integer("page_size");
  s.overlap = opt.duration("overlap");
  s.transport.verify_tls = opt.boolean("verify_tls");
  s.transport.ca_file = opt.string("ca_file");
  for (const StreamConfig& stream : config.streams) {
    auto st = read_stream(stream);
    if (!st) return fail(st.error());
    s.streams.emplace(stream.name, std::move(*st));
  }
  return s;
}

class XmlHttpConnector final : public Connector {
 public:
  XmlHttpConnector(std::string name, Settings settings, std::unique_ptr<XmlDialect> dialect,
                   const ConnectorContext& context)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        dialect_(std::move(dialect)),
        client_(settings_.client, *dialect_, context, context.make_transport(settings_.transport)) {}

  Result<Page> pull(const PullRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end())
      return fail(ErrorKind::kInvalidInput, "connector " + name_ + " has no stream '" + request.stream + "'");
    const StreamSettings& s = stream->second;
    XmlCall call;
    if (request.page_token.empty()) {
      auto first = first_call(s, request.cursor);
      if (!first) return fail(first.error());
      call = std::move(*first);
    } else {
      call = dialect_->next_call(request.page_token);
    }
    auto doc = client_.call(call, name_ + "-" + request.stream + "-" + std::to_string(++calls_),
                            settings_.page_size);
    if (!doc) return fail(doc.error());
    auto records = select_xml_records(*doc, s.records.empty() ? dialect_->default_records() : s.records);
    if (!records) return fail(records.error());

    Page page;
    page.next_page_token = dialect_->continuation(**doc);
    RunCursor& run = runs_[request.stream];
    if (request.page_token.empty()) run.begin(s.format, request.cursor);
    if (s.cursor_field)
      for (const Record& record : *records)
        run.see(s.format,
                s.cursor_field->evaluate_string(pugi::xpath_node(pugi::xml_node(record.xml_element))));
    page.cursor = run.page_cursor(s.ordered, page.next_page_token.empty());
    if (s.detail_request.empty()) {
      page.records = std::move(*records);
    } else {
      auto whole = read_details(request.stream, s, *records);
      if (!whole) return fail(whole.error());
      page.records = std::move(*whole);
    }
    return page;
  }

  // One attempt, no retry loop: the outbox worker owns retries (persisted, so they survive a
  // restart). The idempotency key is the request's unique control id.
  PushResult push(const PushRequest& request) override {
    std::string_view body = without_declaration(request.body);
    XmlCall call{std::string(body), operation_name(body)};
    auto once = client_.call_once(call, request.idempotency_key, true, 0);
    if (!once.answer) return classify_push(once);
    std::string id = dialect_->created_id(**once.answer);
    return {PushStatus::kDelivered, id, id.empty() ? "delivered; the answer names no id" : "delivered", {}};
  }

  Result<std::optional<std::string>> lookup(const PushRequest& request) override {
    auto stream = settings_.streams.find(request.stream);
    if (stream == settings_.streams.end() || stream->second.lookup.empty()) return Connector::lookup(request);
    const StreamSettings& s = stream->second;
    // The key sits inside the ERP's query literal ('{key}'); quoting rules differ between ERPs,
    // so a key that would need them is refused rather than guessed at (arsync's keys never do).
    if (request.idempotency_key.find_first_of("'\\\"") != std::string::npos)
      return fail(ErrorKind::kPermanent, "item " + request.idempotency_key +
                                             ": its key has a quote or backslash and cannot be looked up");
    const std::string op = expand_template(s.lookup, "key", xml_escape(request.idempotency_key));
    auto doc = client_.call(XmlCall{op, operation_name(op)}, name_ + "-lookup-" + std::to_string(++calls_), 0);
    if (!doc) return fail(doc.error());
    auto records = select_xml_records(*doc, s.records.empty() ? dialect_->default_records() : s.records);
    if (!records) return fail(records.error());
    if (records->empty()) return std::optional<std::string>{};
    const Record& found = records->front();
    std::string id = s.lookup_ref->evaluate_string(pugi::xpath_node(pugi::xml_node(found.xml_element)));
    if (id.empty())
      return fail(ErrorKind::kPermanent, "the lookup of item " + request.idempotency_key +
                                             " found a record without an id at lookup_ref: " + found.raw.substr(0, 200));
    return std::optional<std::string>(std::move(id));
  }

 private:
  Result<XmlCall> first_call(const StreamSettings& s, const std::string& cursor) const {
    std::string from, filter;
    if (!cursor.empty() && s.cursor_field) {
      auto t = s.format.parse(cursor);
      if (!t) return fail(ErrorKind::kInvalidInput, "stored cursor is unreadable: " + t.error().message);
      from = xml_escape(s.format.format(*t - settings_.overlap, cursor));
      filter = expand_template(s.filter, "cursor", from);
    }
    std::string op =
        expand_template(expand_template(expand_template(s.request, "filter", filter), "cursor", from),
                        "page_size", std::to_string(settings_.page_size));
    std::string action = operation_name(op);
    return XmlCall{std::move(op), std::move(action)};
  }

  // The outcome of a push that did not deliver. Only an answer proving the ERP did not act is
  // kRetry (429, 503, 408, a transient code in the body); anything that may have reached it
  // unanswered is kUnknown (no answer, a cut-off or unreadable 2xx or 5xx, Intacct's 5xx
  // "failed mid-process"), and so is a refusal saying the control id was used before. The
  // outbox looks kUnknown items up before any re-send. The ERP's other refusals are kReject.
  PushResult classify_push(const XmlHttpClient::Once& once) const {
    const std::string message = once.answer.error().describe();
    const int status = once.http_status;
    if (status == 0) return {PushStatus::kUnknown, "", message, {}};
    if (status == 429 || status == 503 || status == 408) return {PushStatus::kRetry, "", message, once.retry_after};
    for (const std::string& code : once.codes)
      if (settings_.duplicate_codes.contains(code))
        return {PushStatus::kUnknown, "", "the ERP has seen this control id before: " + message, {}};
    if (!once.written_failure && (status >= 500 || status < 300)) return {PushStatus::kUnknown, "", message, {}};
    if (once.written_failure && dialect_->failure_may_follow_write(status))
      return {PushStatus::kUnknown, "", message, {}};
    if (once.written_failure && once.answer.error().kind == ErrorKind::kTransient)
      return {PushStatus::kRetry, "", message, once.retry_after};
    return {PushStatus::kReject, "", message, {}};
  }

  // The page's records read again whole by their keys (detail_request), in batches of at most
  // kMaxDetailKeys, in the page's order. The cursor was already taken from the headers, so a
  // record changed between the two reads is met again by the next delta. A header without a key
  // is passed on as it is (the mapping rejects it with the reason); a key the read does not return
  // (deleted in between) is left out, as a delta would.
  Result<std::vector<Record>> read_details(const std::string& stream, const StreamSettings& s,
                                           const std::vector<Record>& headers) {
    std::vector<Record> out;
    out.reserve(headers.size());
    std::string keys;
    std::size_t batched = 0;
    auto flush = [&]() -> Result<bool> {
      if (batched == 0) return true;
      const std::string op = expand_template(s.detail_request, "keys", xml_escape(keys));
      auto doc = client_.call(XmlCall{op, operation_name(op)}, name_ + "-" + stream + "-" + std::to_string(++calls_),
                              settings_.page_size);
      if (!doc) return fail(doc.error());
      auto whole = select_xml_records(*doc, s.records.empty() ? dialect_->default_records() : s.records);
      if (!whole) return fail(whole.error());
      for (Record& record : *whole) out.push_back(std::move(record));
      keys.clear();
      batched = 0;
      return true;
    };
    for (const Record& header : headers) {
      std::string key = s.detail_key->evaluate_string(pugi::xpath_node(pugi::xml_node(header.xml_element)));
      if (key.empty()) {
        if (auto ok = flush(); !ok) return fail(ok.error());
        out.push_back(header);
        continue;
      }
      keys += (batched++ == 0 ? "" : ",") + key;
      if (batched == kMaxDetailKeys)
        if (auto ok = flush(); !ok) return fail(ok.error());
    }
    if (auto ok = flush(); !ok) return fail(ok.error());
    return out;
  }

  // Constant after construction
  std::string name_;
  Settings settings_;
  std::unique_ptr<XmlDialect> dialect_;

  // Touched only by the thread calling pull()/push()
  XmlHttpClient client_;
  std::map<std::string, RunCursor, std::less<>> runs_;  // per stream: the current run's cursor
  std::uint64_t calls_ = 0;
};

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  auto settings = read_settings(config);
  if (!settings) return fail(settings.error());
  auto dialect = make_xml_dialect(settings->dialect, settings->auth, settings->netsuite_version);
  if (!dialect)
    return fail(
        ErrorKind::kInvalidInput,
        "connector " + config.name + ": dialect must be intacct or netsuite, not '" + settings->dialect + "'",
        config.options.at("dialect").where);
  return std::unique_ptr<Connector>(
      std::make_unique<XmlHttpConnector>(config.name, std::move(*settings), std::move(dialect), context));
}

constexpr ConnectorSpec kSpec{
    "xml-http",
    "SOAP and XML-over-HTTP APIs (Sage Intacct, NetSuite SuiteTalk): XPath records, paged reads, "
    "modified-since delta, faults classified",
    kOptions,
    kStreamOptions,
    &create,
};

}  // namespace

const ConnectorSpec& xml_http_spec() { return kSpec; }

}  // namespace arsync
