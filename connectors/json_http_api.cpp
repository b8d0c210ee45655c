#include "connectors/json_http_api.hpp"

#include "connectors/hmac.hpp"

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

}  // namespace

std::span<const OptionSpec> json_http_options() { return kOptions; }
std::span<const OptionSpec> json_http_stream_options() { return kStreamOptions; }

Result<JsonHttpSettings> read_json_http_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  JsonHttpSettings s;
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
    JsonHttpStreamSettings& st = s.streams[stream.name];
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

std::string collection_url(const Url& base, std::string_view path) {
  std::string url = base.origin() + base.target;
  if (url.back() != '/') url += '/';
  for (char c : path) {
    if (c == ' ') url += "%20";
    else if (c == '\'') url += "%27";
    else url += c;
  }
  return url;
}

std::string odata_string_content(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

Error classify_refusal(const HttpResponse& response, const std::string& url) {
  int status = response.status;
  std::string excerpt = response.body.substr(0, 300);
  if (status == 429) return {ErrorKind::kTransient, "rate limited (429)", url};
  if (status == 408 || status >= 500)
    return {ErrorKind::kTransient, "ERP answered " + std::to_string(status) + ": " + excerpt, url};
  return {ErrorKind::kPermanent, "ERP refused the request with " + std::to_string(status) + ": " + excerpt,
          url};
}

}  // namespace arsync
