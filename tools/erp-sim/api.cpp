// api: see api.hpp. nlohmann::json is used for the small admin bodies only; the collection
// pages are written by hand (record_json) because they are the hot path.
#include "tools/erp-sim/api.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/erp-sim/record_json.hpp"

namespace arsync::sim {
namespace {

using nlohmann::json;

constexpr int64_t kMaxMutationCount = 100'000;

// A page's string is reserved once from a rough size (the hot path should not reallocate a
// 20 MB buffer while writing), capped so a page of huge invoices does not reserve hundreds of MB.
size_t page_reserve(std::optional<Collection> collection, const GeneratorSpec& spec, size_t top) {
  constexpr size_t kMaxReserve = 64 << 20;
  size_t per_record = 700;  // also portal-written records
  if (collection == Collection::kCustomers) per_record = 1'000;
  if (collection == Collection::kInvoices)
    per_record = 520 + 95 * static_cast<size_t>(spec.lines_min + spec.lines_max);
  return std::min(kMaxReserve, 256 + top * per_record);
}

json money_json(const MoneyTotals& totals) {
  json out = json::object();
  for (int c = 0; c < kCurrencyCount; ++c) {
    const auto currency = static_cast<Currency>(c);
    if (totals.present[c]) out[std::string(currency_code(currency))] = money_text(totals.minor[c], currency);
  }
  return out;
}

json stats_json(const Stats& stats) {
  const auto& customers = stats.collections[static_cast<int>(Collection::kCustomers)];
  const auto& invoices = stats.collections[static_cast<int>(Collection::kInvoices)];
  const auto& payments = stats.collections[static_cast<int>(Collection::kPayments)];
  const auto& memos = stats.collections[static_cast<int>(Collection::kCreditMemos)];
  return json{
      {"customers",
       {{"count", customers.count}, {"contacts", customers.children}, {"malformed", customers.malformed}}},
      {"invoices",
       {{"count", invoices.count},
        {"lines", invoices.children},
        {"malformed", invoices.malformed},
        {"total", money_json(invoices.first)},
        {"remaining", money_json(invoices.second)}}},
      {"payments",
       {{"count", payments.count},
        {"malformed", payments.malformed},
        {"amount", money_json(payments.first)},
        {"unapplied", money_json(payments.second)}}},
      {"creditMemos",
       {{"count", memos.count},
        {"malformed", memos.malformed},
        {"total", money_json(memos.first)},
        {"remaining", money_json(memos.second)}}},
  };
}

json faults_json(const FaultSettings& s) {
  return json{{"error_rate", s.error_rate},       {"rate_429", s.rate_429},
              {"retry_after", s.retry_after_s},   {"latency_ms", s.latency_ms},
              {"truncate_rate", s.truncate_rate}, {"malformed_rate", s.malformed_rate},
              {"drop_after_commit_rate", s.drop_after_commit_rate}, {"honor_idempotency", s.honor_idempotency}};
}

ApiResponse json_response(const json& body) { return ApiResponse{200, body.dump()}; }

// Reads a rate in [0, 1] from a JSON body field.
bool read_rate(const json& body, const char* key, double& out, std::string& error) {
  if (!body.contains(key)) return true;
  const json& value = body[key];
  if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
    error = std::string(key) + " must be a number between 0 and 1";
    return false;
  }
  out = value.get<double>();
  return true;
}

bool read_count(const json& body, const char* key, int& out, int max, std::string& error) {
  if (!body.contains(key)) return true;
  const json& value = body[key];
  if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > max) {
    error = std::string(key) + " must be an integer between 0 and " + std::to_string(max);
    return false;
  }
  out = value.get<int>();
  return true;
}

}  // namespace

ApiResponse error_response(unsigned status, std::string_view code, std::string_view message,
                           std::string_view target) {
  json error{{"code", code}, {"message", message}};
  if (!target.empty()) error["target"] = target;
  return ApiResponse{status, json{{"error", std::move(error)}}.dump()};
}

Api::Api(Dataset& dataset, FaultInjector& faults, ApiOptions options)
    : dataset_(dataset),
      faults_(faults),
      options_(std::move(options)),
      base_url_("http://127.0.0.1:" + std::to_string(options_.port)),
      xml_(dataset, faults, options_.token) {}

ApiResponse Api::handle(const ApiRequest& request) {
  auto target = parse_target(request.target);
  if (!target) return error_response(400, "BadRequest", target.error());
  const std::string& path = target->path;
  if (path.starts_with("/odata/")) {
    const std::string_view name = std::string_view(path).substr(7);
    if (auto invoice = invoice_pdf_key(name)) return invoice_pdf(request, *invoice);
    if (is_odata_resource(name)) return odata(request, name, *target);
  } else if (path == kXmlGatewayPath) {
    return xml_.handle(request);
  } else if (path == "/admin/stats") {
    if (request.method != "GET") return error_response(405, "MethodNotAllowed", "use GET /admin/stats");
    return admin_stats();
  } else if (path == "/admin/mutate") {
    if (request.method != "POST") return error_response(405, "MethodNotAllowed", "use POST /admin/mutate");
    return admin_mutate(request.body);
  } else if (path == "/admin/faults") {
    return admin_faults(request.method, request.body);
  } else if (path == "/admin/writes") {
    if (request.method != "GET") return error_response(405, "MethodNotAllowed", "use GET /admin/writes");
    return admin_writes();
  } else if (path == "/admin/webhooks") {
    if (request.method != "GET") return error_response(405, "MethodNotAllowed", "use GET /admin/webhooks");
    return admin_webhooks();
  } else if (path == "/admin/webhooks/emit") {
    if (request.method != "POST")
      return error_response(405, "MethodNotAllowed", "use POST /admin/webhooks/emit");
    return admin_webhooks_emit(request.body);
  }
  return error_response(404, "NotFound", "no such resource: " + path);
}

ApiResponse Api::odata(const ApiRequest& request, std::string_view name, const Target& target) {
  if (!options_.token.empty() && request.authorization != "Bearer " + options_.token) {
    ApiResponse response = error_response(401, "Unauthorized", "missing or wrong bearer token");
    response.www_authenticate = true;
    return response;
  }
  if (auto refusal = method_refusal(request.method, name)) return std::move(*refusal);
  const FaultDecision fault = faults_.decide();
  ApiResponse response;
  switch (fault.kind) {
    case FaultKind::kError500:
      response = error_response(500, "InternalServerError", "injected fault (error_rate)");
      break;
    case FaultKind::kError503:
      response = error_response(503, "ServiceUnavailable", "injected fault (error_rate)");
      break;
    case FaultKind::kTooManyRequests:
      response = error_response(429, "TooManyRequests", "injected fault (rate_429)");
      response.retry_after_s = fault.retry_after_s;
      break;
    case FaultKind::kNone:
      if (request.method != "GET") {
        response = odata_write(request, name);  // truncation is a read fault; writes have drop_after_commit
        break;
      }
      response = collection_page(name, target);
      response.truncate = fault.truncate && response.status == 200;
      break;
  }
  response.delay = fault.delay;
  return response;
}

ApiResponse Api::collection_page(std::string_view name, const Target& target) {
  auto parsed = parse_collection_query(target);
  if (!parsed) return error_response(400, "BadRequest", parsed.error());
  const bool documents = name == kInvoiceDocuments;  // the invoices, as their document entries
  const auto collection = documents ? Collection::kInvoices : collection_from_name(name);
  PageQuery query{collection.value_or(Collection::kInvoices), parsed->after, parsed->since_ms, parsed->top,
                  faults_.settings().malformed_rate, parsed->lookup};
  if (documents) query.format = WireFormat::kDocumentJson;
  if (parsed->ids && !collection)
    return error_response(400, "BadRequest", "id in (...) works on customers|invoices|payments|creditMemos");
  if (collection) query.ids = generator_ids(*collection, parsed->ids);
  ApiResponse response;
  std::string& body = response.body;
  body.reserve(page_reserve(collection, dataset_.generator().spec(), query.top));
  body.append("{\"@odata.context\":\"").append(base_url_).append("/odata/$metadata#").append(name);
  body.append("\",\"value\":[");
  const PageOutcome page = collection ? dataset_.write_page(query, body)
                                      : dataset_.write_portal_page(*portal_kind_from_name(name), query, body);
  body.append("]");
  if (page.more) {
    body.append(",\"@odata.nextLink\":\"").append(base_url_).append("/odata/").append(name);
    body.append("?$top=").append(std::to_string(query.top));
    if (!parsed->filter.empty()) body.append("&$filter=").append(url_encode(parsed->filter));
    body.append("&$skiptoken=").append(encode_skiptoken(*page.last)).append("\"");
  }
  body.append("}");
  return response;
}

ApiResponse Api::admin_stats() {
  return json_response(stats_json(dataset_.stats(faults_.settings().malformed_rate)));
}

ApiResponse Api::admin_mutate(std::string_view text) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return error_response(400, "BadRequest", "body must be a JSON object");
  const auto collection = collection_from_name(body.value("collection", ""));
  if (!collection)
    return error_response(400, "BadRequest", "collection must be customers|invoices|payments|creditMemos");
  const std::string action_text = body.value("action", "");
  MutationAction action;
  if (action_text == "modify")
    action = MutationAction::kModify;
  else if (action_text == "void")
    action = MutationAction::kVoid;
  else if (action_text == "add")
    action = MutationAction::kAdd;
  else if (action_text == "delete")
    action = MutationAction::kDelete;
  else
    return error_response(400, "BadRequest", "action must be modify|void|add|delete");
  if (action != MutationAction::kModify && collection != Collection::kInvoices)
    return error_response(400, "BadRequest", "void, add and delete work on invoices only");
  const json count = body.value("count", json(1));
  if (!count.is_number_integer() || count.get<int64_t>() < 1 || count.get<int64_t>() > kMaxMutationCount)
    return error_response(400, "BadRequest", "count must be an integer between 1 and 100000");
  const std::vector<std::string> ids = dataset_.mutate(*collection, action, count.get<int64_t>());
  if (options_.webhooks) options_.webhooks->notify(*collection, ids, webhook_change(action));
  return json_response(json{{"ids", ids}});
}

ApiResponse Api::admin_faults(std::string_view method, std::string_view text) {
  if (method == "GET") return json_response(faults_json(faults_.settings()));
  if (method != "POST") return error_response(405, "MethodNotAllowed", "use GET or POST /admin/faults");
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return error_response(400, "BadRequest", "body must be a JSON object");
  for (const auto& item : body.items()) {
    static const std::string kKnown[] = {"error_rate",     "rate_429",         "retry_after",
                                         "latency_ms",     "truncate_rate",    "malformed_rate",
                                         "drop_after_commit_rate", "honor_idempotency"};
    if (std::find(std::begin(kKnown), std::end(kKnown), item.key()) == std::end(kKnown))
      return error_response(400, "BadRequest", "unknown fault setting '" + item.key() + "'");
  }
  // Replace, not merge: settings left out go back to their defaults (as on the command line).
  FaultSettings settings;
  std::string error;
  if (!read_rate(body, "error_rate", settings.error_rate, error) ||
      !read_rate(body, "rate_429", settings.rate_429, error) ||
      !read_rate(body, "truncate_rate", settings.truncate_rate, error) ||
      !read_rate(body, "malformed_rate", settings.malformed_rate, error) ||
      !read_count(body, "retry_after", settings.retry_after_s, 3600, error) ||
      !read_rate(body, "drop_after_commit_rate", settings.drop_after_commit_rate, error) ||
      !read_count(body, "latency_ms", settings.latency_ms, 60'000, error))
    return error_response(400, "BadRequest", error);
  if (body.contains("honor_idempotency")) {
    if (!body["honor_idempotency"].is_boolean())
      return error_response(400, "BadRequest", "honor_idempotency must be true or false");
    settings.honor_idempotency = body["honor_idempotency"].get<bool>();
  }
  if (settings.error_rate + settings.rate_429 > 1)
    return error_response(400, "BadRequest", "error_rate + rate_429 must not exceed 1");
  faults_.replace(settings);
  return json_response(faults_json(settings));
}

ApiResponse Api::admin_webhooks() {
  const WebhookCounters c = options_.webhooks ? options_.webhooks->counters() : WebhookCounters{};
  return json_response(json{{"enabled", options_.webhooks != nullptr},
                            {"sent", c.sent},
                            {"delivered", c.delivered},
                            {"failed", c.failed},
                            {"duplicates", c.duplicates}});
}

// Emits events for existing records without changing them (for tests).
ApiResponse Api::admin_webhooks_emit(std::string_view text) {
  if (!options_.webhooks)
    return error_response(409, "Conflict", "webhooks are off: start erp-sim with --webhook-url");
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("ids") || !body["ids"].is_array())
    return error_response(400, "BadRequest", "body must be {\"collection\":..,\"ids\":[..]}");
  const auto collection = collection_from_name(body.value("collection", ""));
  if (!collection)
    return error_response(400, "BadRequest", "collection must be customers|invoices|payments|creditMemos");
  std::vector<std::string> ids;
  for (const json& id : body["ids"]) {
    std::string scratch;
    const std::string wire = id.is_string() ? id.get<std::string>() : id.dump();
    const int64_t number = parse_record_id(*collection, wire);
    if (number < 0 || !dataset_.write_one(*collection, number, scratch))
      return error_response(404, "NotFound", "no such record: " + wire);
    ids.push_back(wire);
  }
  options_.webhooks->notify(*collection, ids, WebhookChange::kUpdated);
  return json_response(json{{"queued", ids.size()}});
}

}  // namespace arsync::sim
