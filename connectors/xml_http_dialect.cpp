// XML dialects: see xml_http_dialect.hpp. Responses are walked from the root by local names
// (namespace prefixes differ between accounts and WSDL versions); no XPath runs over a whole
// page here, so a 20 MB page costs one parse and one record selection.
#include "connectors/xml_http_dialect.hpp"

#include <chrono>
#include <pugixml.hpp>
#include <random>

#include "connectors/hmac.hpp"

namespace arsync {
namespace {

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

pugi::xml_node first_element(const pugi::xml_node& node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return c;
  return {};
}

std::string text_of(const pugi::xml_node& node, std::string_view name) {
  std::string t = child(node, name).text().get();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  std::size_t start = 0;
  while (start < t.size() && std::isspace(static_cast<unsigned char>(t[start]))) ++start;
  return t.substr(start);
}

bool contains(const std::set<std::string, std::less<>>& set, std::string_view code) {
  return set.find(code) != set.end();
}

// ---------------------------------------------------------------------------------------------
// Sage Intacct XML gateway

// GW-0010: the gateway's rate limit (developer.intacct.com, "Error handling": 429 errors).
const std::set<std::string, std::less<>> kIntacctTransient = {"GW-0010"};

class IntacctDialect final : public XmlDialect {
 public:
  explicit IntacctDialect(XmlAuth auth) : auth_(std::move(auth)) {}
  std::string_view name() const override { return "intacct"; }
  std::string_view default_records() const override { return "/response/operation/result/data/*"; }

  std::string envelope(const XmlCall& call, const std::string& control_id, bool unique,
                       std::int64_t) const override {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request><control><senderid>";
    out += xml_escape(auth_.sender_id) + "</senderid><password>" + xml_escape(auth_.sender_password);
    out += "</password><controlid>" + xml_escape(control_id) + "</controlid><uniqueid>";
    out += unique ? "true" : "false";
    out += "</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>";
    out += "<operation><authentication>";
    if (!auth_.session_id.empty())
      out += "<sessionid>" + xml_escape(auth_.session_id) + "</sessionid>";
    else
      out += "<login><userid>" + xml_escape(auth_.user_id) + "</userid><companyid>" +
             xml_escape(auth_.company_id) + "</companyid><password>" + xml_escape(auth_.user_password) +
             "</password></login>";
    out += "</authentication><content><function controlid=\"" + xml_escape(control_id) + "\">";
    out += call.operation;
    out += "</function></content></operation></request>";
    return out;
  }

  HttpHeaders headers(const XmlCall&) const override {
    return {{"Content-Type", "application/xml"}, {"Accept", "application/xml"}};
  }

  std::optional<XmlFailure> failure(const pugi::xml_document& page, int http_status,
                                    const std::set<std::string, std::less<>>& extra) const override {
    std::optional<XmlFailure> found = read_failure(page, extra);
    // The gateway answers 408/429/5xx when it could not finish (rate limit, mid-process failure):
    // worth retrying whatever the body says.
    if (found && (http_status == 408 || http_status == 429 || http_status >= 500))
      found->error.kind = ErrorKind::kTransient;
    return found;
  }

  std::optional<XmlFailure> read_failure(const pugi::xml_document& page,
                                         const std::set<std::string, std::less<>>& extra) const {
    pugi::xml_node response = page.child("response");
    if (!response) return XmlFailure{{ErrorKind::kTransient, "the answer is not an Intacct <response>", {}}};
    if (text_of(response.child("control"), "status") == "failure")
      return classify("the gateway refused the request", response.child("errormessage"), extra);
    pugi::xml_node operation = response.child("operation");
    if (text_of(operation.child("authentication"), "status") == "failure")
      return classify("sign-in failed (check sender_id, session or user credentials)",
                      operation.child("errormessage"), extra);
    for (pugi::xml_node result : operation.children("result"))
      if (text_of(result, "status") != "success")
        return classify(text_of(result, "function") + " failed", result.child("errormessage"), extra);
    if (!operation) return XmlFailure{{ErrorKind::kTransient, "the answer has no <operation>", {}}};
    return std::nullopt;
  }

  bool failure_may_follow_write(int http_status) const override { return http_status >= 500 && http_status != 503; }

  std::string continuation(const pugi::xml_document& page) const override {
    pugi::xml_node data = page.child("response").child("operation").child("result").child("data");
    if (data.attribute("numremaining").as_llong(0) <= 0) return "";
    return data.attribute("resultId").value();
  }

  XmlCall next_call(std::string_view token) const override {
    return {"<readMore><resultId>" + xml_escape(token) + "</resultId></readMore>", ""};
  }

  std::string created_id(const pugi::xml_document& answer) const override {
    pugi::xml_node result = answer.child("response").child("operation").child("result");
    // 3.0 functions (create): <data><arpymt><RECORDNO>; 2.1 functions: <key>.
    std::string id = first_element(result.child("data")).child("RECORDNO").text().get();
    return id.empty() ? std::string(result.child("key").text().get()) : id;
  }

 private:
  static XmlFailure classify(const std::string& what, const pugi::xml_node& errors,
                             const std::set<std::string, std::less<>>& extra) {
    bool transient = false;
    std::string message = "Intacct: " + what;
    std::vector<std::string> codes;
    for (pugi::xml_node error : errors.children("error")) {
      std::string code = text_of(error, "errorno");
      transient |= contains(kIntacctTransient, code) || contains(extra, code);
      message += "; " + code;
      for (const char* part : {"description", "description2", "correction"}) {
        std::string t = text_of(error, part);
        if (!t.empty()) message += ": " + t;
      }
      codes.push_back(std::move(code));
    }
    return {{transient ? ErrorKind::kTransient : ErrorKind::kPermanent, message, {}}, false, std::move(codes)};
  }

  XmlAuth auth_;
};

// ---------------------------------------------------------------------------------------------
// NetSuite SuiteTalk SOAP web services

// Faults and status codes that clear by waiting (NetSuite help: "SOAP Fault Status Codes",
// "Errors Related to Concurrency Violations").
const std::set<std::string, std::less<>> kNetSuiteTransient = {"exceededConcurrentRequestLimitFault",
                                                               "exceededRequestLimitFault",
                                                               "unexpectedErrorFault",
                                                               "invalidSessionFault",
                                                               "WS_CONCUR_SESSION_DISALLWD",
                                                               "WS_REQUEST_BLOCKED",
                                                               "UNEXPECTED_ERROR",
                                                               "SSS_REQUEST_LIMIT_EXCEEDED"};
// A searchId expires 15 minutes after its last use: the search must start again.
const std::set<std::string, std::less<>> kNetSuiteRestart = {"INVALID_JOB_ID"};

class NetSuiteDialect final : public XmlDialect {
 public:
  NetSuiteDialect(XmlAuth auth, std::string version) : auth_(std::move(auth)), version_(std::move(version)) {}
  std::string_view name() const override { return "netsuite"; }
  std::string_view default_records() const override {
    return "/*[local-name()='Envelope']/*[local-name()='Body']/*/*[local-name()='searchResult']/"
           "*[local-name()='recordList']/*";
  }

  std::string envelope(const XmlCall& call, const std::string&, bool, std::int64_t page_size) const override {
    const std::string v = version_;
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope"
        " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
    out += " xmlns:platformMsgs=\"urn:messages_" + v + ".platform.webservices.netsuite.com\"";
    out += " xmlns:platformCore=\"urn:core_" + v + ".platform.webservices.netsuite.com\"";
    out += " xmlns:platformCommon=\"urn:common_" + v + ".platform.webservices.netsuite.com\"";
    out += " xmlns:listRel=\"urn:relationships_" + v + ".lists.webservices.netsuite.com\"";
    out += " xmlns:tranSales=\"urn:sales_" + v + ".transactions.webservices.netsuite.com\"";
    out += " xmlns:tranCust=\"urn:customers_" + v + ".transactions.webservices.netsuite.com\"";
    out += " xmlns=\"urn:messages_" + v + ".platform.webservices.netsuite.com\"><soapenv:Header>";
    out += token_passport();
    if (page_size > 0)
      out +=
          "<platformMsgs:searchPreferences><platformMsgs:bodyFieldsOnly>false</platformMsgs:bodyFieldsOnly>"
          "<platformMsgs:pageSize>" +
          std::to_string(page_size) + "</platformMsgs:pageSize></platformMsgs:searchPreferences>";
    out += "</soapenv:Header><soapenv:Body>" + call.operation + "</soapenv:Body></soapenv:Envelope>";
    return out;
  }

  HttpHeaders headers(const XmlCall& call) const override {
    return {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", call.soap_action}};
  }

  std::optional<XmlFailure> failure(const pugi::xml_document& page, int http_status,
                                    const std::set<std::string, std::less<>>& extra) const override {
    pugi::xml_node envelope = page.document_element();
    pugi::xml_node answer = first_element(child(envelope, "Body"));
    if (local_name(envelope) != "Envelope" || !answer)
      return XmlFailure{{ErrorKind::kTransient, "the answer is not a SOAP envelope with a body", {}}};
    if (local_name(answer) == "Fault") {
      XmlFailure f = fault(answer, extra);
      if (http_status == 429 || http_status == 503) f.error.kind = ErrorKind::kTransient;  // never for good
      return f;
    }
    pugi::xml_node status = find_status(answer);
    if (!status || std::string_view(status.attribute("isSuccess").value()) != "false") return std::nullopt;
    std::string message = "NetSuite: " + std::string(local_name(answer)) + " failed";
    bool transient = false, restart = false;
    std::vector<std::string> codes;
    for (pugi::xml_node detail = status.first_child(); detail; detail = detail.next_sibling()) {
      if (local_name(detail) != "statusDetail") continue;
      std::string code = text_of(detail, "code");
      restart |= contains(kNetSuiteRestart, code);
      transient |= contains(kNetSuiteTransient, code) || contains(extra, code);
      message += "; " + code + ": " + text_of(detail, "message");
      codes.push_back(std::move(code));
    }
    return XmlFailure{{transient || restart ? ErrorKind::kTransient : ErrorKind::kPermanent, message, {}},
                      restart, std::move(codes)};
  }

  bool failure_may_follow_write(int) const override { return false; }

  std::string continuation(const pugi::xml_document& page) const override {
    pugi::xml_node result = search_result(page);
    long long index = std::atoll(text_of(result, "pageIndex").c_str());
    long long pages = std::atoll(text_of(result, "totalPages").c_str());
    std::string id = text_of(result, "searchId");
    if (index < 1 || index >= pages || id.empty()) return "";
    return id + " " + std::to_string(index + 1);
  }

  XmlCall next_call(std::string_view token) const override {
    auto space = token.rfind(' ');
    return {"<searchMoreWithId><searchId>" + xml_escape(token.substr(0, space)) + "</searchId><pageIndex>" +
                std::string(token.substr(space + 1)) + "</pageIndex></searchMoreWithId>",
            "searchMoreWithId"};
  }

  std::string created_id(const pugi::xml_document& answer) const override {
    pugi::xml_node response = first_element(child(page_root(answer), "Body"));
    return child(child(response, "writeResponse"), "baseRef").attribute("internalId").value();
  }

 private:
  static pugi::xml_node page_root(const pugi::xml_document& doc) { return doc.document_element(); }

  static pugi::xml_node search_result(const pugi::xml_document& page) {
    return child(first_element(child(page_root(page), "Body")), "searchResult");
  }

  // searchResult/status or writeResponse/status (or a status right under the response).
  static pugi::xml_node find_status(const pugi::xml_node& answer) {
    if (pugi::xml_node s = child(answer, "status")) return s;
    for (pugi::xml_node c = answer.first_child(); c; c = c.next_sibling())
      if (pugi::xml_node s = child(c, "status")) return s;
    return {};
  }

  // SOAP 1.1 (faultcode/faultstring/detail) and SOAP 1.2 (Code/Value, Reason/Text). NetSuite
  // names the fault in detail's element (exceededConcurrentRequestLimitFault) and a code inside.
  static XmlFailure fault(const pugi::xml_node& f, const std::set<std::string, std::less<>>& extra) {
    std::string code = text_of(f, "faultcode");
    std::string reason = text_of(f, "faultstring");
    if (code.empty()) code = text_of(child(f, "Code"), "Value");
    if (reason.empty()) reason = text_of(child(f, "Reason"), "Text");
    pugi::xml_node detail = first_element(child(f, "detail"));
    if (!detail) detail = first_element(child(f, "Detail"));
    std::string type(local_name(detail));
    std::string detail_code = text_of(detail, "code");
    bool transient = contains(kNetSuiteTransient, type) || contains(kNetSuiteTransient, detail_code) ||
                     contains(extra, type) || contains(extra, detail_code);
    if (type.empty()) {  // no vendor detail: the SOAP fault code says whose fault it is
      std::string_view c = code;
      c = c.substr(c.find(':') == std::string_view::npos ? 0 : c.find(':') + 1);
      transient = c.starts_with("Server") || c.starts_with("Receiver");
    }
    std::string message = "SOAP fault " + code;
    if (!type.empty()) message += " (" + type + (detail_code.empty() ? "" : " " + detail_code) + ")";
    message += ": " + reason;
    std::vector<std::string> codes;
    for (const std::string& c : {type, detail_code})
      if (!c.empty()) codes.push_back(c);
    return {{transient ? ErrorKind::kTransient : ErrorKind::kPermanent, message, {}}, false, std::move(codes)};
  }

  // NetSuite token-based authentication: signature = base64(HMAC-SHA256(consumerSecret&tokenSecret,
  // account&consumerKey&token&nonce&timestamp)).
  std::string token_passport() const {
    if (auth_.token_id.empty()) return "";
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 rng(std::random_device{}());
    std::string nonce;
    for (int i = 0; i < 20; ++i) nonce += kAlphabet[rng() % (sizeof kAlphabet - 1)];
    std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::string base =
        auth_.account + "&" + auth_.consumer_key + "&" + auth_.token_id + "&" + nonce + "&" + timestamp;
    std::string signature = to_base64(hmac_sha256(auth_.consumer_secret + "&" + auth_.token_secret, base));
    return "<platformMsgs:tokenPassport><platformCore:account>" + xml_escape(auth_.account) +
           "</platformCore:account><platformCore:consumerKey>" + xml_escape(auth_.consumer_key) +
           "</platformCore:consumerKey><platformCore:token>" + xml_escape(auth_.token_id) +
           "</platformCore:token><platformCore:nonce>" + nonce +
           "</platformCore:nonce><platformCore:timestamp>" + timestamp +
           "</platformCore:timestamp><platformCore:signature algorithm=\"HMAC-SHA256\">" + signature +
           "</platformCore:signature></platformMsgs:tokenPassport>";
  }

  XmlAuth auth_;
  std::string version_;
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::unique_ptr<XmlDialect> make_xml_dialect(std::string_view name, XmlAuth auth,
                                             std::string netsuite_version) {
  if (name == "intacct") return std::make_unique<IntacctDialect>(std::move(auth));
  if (name == "netsuite")
    return std::make_unique<NetSuiteDialect>(std::move(auth), std::move(netsuite_version));
  return nullptr;
}

}  // namespace arsync
