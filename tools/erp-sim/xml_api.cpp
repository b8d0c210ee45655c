// xml_api: see xml_api.hpp. pugixml reads the (small) requests; answers are written by hand,
// records through record_xml, like the OData pages.
#include "tools/erp-sim/xml_api.hpp"

#include <charconv>
#include <pugixml.hpp>

#include "tools/erp-sim/api.hpp"
#include "tools/erp-sim/record_xml.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"
#include "tools/erp-sim/xml_writes.hpp"

namespace arsync::sim {
namespace {

constexpr size_t kDefaultPageSize = 100;
constexpr size_t kMaxPageSize = 2000;  // Intacct's readByQuery limit

std::string escape(std::string_view value) {
  std::string out;
  write_xml_text(out, value);
  return out;
}

std::string error_message(std::string_view errorno, std::string_view description) {
  return "<errormessage><error><errorno>" + escape(errorno) + "</errorno><description>" +
         escape(description) +
         "</description><description2></description2><correction></correction></error></errormessage>";
}

std::string control(std::string_view status, std::string_view controlid) {
  return "<control><status>" + std::string(status) + "</status><senderid>erp-sim</senderid><controlid>" +
         escape(controlid) + "</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>";
}

ApiResponse xml_response(unsigned status, const std::string& body) {
  ApiResponse response{status,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>" + body + "</response>"};
  response.content_type = "application/xml";
  return response;
}

// A request the gateway refuses as a whole (Intacct: <control> failure, no function runs).
ApiResponse control_failure(unsigned status, std::string_view controlid, std::string_view errorno,
                            std::string_view description) {
  return xml_response(status, control("failure", controlid) + error_message(errorno, description));
}

std::string function_failure(std::string_view function, std::string_view controlid, std::string_view errorno,
                             std::string_view description) {
  return "<result><status>failure</status><function>" + escape(function) + "</function><controlid>" +
         escape(controlid) + "</controlid>" + error_message(errorno, description) + "</result>";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "" (everything) or "WHENMODIFIED >= 'MM/DD/YYYY HH:MM:SS'" (also >): the lower time bound in ms.
std::optional<int64_t> parse_query(std::string_view query) {
  query = trim(query);
  if (query.empty()) return INT64_MIN;
  constexpr std::string_view kField = "WHENMODIFIED";
  if (!query.starts_with(kField)) return std::nullopt;
  query = trim(query.substr(kField.size()));
  bool strictly = false;
  if (query.starts_with(">=")) {
    query.remove_prefix(2);
  } else if (query.starts_with(">")) {
    query.remove_prefix(1);
    strictly = true;
  } else {
    return std::nullopt;
  }
  query = trim(query);
  if (query.size() < 2 || query.front() != '\'' || query.back() != '\'') return std::nullopt;
  auto time = parse_xml_timestamp(query.substr(1, query.size() - 2));
  if (!time) return std::nullopt;
  return strictly ? *time + 1000 : *time;  // whole seconds: "> 10:00:00" starts at 10:00:01
}

// A record's element (and a <data>'s listtype): the object name in lower case, "arinvoice".
std::string element_name(Collection collection) {
  std::string element(xml_object_name(collection));
  for (char& ch : element) ch = static_cast<char>(ch - 'A' + 'a');
  return element;
}

// What a resultId holds: where the read is and what is left of it.
struct ResultToken {
  Collection collection{};
  int64_t since_ms = INT64_MIN;
  RecordKey after;
  int64_t total = 0, remaining = 0;
  size_t page_size = kDefaultPageSize;
};

std::string encode(const ResultToken& t) {
  return "RS" + std::to_string(static_cast<int>(t.collection)) + "." + std::to_string(t.since_ms) + "." +
         std::to_string(t.after.modified_ms) + "." + std::to_string(t.after.id) + "." +
         std::to_string(t.total) + "." + std::to_string(t.remaining) + "." + std::to_string(t.page_size);
}

std::optional<ResultToken> decode(std::string_view text) {
  text = trim(text);
  if (!text.starts_with("RS")) return std::nullopt;
  text.remove_prefix(2);
  int64_t parts[7];
  for (int i = 0; i < 7; ++i) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parts[i]);
    if (ec != std::errc{}) return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (i < 6) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
  }
  if (!text.empty() || parts[0] < 0 || parts[0] >= kCollectionCount || parts[6] < 1 ||
      parts[6] > static_cast<int64_t>(kMaxPageSize) || parts[5] < 1)
    return std::nullopt;
  return ResultToken{
      static_cast<Collection>(parts[0]), parts[1], RecordKey{parts[2], parts[3]}, parts[4], parts[5],
      static_cast<size_t>(parts[6])};
}

}  // namespace

XmlApi::XmlApi(Dataset& dataset, FaultInjector& faults, std::string session)
    : dataset_(dataset), faults_(faults), session_(std::move(session)) {}

namespace {

// One page of a read, as a <result>: the first (after = nullopt) or a continuation.
std::string read_page(const Dataset& dataset, double malformed_rate, std::string_view function,
                      std::string_view controlid, ResultToken token, bool first,
                      std::optional<WriteLookup> lookup = std::nullopt) {
  PageQuery query;
  query.collection = token.collection;
  query.since_ms = token.since_ms;
  query.top = token.page_size;
  query.malformed_rate = malformed_rate;
  query.format = WireFormat::kXml;
  if (!first) query.after = token.after;
  if (first && !lookup) token.total = token.remaining = dataset.count(query);
  query.lookup = std::move(lookup);
  std::string records;
  // Only payments written through create carry a DESCRIPTION; the other objects have none.
  const bool none = query.lookup && query.collection != Collection::kPayments;
  const PageOutcome page = none ? PageOutcome{} : dataset.write_page(query, records);
  if (query.lookup) token.total = token.remaining = static_cast<int64_t>(page.count);  // 0 or 1, one page
  // Records changed during a read move to the end and are served again there, so the count
  // left may exceed what was counted at the start: never say 0 while more is coming.
  const int64_t left =
      page.more ? std::max<int64_t>(token.remaining - static_cast<int64_t>(page.count), 1) : 0;
  const std::string element = element_name(token.collection);
  std::string out = "<result><status>success</status><function>" + std::string(function) +
                    "</function><controlid>" + escape(controlid) + "</controlid><data listtype=\"" + element +
                    "\" count=\"" + std::to_string(page.count) + "\" totalcount=\"" +
                    std::to_string(token.total) + "\" numremaining=\"" + std::to_string(left) + "\"";
  if (left > 0) {
    token.after = *page.last;
    token.remaining = left;
    out += " resultId=\"" + encode(token) + "\"";
  }
  out.reserve(out.size() + records.size() + 32);
  out += ">";
  out += records;
  out += "</data></result>";
  return out;
}

// The <result> of a create of ARPYMT: the new RECORDNO, as Intacct's 3.0 create answers.
std::string created_result(std::string_view controlid, int64_t record_no) {
  return "<result><status>success</status><function>create</function><controlid>" + escape(controlid) +
         "</controlid><data listtype=\"objects\" count=\"1\"><arpymt><RECORDNO>" + std::to_string(record_no) +
         "</RECORDNO></arpymt></data></result>";
}

}  // namespace

std::string XmlApi::run_function(const pugi::xml_node& function, bool unique, bool& committed) {
  const std::string fid = function.attribute("controlid").value();
  const pugi::xml_node call = function.first_child();
  const std::string_view name = call.name();
  const double malformed = faults_.settings().malformed_rate;
  if (name == "readByQuery") {
    const auto collection = collection_from_xml_object(trim(call.child_value("object")));
    const std::string_view query = call.child_value("query");
    const auto since = parse_query(query);
    const auto description = since ? std::nullopt : parse_description_query(query);
    size_t size = kDefaultPageSize;
    const std::string_view size_text = trim(call.child_value("pagesize"));
    if (!size_text.empty()) {
      auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
      if (ec != std::errc{} || end != size_text.data() + size_text.size()) size = 0;
    }
    if (!collection)
      return function_failure(name, fid, "SIM-OBJECT", "object must be CUSTOMER, ARINVOICE, ARPYMT or ARADJUSTMENT");
    if (!since && !description)
      return function_failure(name, fid, "SIM-QUERY",
                              "query must be empty, WHENMODIFIED >= 'MM/DD/YYYY HH:MM:SS' or DESCRIPTION = '...'");
    if (size < 1 || size > kMaxPageSize) return function_failure(name, fid, "SIM-PAGESIZE", "pagesize must be 1 to 2000");
    std::optional<WriteLookup> lookup;
    if (description) lookup = WriteLookup{true, *description};  // only written payments carry one
    return read_page(dataset_, malformed, name, fid, ResultToken{*collection, since.value_or(INT64_MIN), {}, 0, 0, size},
                     true, std::move(lookup));
  }
  if (name == "readMore") {
    const auto token = decode(call.child_value("resultId"));
    if (!token) return function_failure(name, fid, "SIM-RESULTID", "unknown or finished resultId");
    return read_page(dataset_, malformed, name, fid, *token, false);
  }
  if (name == "read") return read(call, fid);
  if (name == "create") return create(call, fid, unique, committed);
  return function_failure(name, fid, "SIM-FUNCTION", "supported functions: readByQuery, readMore, read, create (ARPYMT)");
}

// read: whole records by RECORDNO (`keys`, comma-separated), in the order asked; keys that do not
// exist are left out. The simulator's readByQuery already carries the owned lines, so read
// answers the same elements (Intacct's readByQuery does not: clients read them here).
std::string XmlApi::read(const pugi::xml_node& call, const std::string& fid) {
  const auto collection = collection_from_xml_object(trim(call.child_value("object")));
  if (!collection)
    return function_failure("read", fid, "SIM-OBJECT", "object must be CUSTOMER, ARINVOICE, ARPYMT or ARADJUSTMENT");
  std::vector<int64_t> ids;
  std::string_view keys = trim(call.child_value("keys"));
  while (!keys.empty()) {
    const size_t comma = keys.find(',');
    const std::string_view key = trim(keys.substr(0, comma));
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc{} || end != key.data() + key.size() || id < 1)
      return function_failure("read", fid, "SIM-KEYS", "keys must be RECORDNOs separated by commas");
    ids.push_back(id);
    keys = comma == std::string_view::npos ? std::string_view() : keys.substr(comma + 1);
  }
  if (ids.empty() || ids.size() > kMaxPageSize)
    return function_failure("read", fid, "SIM-KEYS", "read takes 1 to 2000 keys");
  PageQuery query;
  query.collection = *collection;
  query.top = ids.size();
  query.malformed_rate = faults_.settings().malformed_rate;
  query.format = WireFormat::kXml;
  query.ids = std::move(ids);
  std::string records;
  const PageOutcome page = dataset_.write_page(query, records);
  const std::string element = element_name(*collection);
  return "<result><status>success</status><function>read</function><controlid>" + escape(fid) +
         "</controlid><data listtype=\"" + element + "\" count=\"" + std::to_string(page.count) + "\">" + records +
         "</data></result>";
}

// create of ARPYMT through the same Dataset::write as POST /odata/payments. With <uniqueid>true
// the function's controlid is the idempotency key and a second use of it is refused (Intacct
// refuses a repeated control id; it does not replay the first answer); with false every request
// creates a payment.
std::string XmlApi::create(const pugi::xml_node& call, const std::string& fid, bool unique, bool& committed) {
  const pugi::xml_node arpymt = call.child("ARPYMT");
  if (!arpymt || std::distance(call.children().begin(), call.children().end()) != 1)
    return function_failure("create", fid, "SIM-OBJECT", "create takes exactly one ARPYMT");
  if (unique && fid.empty())
    return function_failure("create", fid, "SIM-CONTROLID", "with <uniqueid>true</uniqueid> the function needs a controlid");
  auto parsed = parse_xml_payment(arpymt);
  if (!parsed) {
    dataset_.count_rejected(WriteTarget::kPayments);
    return function_failure("create", fid, parsed.error().code, parsed.error().message);
  }
  const bool honor = unique && faults_.settings().honor_idempotency;
  const WriteOutcome outcome = dataset_.write(WriteCall{WriteTarget::kPayments, "", fid, honor}, *parsed);
  if (outcome.error) {
    if (outcome.error->code == "IdempotencyKeyReused")
      return function_failure("create", fid, kDuplicateControlId, "the control id '" + fid + "' was already used");
    return function_failure("create", fid, outcome.error->code, outcome.error->message);
  }
  if (!outcome.committed)  // a replay: this control id made a payment before
    return function_failure("create", fid, kDuplicateControlId, "the control id '" + fid + "' was already used");
  committed = true;
  return created_result(fid, parse_record_id(Collection::kPayments, outcome.created_payments.front()));
}

ApiResponse XmlApi::handle(const ApiRequest& request) {
  if (request.method != "POST")
    return control_failure(405, "", "SIM-METHOD", "the XML gateway takes POST with a <request> body");
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(request.body.data(), request.body.size());
  if (!parsed)
    return control_failure(200, "", "XL03000003",
                           std::string("XML Parse schema error: ") + parsed.description() + " at byte " +
                               std::to_string(parsed.offset));
  const pugi::xml_node root = doc.child("request");
  const std::string controlid = root.child("control").child_value("controlid");
  const pugi::xml_node operation = root.child("operation");
  if (!root || !operation)
    return control_failure(200, controlid, "SIM-REQUEST",
                           "the body must be <request> with <control> and <operation>");
  const std::string_view session = operation.child("authentication").child("sessionid").child_value();
  if (!session_.empty() && trim(session) != session_)
    return xml_response(200, control("success", controlid) +
                                 "<operation><authentication><status>failure</status></authentication>" +
                                 error_message("XL03000006", "Sign-in information is incorrect") +
                                 "</operation>");

  const FaultDecision fault = faults_.decide();
  ApiResponse response;
  switch (fault.kind) {
    case FaultKind::kError500:
    case FaultKind::kError503:
      response = control_failure(fault.kind == FaultKind::kError500 ? 500 : 503, controlid, "SIM-FAULT",
                                 "injected fault (error_rate)");
      break;
    case FaultKind::kTooManyRequests:
      response = control_failure(429, controlid, "GW-0010", "injected fault (rate_429): too many requests");
      response.retry_after_s = fault.retry_after_s;
      break;
    case FaultKind::kNone: {
      std::string results;
      bool committed = false;
      const bool unique = trim(root.child("control").child_value("uniqueid")) == "true";
      for (pugi::xml_node function : operation.child("content").children("function"))
        results += run_function(function, unique, committed);
      response =
          xml_response(200, control("success", controlid) +
                                "<operation><authentication><status>success</status><userid>sim</userid>"
                                "<companyid>erp-sim</companyid></authentication>" +
                                results + "</operation>");
      response.truncate = fault.truncate && !committed;  // truncation is a read fault
      // "Commit then drop the answer": the payment exists, the client hears nothing.
      response.drop = committed && faults_.settings().drop_after_commit_rate > 0 && faults_.drop_after_commit();
      break;
    }
  }
  response.delay = fault.delay;
  return response;
}

}  // namespace arsync::sim
