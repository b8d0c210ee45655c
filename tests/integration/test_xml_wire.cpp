// xml-http through the real HTTP transport against a canned loopback server: answers that are
// not XML, and push outcome classification (Delivered with the ERP's id, Retry, Reject).
#include <doctest/doctest.h>

#include <pugixml.hpp>

#include "connectors/xml_http_connector.hpp"
#include "tests/integration/support_xml.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Connector> connector(const CannedHttpServer& server, const char* dialect) {
  ConnectorConfig config;
  config.name = "erp";
  config.type = "xml-http";
  config.options = {{"base_url", {server.url("/gw"), ""}},
                    {"dialect", {dialect, ""}},
                    {"sender_id", {"snd", ""}},
                    {"session_id", {"sess", ""}},
                    {"timeout", {"10s", ""}}};
  auto made = xml_http_spec().create(config, ConnectorContext{});
  REQUIRE(made);
  return std::move(*made);
}

// The Intacct create ARPYMT body a mapping's push section renders (etc/mappings/examples/sage-intacct).
const std::string kArpymt =
    "<create><ARPYMT><FINANCIALENTITY>BOA</FINANCIALENTITY><PAYMENTMETHOD>Credit Card</PAYMENTMETHOD>"
    "<CUSTOMERID>C000001</CUSTOMERID><RECEIPTDATE>12/01/2025</RECEIPTDATE><CURRENCY>USD</CURRENCY>"
    "<ARPYMTDETAILS><ARPYMTDETAIL><RECORDKEY>42</RECORDKEY><TRX_PAYMENTAMOUNT>108.25</TRX_PAYMENTAMOUNT>"
    "</ARPYMTDETAIL></ARPYMTDETAILS></ARPYMT></create>";

std::string intacct_answer(const std::string& result) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><control><status>success</status></control>"
         "<operation><authentication><status>success</status></authentication>" +
         result + "</operation></response>";
}

}  // namespace

TEST_CASE("a pull answered with malformed XML is retried, then fails naming the byte; nothing is returned") {
  CannedHttpServer server;
  for (int i = 0; i < 2; ++i)
    server.push({200,
                 "<response><control><status>success</status></control><operation><result><data>"
                 "<arinvoice><RECORDNO>1</RECORDNO></arinvoce></data></result></operation></response>"});
  ConnectorConfig config;
  config.name = "erp";
  config.options = {{"base_url", {server.url("/gw"), ""}},
                    {"dialect", {"intacct", ""}},
                    {"retries", {"2", ""}},
                    {"backoff_base", {"1ms", ""}}};
  config.streams.push_back(
      {"invoices", {{"request", {"<readByQuery><object>ARINVOICE</object></readByQuery>", ""}}}, ""});
  auto made = xml_http_spec().create(config, ConnectorContext{});
  REQUIRE(made);
  auto page = (*made)->pull({"invoices", "", ""});
  REQUIRE_FALSE(page);
  CHECK(page.error().kind == ErrorKind::kTransient);
  CHECK(page.error().message.find("gave up after 2 attempts: the answer is not well-formed XML at byte") !=
        std::string::npos);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("intacct push over HTTP: created is Delivered, refused is Reject, 503/429 Retry, a cut-off answer Unknown") {
  CannedHttpServer server;
  server.push(
      {200, intacct_answer("<result><status>success</status><function>create</function><controlid>key-1"
                           "</controlid><data listtype=\"objects\" count=\"1\"><arpymt><RECORDNO>5012"
                           "</RECORDNO></arpymt></data></result>")});
  server.push(
      {200, intacct_answer("<result><status>failure</status><function>create</function><errormessage>"
                           "<error><errorno>BL01001973</errorno><description>Invalid customer"
                           "</description><description2>Customer C999999 does not exist"
                           "</description2><correction></correction></error></errormessage></result>")});
  server.push({503, "<html>maintenance</html>"});
  server.push({429,
               "<response><control><status>failure</status></control><errormessage><error><errorno>GW-0010"
               "</errorno><description>Rate limit</description></error></errormessage></response>",
               {{"Retry-After", "12"}}});
  server.push({200,
               intacct_answer("<result><status>success</status><function>create</function><data>"
                              "<arpymt><RECORDNO>5013</RECORDNO></arpymt></data></result>"),
               {},
               true});
  auto erp = connector(server, "intacct");

  PushResult delivered = erp->push({"payment", "key-1", kArpymt});
  CHECK(delivered.status == PushStatus::kDelivered);
  CHECK(delivered.erp_ref == "5012");
  PushResult refused = erp->push({"payment", "key-2", kArpymt});
  CHECK(refused.status == PushStatus::kReject);
  CHECK(refused.message.find("BL01001973: Invalid customer: Customer C999999 does not exist") !=
        std::string::npos);
  CHECK(erp->push({"payment", "key-3", kArpymt}).status == PushStatus::kRetry);
  PushResult limited = erp->push({"payment", "key-4", kArpymt});
  CHECK(limited.status == PushStatus::kRetry);
  REQUIRE(limited.retry_after);
  CHECK(*limited.retry_after == 12s);
  PushResult lost = erp->push({"payment", "key-5", kArpymt});  // the answer was cut off
  CHECK(lost.status == PushStatus::kUnknown);                    // looked up before any re-send

  auto requests = server.requests();
  REQUIRE(requests.size() == 5);
  CHECK(requests[0].headers["content-type"] == "application/xml");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(requests[0].body.c_str()));
  CHECK(std::string(doc.select_node("/request/control/controlid").node().text().get()) == "key-1");
  CHECK(std::string(doc.select_node("/request/control/uniqueid").node().text().get()) == "true");
  CHECK(std::string(doc.select_node("//content/function/create/ARPYMT/ARPYMTDETAILS/ARPYMTDETAIL/"
                                    "TRX_PAYMENTAMOUNT")
                        .node()
                        .text()
                        .get()) == "108.25");
}

TEST_CASE("netsuite push over HTTP: add is Delivered with the internalId; a fault is classified") {
  CannedHttpServer server;
  const std::string open =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
      "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
  const std::string close = "</soapenv:Body></soapenv:Envelope>";
  server.push(
      {200, open +
                "<addResponse xmlns=\"urn:messages_2024_2.platform.webservices.netsuite.com\">"
                "<writeResponse><platformCore:status isSuccess=\"true\" xmlns:platformCore="
                "\"urn:core_2024_2.platform.webservices.netsuite.com\"/><baseRef internalId=\"88123\" "
                "type=\"customerPayment\" xsi:type=\"platformCore:RecordRef\" xmlns:platformCore="
                "\"urn:core_2024_2.platform.webservices.netsuite.com\"/></writeResponse></addResponse>" +
                close});
  server.push(
      {500, open +
                "<soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>"
                "Request limit exceeded</faultstring><detail><platformFaults:exceededRequestLimitFault "
                "xmlns:platformFaults=\"urn:faults_2024_2.platform.webservices.netsuite.com\">"
                "<platformFaults:code>WS_REQUEST_BLOCKED</platformFaults:code><platformFaults:message>"
                "Request limit exceeded</platformFaults:message></platformFaults:exceededRequestLimitFault>"
                "</detail></soapenv:Fault>" +
                close});
  server.push(
      {500, open +
                "<soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>"
                "Permission Violation</faultstring><detail><platformFaults:insufficientPermissionFault "
                "xmlns:platformFaults=\"urn:faults_2024_2.platform.webservices.netsuite.com\">"
                "<platformFaults:code>INSUFFICIENT_PERMISSION</platformFaults:code>"
                "</platformFaults:insufficientPermissionFault></detail></soapenv:Fault>" +
                close});
  ConnectorConfig config;
  auto erp = connector(server, "netsuite");
  const std::string body =
      "<add><record xsi:type=\"tranCust:CustomerPayment\"><tranCust:customer internalId=\"1412\"/>"
      "<tranCust:payment>108.25</tranCust:payment></record></add>";
  PushResult delivered = erp->push({"payment", "k1", body});
  CHECK(delivered.status == PushStatus::kDelivered);
  CHECK(delivered.erp_ref == "88123");
  CHECK(erp->push({"payment", "k2", body}).status == PushStatus::kRetry);
  PushResult denied = erp->push({"payment", "k3", body});
  CHECK(denied.status == PushStatus::kReject);
  CHECK(denied.message.find("insufficientPermissionFault INSUFFICIENT_PERMISSION") != std::string::npos);
  auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].headers["soapaction"] == "add");
  CHECK(requests[0].headers["content-type"] == "text/xml; charset=utf-8");
}
