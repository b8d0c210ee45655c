// xml-http against a scripted fake transport and a fake clock: both dialects' envelopes and
// paging, the cursor rule, failures written in bodies (SOAP Faults, Intacct failure status),
// retries, and push outcome classification.
#include <doctest/doctest.h>

#include <pugixml.hpp>

#include "connectors/hmac.hpp"
#include "connectors/xml_http_connector.hpp"
#include "tests/connectors/scripted_transport.hpp"

using namespace arsync;
using namespace std::chrono_literals;
using test::g_script;

namespace {

HttpResponse xml(std::string body, int status = 200) {
  return {status, {{"Content-Type", "application/xml"}}, std::move(body)};
}

// An Intacct readByQuery/readMore answer with records (RECORDNO, WHENMODIFIED).
std::string intacct_page(std::initializer_list<std::pair<const char*, const char*>> records,
                         int remaining = 0, const char* result_id = "RID-1") {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><control><status>success</status></control>"
      "<operation><authentication><status>success</status></authentication><result><status>success</status>"
      "<function>readByQuery</function><controlid>c</controlid><data listtype=\"arinvoice\" count=\"" +
      std::to_string(records.size()) + "\" totalcount=\"9\" numremaining=\"" + std::to_string(remaining) +
      "\"";
  if (remaining > 0) body += std::string(" resultId=\"") + result_id + "\"";
  body += ">";
  for (auto [id, modified] : records)
    body += std::string("<arinvoice><RECORDNO>") + id + "</RECORDNO><WHENMODIFIED>" + modified +
            "</WHENMODIFIED></arinvoice>";
  return body + "</data></result></operation></response>";
}

std::string intacct_failure(const char* level, const char* errorno, const char* description) {
  std::string error = std::string("<errormessage><error><errorno>") + errorno + "</errorno><description>" +
                      description +
                      "</description><description2>more words</description2><correction>"
                      "do this</correction></error></errormessage>";
  if (std::string_view(level) == "control")
    return "<response><control><status>failure</status></control>" + error + "</response>";
  return "<response><control><status>success</status></control><operation><authentication><status>success"
         "</status></authentication><result><status>failure</status><function>readByQuery</function>" +
         error + "</result></operation></response>";
}

constexpr const char* kSoapOpen =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
    "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
constexpr const char* kSoapClose = "</soapenv:Body></soapenv:Envelope>";

std::string netsuite_page(int index, int pages,
                          std::initializer_list<std::pair<const char*, const char*>> records) {
  std::string body =
      std::string(kSoapOpen) +
      "<searchResponse xmlns=\"urn:messages_2024_2.platform.webservices.netsuite.com\">"
      "<platformCore:searchResult xmlns:platformCore=\"urn:core_2024_2.platform.webservices.netsuite.com\">"
      "<platformCore:status isSuccess=\"true\"/><platformCore:totalRecords>9</platformCore:totalRecords>"
      "<platformCore:pageSize>3</platformCore:pageSize><platformCore:totalPages>" +
      std::to_string(pages) + "</platformCore:totalPages><platformCore:pageIndex>" + std::to_string(index) +
      "</platformCore:pageIndex><platformCore:searchId>WEBSERVICES_1_abc</platformCore:searchId>"
      "<platformCore:recordList>";
  for (auto [id, modified] : records)
    body += std::string("<platformCore:record internalId=\"") + id +
            "\" xsi:type=\"tranSales:Invoice\" "
            "xmlns:tranSales=\"urn:sales_2024_2.transactions.webservices.netsuite.com\">"
            "<tranSales:lastModifiedDate>" +
            modified + "</tranSales:lastModifiedDate></platformCore:record>";
  return body + "</platformCore:recordList></platformCore:searchResult></searchResponse>" + kSoapClose;
}

std::string netsuite_fault(const char* fault, const char* code, const char* message) {
  return std::string(kSoapOpen) +
         "<soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>" + message +
         "</faultstring><detail><platformFaults:" + fault +
         " xmlns:platformFaults=\"urn:faults_2024_2.platform.webservices.netsuite.com\"><platformFaults:"
         "code>" +
         code + "</platformFaults:code><platformFaults:message>" + message +
         "</platformFaults:message></platformFaults:" + fault + "></detail></soapenv:Fault>" + kSoapClose;
}

std::string header(const HttpRequest& request, std::string_view name) {
  for (auto& [k, v] : request.headers)
    if (k == name) return v;
  return "";
}

struct Fixture {
  test::Script script;
  test::FakeClock clock;
  std::unique_ptr<Connector> connector;

  Fixture(const char* dialect, OptionValues stream_options = {}, OptionValues extra = {}) {
    g_script = &script;
    ConnectorConfig config;
    config.name = "erp";
    config.type = "xml-http";
    config.options = {{"base_url", {"http://erp.test:8080/gw", ""}},
                      {"dialect", {dialect, ""}},
                      {"page_size", {"3", ""}},
                      {"overlap", {"5s", ""}},
                      {"retries", {"3", ""}}};
    if (std::string_view(dialect) == "intacct") {
      config.options["sender_id"] = {"snd", ""};
      config.options["sender_password"] = {"snd-pw", ""};
      config.options["session_id"] = {"sess<1>", ""};
      stream_options.emplace(
          "request", OptionValue{"<readByQuery><object>ARINVOICE</object><fields>*</fields>"
                                 "<query>{filter}</query><pagesize>{page_size}</pagesize></readByQuery>",
                                 ""});
      stream_options.emplace("filter", OptionValue{"WHENMODIFIED >= '{cursor}'", ""});
      stream_options.emplace("cursor_field", OptionValue{"WHENMODIFIED", ""});
      stream_options.emplace("cursor_format", OptionValue{"%m/%d/%Y %H:%M:%S", ""});
    } else {
      config.options["account"] = {"1234567", ""};
      config.options["consumer_key"] = {"ck", ""};
      config.options["consumer_secret"] = {"cs", ""};
      config.options["token_id"] = {"tk", ""};
      config.options["token_secret"] = {"ts", ""};
      stream_options.emplace(
          "request", OptionValue{"<search><searchRecord xsi:type=\"tranSales:TransactionSearchBasic\">"
                                 "{filter}</searchRecord></search>",
                                 ""});
      stream_options.emplace("filter",
                             OptionValue{"<platformCommon:lastModifiedDate operator=\"onOrAfter\">"
                                         "<platformCore:searchValue>{cursor}</platformCore:searchValue>"
                                         "</platformCommon:lastModifiedDate>",
                                         ""});
      stream_options.emplace("cursor_field", OptionValue{"*[local-name()='lastModifiedDate']", ""});
    }
    for (auto& [k, v] : extra) config.options[k] = v;
    config.streams.push_back({"invoices", stream_options, ""});
    ConnectorContext context;
    context.clock = &clock;
    context.make_transport = &test::make_scripted;
    auto made = xml_http_spec().create(config, context);
    REQUIRE(made);
    connector = std::move(*made);
  }
};

}  // namespace

TEST_CASE("intacct: the first read is a readByQuery with no query inside the gateway envelope") {
  Fixture f("intacct");
  f.script.answers.push_back(
      xml(intacct_page({{"1", "03/01/2025 08:00:01"}, {"2", "03/01/2025 08:00:00"}}, 4)));
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE(page);
  REQUIRE(f.script.requests.size() == 1);
  const HttpRequest& sent = f.script.requests[0];
  CHECK(sent.method == "POST");
  CHECK(sent.url == "http://erp.test:8080/gw");
  CHECK(header(sent, "Content-Type") == "application/xml");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(sent.body.c_str()));
  CHECK(std::string(doc.child("request").child("control").child_value("senderid")) == "snd");
  CHECK(std::string(doc.child("request").child("control").child_value("uniqueid")) == "false");
  auto op = doc.child("request").child("operation");
  CHECK(std::string(op.child("authentication").child_value("sessionid")) ==
        "sess<1>");  // escaped on the wire
  auto read = op.child("content").child("function").child("readByQuery");
  CHECK(std::string(read.child_value("query")).empty());
  CHECK(std::string(read.child_value("pagesize")) == "3");
  CHECK(page->records.size() == 2);
  CHECK(page->cursor == "");  // unordered (the default) and more to come: nothing to commit yet
  CHECK(page->next_page_token == "RID-1");
}

TEST_CASE("intacct: a delta read is inclusive and reaches back by the overlap in the ERP's own format") {
  Fixture f("intacct");
  f.script.answers.push_back(xml(intacct_page({})));
  auto page = f.connector->pull({"invoices", "03/01/2025 00:00:03", ""});
  REQUIRE(page);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(f.script.requests[0].body.c_str()));
  auto read = doc.select_node("//readByQuery").node();
  CHECK(std::string(read.child_value("query")) == "WHENMODIFIED >= '02/28/2025 23:59:58'");
  CHECK(page->cursor == "03/01/2025 00:00:03");  // nothing read: the cursor stays
  CHECK(page->next_page_token.empty());
}

TEST_CASE(
    "intacct: readMore continues with the resultId; an unordered stream commits its cursor at the end") {
  Fixture f("intacct");
  f.script.answers.push_back(xml(intacct_page({{"5", "03/02/2025 10:00:00"}}, 1, "RID-7")));
  f.script.answers.push_back(xml(intacct_page({{"4", "03/01/2025 10:00:00"}})));
  auto first = f.connector->pull({"invoices", "01/01/2025 00:00:00", ""});
  REQUIRE(first);
  CHECK(first->cursor == "01/01/2025 00:00:00");  // not ordered: record 4 (earlier) is still to come
  REQUIRE(first->next_page_token == "RID-7");
  auto second = f.connector->pull({"invoices", "01/01/2025 00:00:00", first->next_page_token});
  REQUIRE(second);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(f.script.requests[1].body.c_str()));
  CHECK(std::string(doc.select_node("//function/readMore").node().child_value("resultId")) == "RID-7");
  CHECK(second->next_page_token.empty());
  CHECK(second->cursor == "03/02/2025 10:00:00");  // the run's greatest, on its last page
}

TEST_CASE("intacct: an ordered stream's cursor moves with each page") {
  Fixture f("intacct", {{"ordered", {"true", ""}}});
  f.script.answers.push_back(xml(intacct_page({{"1", "03/01/2025 10:00:00"}}, 1)));
  f.script.answers.push_back(xml(intacct_page({{"2", "03/01/2025 10:00:00"}, {"3", "03/01/2025 11:00:00"}})));
  auto first = f.connector->pull({"invoices", "", ""});
  REQUIRE(first);
  CHECK(first->cursor == "03/01/2025 10:00:00");
  auto second = f.connector->pull({"invoices", "", first->next_page_token});
  REQUIRE(second);
  CHECK(second->cursor == "03/01/2025 11:00:00");  // the greatest, as the ERP wrote it
}

TEST_CASE("intacct: a failure status in a 200 answer is a permanent error with the ERP's code and words") {
  Fixture f("intacct");
  f.script.answers.push_back(xml(intacct_failure("result", "BL01001973", "Invalid query")));
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kPermanent);
  CHECK(page.error().message.find("BL01001973: Invalid query: more words: do this") != std::string::npos);
  CHECK(page.error().message.find("readByQuery failed") != std::string::npos);
  CHECK(f.script.requests.size() == 1);  // never retried
}

TEST_CASE("intacct: the gateway's rate limit (GW-0010) and configured codes are retried") {
  Fixture f("intacct", {}, {{"transient_codes", {"XL03000009, XYZ", ""}}});
  f.script.answers.push_back(xml(intacct_failure("control", "GW-0010", "Rate limit"), 429));
  f.script.answers.push_back(xml(intacct_failure("result", "XYZ", "busy")));
  f.script.answers.push_back(xml(intacct_page({{"1", "03/01/2025 10:00:00"}})));
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE(page);
  CHECK(f.script.requests.size() == 3);
  CHECK(f.clock.sleeps.size() == 2);
}

TEST_CASE("a truncated or non-XML 200 body is retried, and the final error says what was wrong") {
  Fixture f("intacct");
  std::string full = intacct_page({{"1", "03/01/2025 10:00:00"}});
  for (int i = 0; i < 3; ++i) f.script.answers.push_back(xml(full.substr(0, full.size() / 2)));
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kTransient);
  CHECK(page.error().message.find("gave up after 3 attempts") != std::string::npos);
  CHECK(page.error().message.find("not well-formed XML") != std::string::npos);
}

TEST_CASE("netsuite: search goes in a SOAP envelope with a valid token passport and page size") {
  Fixture f("netsuite");
  f.script.answers.push_back(xml(netsuite_page(1, 3, {{"101", "2025-03-01T10:00:00.000-08:00"}})));
  auto page = f.connector->pull({"invoices", "2025-03-01T18:00:05.000Z", ""});
  REQUIRE(page);
  const HttpRequest& sent = f.script.requests[0];
  CHECK(header(sent, "SOAPAction") == "search");
  CHECK(header(sent, "Content-Type") == "text/xml; charset=utf-8");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(sent.body.c_str()));
  auto passport = doc.select_node("//*[local-name()='tokenPassport']").node();
  REQUIRE(passport);
  auto field = [&](const char* name) {
    return std::string(
        passport.select_node((std::string("*[local-name()='") + name + "']").c_str()).node().text().get());
  };
  std::string base = "1234567&ck&tk&" + field("nonce") + "&" + field("timestamp");
  CHECK(field("signature") == to_base64(hmac_sha256("cs&ts", base)));
  CHECK(std::string(doc.select_node("//*[local-name()='pageSize']").node().text().get()) == "3");
  CHECK(std::string(doc.select_node("//*[local-name()='searchValue']").node().text().get()) ==
        "2025-03-01T18:00:00.000Z");
  CHECK(page->records.size() == 1);
  CHECK(page->next_page_token == "WEBSERVICES_1_abc 2");
  // Unordered by default: the cursor waits for the run's last page.
  CHECK(page->cursor == "2025-03-01T18:00:05.000Z");
}

TEST_CASE("netsuite: searchMoreWithId asks for the next page index until the last page") {
  Fixture f("netsuite");
  f.script.answers.push_back(xml(netsuite_page(3, 3, {{"103", "2025-03-01T10:00:00.000-08:00"}})));
  auto page = f.connector->pull({"invoices", "", "WEBSERVICES_1_abc 3"});
  REQUIRE(page);
  const HttpRequest& sent = f.script.requests[0];
  CHECK(header(sent, "SOAPAction") == "searchMoreWithId");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(sent.body.c_str()));
  auto more = doc.select_node("//*[local-name()='searchMoreWithId']").node();
  CHECK(std::string(more.child_value("searchId")) == "WEBSERVICES_1_abc");
  CHECK(std::string(more.child_value("pageIndex")) == "3");
  CHECK(page->next_page_token.empty());
  CHECK(page->cursor == "2025-03-01T10:00:00.000-08:00");
}

TEST_CASE(
    "netsuite: a concurrency fault (HTTP 500) is transient and retried; bad credentials are permanent") {
  {
    Fixture f("netsuite");
    f.script.answers.push_back(
        xml(netsuite_fault("exceededConcurrentRequestLimitFault", "WS_CONCUR_SESSION_DISALLWD",
                           "Only one request may be made against a session at a time"),
            500));
    f.script.answers.push_back(xml(netsuite_page(1, 1, {})));
    CHECK(f.connector->pull({"invoices", "", ""}));
    CHECK(f.script.requests.size() == 2);
  }
  Fixture f("netsuite");
  f.script.answers.push_back(xml(
      netsuite_fault("invalidCredentialsFault", "INVALID_LOGIN_CREDENTIALS", "Invalid login attempt."), 500));
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kPermanent);
  CHECK(page.error().message ==
        "SOAP fault soapenv:Server.userException (invalidCredentialsFault INVALID_LOGIN_CREDENTIALS): "
        "Invalid login attempt.");
  CHECK(f.script.requests.size() == 1);
}

TEST_CASE(
    "netsuite: an expired searchId fails the run at once as transient, so the next run searches again") {
  Fixture f("netsuite");
  f.script.answers.push_back(
      xml(std::string(kSoapOpen) +
          "<searchMoreWithIdResponse><searchResult><status isSuccess=\"false\"><statusDetail "
          "type=\"ERROR\"><code>INVALID_JOB_ID</code><message>Invalid search job id"
          "</message></statusDetail></status></searchResult></searchMoreWithIdResponse>" +
          kSoapClose));
  auto page = f.connector->pull({"invoices", "", "WEBSERVICES_1_abc 2"});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kTransient);
  CHECK(page.error().message.find("INVALID_JOB_ID") != std::string::npos);
  CHECK(f.script.requests.size() == 1);
}

TEST_CASE("intacct push: delivered with the new RECORDNO; the idempotency key is a unique control id") {
  Fixture f("intacct");
  f.script.answers.push_back(xml(
      "<response><control><status>success</status></control><operation><authentication><status>success</"
      "status>"
      "</authentication><result><status>success</status><function>create</function><controlid>k-1</controlid>"
      "<data listtype=\"objects\" count=\"1\"><arpymt><RECORDNO>4711</RECORDNO></arpymt></data></result>"
      "</operation></response>"));
  PushResult r = f.connector->push({"payment", "k-1",
                                    "<?xml version=\"1.0\"?>\n<create><ARPYMT><CUSTOMERID>C1"
                                    "</CUSTOMERID></ARPYMT></create>"});
  CHECK(r.status == PushStatus::kDelivered);
  CHECK(r.erp_ref == "4711");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(f.script.requests[0].body.c_str()));
  CHECK(std::string(doc.select_node("/request/control/controlid").node().text().get()) == "k-1");
  CHECK(std::string(doc.select_node("/request/control/uniqueid").node().text().get()) == "true");
  CHECK(doc.select_node("//function[@controlid='k-1']/create/ARPYMT/CUSTOMERID"));
}

TEST_CASE("push outcomes: refused is Reject; 503/429 are Retry; no answer, cut-off, 500 or a used control id are Unknown") {
  Fixture f("intacct", {}, {{"duplicate_codes", {"DUP-1, DUP-2", ""}}});
  f.script.answers.push_back(xml(intacct_failure("result", "BL34000061", "Customer C9 not found")));
  PushResult refused = f.connector->push({"payment", "k-2", "<create/>"});
  CHECK(refused.status == PushStatus::kReject);
  CHECK(refused.message.find("Customer C9 not found") != std::string::npos);

  f.script.answers.push_back(xml("<html>busy</html>", 503));
  CHECK(f.connector->push({"payment", "k-3", "<create/>"}).status == PushStatus::kRetry);

  HttpResponse limited = xml(intacct_failure("control", "GW-0010", "Rate limit"), 429);
  limited.headers.emplace_back("Retry-After", "7");
  f.script.answers.push_back(limited);
  PushResult r429 = f.connector->push({"payment", "k-4", "<create/>"});
  CHECK(r429.status == PushStatus::kRetry);
  REQUIRE(r429.retry_after);
  CHECK(*r429.retry_after == 7s);
  f.script.answers.push_back(xml(intacct_failure("control", "GW-0010", "Rate limit")));  // written in a 200
  CHECK(f.connector->push({"payment", "k-4b", "<create/>"}).status == PushStatus::kRetry);

  // The request may have reached the ERP: the outbox must look the key up before any re-send.
  f.script.answers.push_back(fail(ErrorKind::kTransient, "connection reset"));
  CHECK(f.connector->push({"payment", "k-5", "<create/>"}).status == PushStatus::kUnknown);
  f.script.answers.push_back(xml("<response><control><status>succ"));
  CHECK(f.connector->push({"payment", "k-6", "<create/>"}).status == PushStatus::kUnknown);
  f.script.answers.push_back(xml(intacct_failure("control", "XX-1", "failed mid-process"), 500));
  CHECK(f.connector->push({"payment", "k-7", "<create/>"}).status == PushStatus::kUnknown);
  f.script.answers.push_back(xml(intacct_failure("result", "DUP-2", "control id used")));
  PushResult used = f.connector->push({"payment", "k-8", "<create/>"});
  CHECK(used.status == PushStatus::kUnknown);
  CHECK(used.message.find("seen this control id before") != std::string::npos);
  CHECK(f.script.requests.size() == 8);  // one request each: the outbox decides about retries
}

TEST_CASE("intacct lookup: the stream's lookup read finds a pushed item by its key, or says it is not there") {
  Fixture f("intacct", {{"lookup", {"<readByQuery><object>ARPYMT</object><fields>RECORDNO</fields><query>"
                                    "DESCRIPTION = '{key}'</query><pagesize>2</pagesize></readByQuery>", ""}}});
  f.script.answers.push_back(xml(
      "<response><control><status>success</status></control><operation><authentication><status>success"
      "</status></authentication><result><status>success</status><function>readByQuery</function><data "
      "listtype=\"arpymt\" count=\"1\" totalcount=\"1\" numremaining=\"0\"><arpymt><RECORDNO>812</RECORDNO>"
      "</arpymt></data></result></operation></response>"));
  auto found = f.connector->lookup({"payment", "pay_a&b", "<create/>", "invoices"});
  REQUIRE(found);
  REQUIRE(*found);
  CHECK(**found == "812");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(f.script.requests[0].body.c_str()));
  CHECK(std::string(doc.select_node("//function/readByQuery/query").node().text().get()) ==
        "DESCRIPTION = 'pay_a&b'");
  CHECK(std::string(doc.select_node("/request/control/uniqueid").node().text().get()) == "false");

  f.script.answers.push_back(xml(intacct_page({})));
  auto absent = f.connector->lookup({"payment", "pay_c", "<create/>", "invoices"});
  REQUIRE(absent);
  CHECK_FALSE(*absent);

  auto quoted = f.connector->lookup({"payment", "pay_'x", "<create/>", "invoices"});
  REQUIRE_FALSE(quoted);
  CHECK(quoted.error().message.find("cannot be looked up") != std::string::npos);
  auto no_lookup = f.connector->lookup({"payment", "pay_d", "<create/>", "other"});
  CHECK_FALSE(no_lookup);
  CHECK(f.script.requests.size() == 2);
}

TEST_CASE("netsuite push: add is delivered with the baseRef internalId; isSuccess=false is a Reject") {
  Fixture f("netsuite");
  f.script.answers.push_back(
      xml(std::string(kSoapOpen) +
          "<addResponse><writeResponse><platformCore:status isSuccess=\"true\" "
          "xmlns:platformCore=\"urn:core_2024_2.platform.webservices.netsuite.com\"/>"
          "<baseRef internalId=\"9001\" type=\"customerPayment\" xsi:type=\"platformCore:RecordRef\" "
          "xmlns:platformCore=\"urn:core_2024_2.platform.webservices.netsuite.com\"/>"
          "</writeResponse></addResponse>" +
          kSoapClose));
  PushResult ok =
      f.connector->push({"payment", "k-1", "<add><record xsi:type=\"tranCust:CustomerPayment\"/></add>"});
  CHECK(ok.status == PushStatus::kDelivered);
  CHECK(ok.erp_ref == "9001");
  CHECK(header(f.script.requests[0], "SOAPAction") == "add");

  f.script.answers.push_back(
      xml(std::string(kSoapOpen) +
          "<addResponse><writeResponse><status isSuccess=\"false\"><statusDetail type=\"ERROR\">"
          "<code>INVALID_KEY_OR_REF</code><message>Invalid customer reference key 77.</message>"
          "</statusDetail></status></writeResponse></addResponse>" +
          kSoapClose));
  PushResult refused = f.connector->push({"payment", "k-2", "<add/>"});
  CHECK(refused.status == PushStatus::kReject);
  CHECK(refused.message.find("INVALID_KEY_OR_REF: Invalid customer reference key 77.") != std::string::npos);
}

TEST_CASE("bad configuration is refused at creation with the reason") {
  test::Script script;
  g_script = &script;
  ConnectorConfig config;
  config.name = "erp";
  config.options = {{"base_url", {"http://erp.test/gw", ""}}, {"dialect", {"sap", "arsync.yaml:3:5"}}};
  auto made = xml_http_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(made);
  CHECK(made.error().message.find("dialect must be intacct or netsuite") != std::string::npos);
  CHECK(made.error().where == "arsync.yaml:3:5");
  config.options["dialect"] = {"intacct", ""};
  config.streams.push_back(
      {"s", {{"request", {"<readByQuery/>", ""}}, {"cursor_field", {"WHEN[", ""}}}, "a.yaml:9:3"});
  made = xml_http_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(made);
  CHECK(made.error().message.find("cursor_field \"WHEN[\" is not an XPath") != std::string::npos);
}

TEST_CASE("intacct: a failure answered with 5xx is a mid-process failure, retried whatever its code") {
  Fixture f("intacct");
  f.script.answers.push_back(xml(intacct_failure("control", "XX-1", "internal error"), 500));
  f.script.answers.push_back(xml(intacct_page({})));
  CHECK(f.connector->pull({"invoices", "", ""}));
  CHECK(f.script.requests.size() == 2);
}

TEST_CASE("intacct detail_request: each page's records are read again whole by their keys, 100 at a time") {
  Fixture f("intacct", {{"detail_request", {"<read><object>ARINVOICE</object><keys>{keys}</keys><fields>*"
                                            "</fields></read>", ""}}});
  const std::string open = "<response><control><status>success</status></control><operation><authentication>"
                           "<status>success</status></authentication><result><status>success</status>";
  const std::string close = "</data></result></operation></response>";
  // A page of 150 headers and, after the 120th, one without a RECORDNO.
  std::string headers = open + "<function>readByQuery</function><data listtype=\"arinvoice\" numremaining=\"0\">";
  for (int i = 1; i <= 150; ++i) {
    headers += "<arinvoice><RECORDNO>" + std::to_string(i) +
               "</RECORDNO><WHENMODIFIED>03/01/2025 10:00:00</WHENMODIFIED></arinvoice>";
    if (i == 120) headers += "<arinvoice><WHENMODIFIED>03/01/2025 10:00:01</WHENMODIFIED></arinvoice>";
  }
  f.script.answers.push_back(xml(headers + close));
  auto read_answer = [&](int from, int to) {
    std::string body = open + "<function>read</function><data listtype=\"arinvoice\">";
    for (int i = from; i <= to; ++i)
      if (i != 7)  // deleted between the two reads: left out
        body += "<arinvoice><RECORDNO>" + std::to_string(i) +
                "</RECORDNO><ARINVOICEITEMS><arinvoiceitem><LINE_NO>1</LINE_NO></arinvoiceitem></ARINVOICEITEMS>"
                "</arinvoice>";
    return xml(body + close);
  };
  f.script.answers.push_back(read_answer(1, 100));    // a full batch
  f.script.answers.push_back(read_answer(101, 120));  // the batch before the keyless header
  f.script.answers.push_back(read_answer(121, 150));  // the rest
  auto page = f.connector->pull({"invoices", "", ""});
  REQUIRE(page);
  REQUIRE(f.script.requests.size() == 4);
  auto keys = [&](std::size_t request) {
    pugi::xml_document doc;
    REQUIRE(doc.load_string(f.script.requests[request].body.c_str()));
    return std::string(doc.select_node("//function/read/keys").node().text().get());
  };
  CHECK(keys(1).starts_with("1,2,3,"));
  CHECK(keys(1).ends_with(",99,100"));
  CHECK(keys(2).starts_with("101,102,"));
  CHECK(keys(2).ends_with(",120"));
  CHECK(keys(3).starts_with("121,"));
  CHECK(keys(3).ends_with(",150"));
  REQUIRE(page->records.size() == 150);  // 150 headers + 1 keyless - 1 deleted
  CHECK(page->records[0].raw.find("<ARINVOICEITEMS>") != std::string::npos);
  CHECK(page->records[6].raw.find("<RECORDNO>8</RECORDNO>") != std::string::npos);
  CHECK(page->records[119].raw.find("RECORDNO") == std::string::npos);  // passed on as it came
  CHECK(page->records[120].raw.find("<RECORDNO>121</RECORDNO><ARINVOICEITEMS>") != std::string::npos);
  CHECK(page->cursor == "03/01/2025 10:00:01");  // taken from the headers
}
