// XML: read_xml_records over namespaced and SOAP bodies, format: xml mappings with XPath paths
// (compiled once), child collections by XPath, "^" parent paths, and XPath load problems.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mapping/mapping.hpp"
#include "mapping/xml_reader.hpp"

using namespace arsync;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("QBO XML invoices: namespaced elements by local-name(), item lines by XPath predicate") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/quickbooks-online/invoices-xml.yaml");
  if (!mapping) FAIL(mapping.error().front().describe());
  auto records = read_xml_records(slurp(kRoot + "/tests/fixtures/quickbooks-online/invoices.xml"),
                                  *mapping->records_path());
  REQUIRE(records);
  REQUIRE(records->size() == 1);
  CHECK(mapping->record_key((*records)[0]) == "130");
  auto e = mapping->map((*records)[0]);
  if (!e) FAIL(e.error().describe());
  CHECK(validate(*e));
  CHECK(std::get<std::string>(e->get("customer")) == "24");
  CHECK(std::get<std::string>(e->get("issue_date")) == "2014-09-19");
  CHECK(std::get<Money>(e->get("total")) == Money{31077, "USD"});
  CHECK(std::get<Money>(e->get("tax")) == Money{2302, "USD"});
  CHECK(std::get<std::string>(e->get("status")) == "open");
  CHECK(std::get<std::string>(e->get("erp_updated_at")) == "2014-09-19T20:16:17.000Z");
  REQUIRE(e->children[0].size() == 2);  // the SubTotalLineDetail line is not selected
  CHECK(std::get<std::string>(e->children[0][1].get("item")) == "Pump");
  CHECK(std::get<std::int64_t>(e->children[0][1].get("line_no")) == 2);
  CHECK(std::get<Money>(e->children[0][1].get("amount")) == Money{1275, "USD"});
  CHECK(std::get<Decimal>(e->children[0][1].get("unit_price")).to_string() == "12.75");
}

TEST_CASE("a SOAP envelope: records by local-name(), parent values with ^, when: on XML, missing vs empty") {
  const std::string body = R"(<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
 <GetInvoicesResponse xmlns="urn:erp">
  <Invoice kind="sales"><No>SI-1</No><Cust>C1</Cust><Cur>EUR</Cur><Date>03.02.2025</Date>
   <Total>1.234,50</Total><Open>1.234,50</Open><State>O</State><Ref></Ref>
   <Line><Pos>1</Pos><Amt>1.234,50</Amt></Line></Invoice>
  <Invoice kind="purchase"><No>PI-9</No></Invoice>
 </GetInvoicesResponse></soap:Body></soap:Envelope>)";
  const std::string yaml = R"(entity: invoice
format: xml
when: { from: "@kind", equals: sales }
fields:
  erp_id: "*[local-name()='No']"
  number: "*[local-name()='No']"
  customer: "*[local-name()='Cust']"
  issue_date: { from: "*[local-name()='Date']", date: "%d.%m.%Y" }
  currency: "*[local-name()='Cur']"
  total: { from: "*[local-name()='Total']", money: { currency_from: "*[local-name()='Cur']", decimal_comma: true } }
  balance: { from: "*[local-name()='Open']", money: { currency_from: "*[local-name()='Cur']", decimal_comma: true } }
  status: { from: "*[local-name()='State']", map: { O: open } }
  po_number: { from: "*[local-name()='Ref']", default: none }
  terms: { from: "*[local-name()='Terms']", default: missing }
lines:
  from: "*[local-name()='Line']"
  fields:
    line_no: "*[local-name()='Pos']"
    amount: { from: "*[local-name()='Amt']", money: { currency_from: "^*[local-name()='Cur']", decimal_comma: true } }
)";
  auto mapping = Mapping::parse(yaml, "soap.yaml");
  if (!mapping) FAIL(mapping.error().front().describe());
  auto records = read_xml_records(body, "//*[local-name()='Invoice']");
  REQUIRE(records);
  REQUIRE(records->size() == 2);
  CHECK((*records)[1].raw == "<Invoice kind=\"purchase\"><No>PI-9</No></Invoice>");
  CHECK_FALSE(mapping->applies((*records)[1]));
  auto e = mapping->map((*records)[0]);
  if (!e) FAIL(e.error().describe());
  CHECK(std::get<Money>(e->get("total")) == Money{123450, "EUR"});
  CHECK(std::get<std::string>(e->get("issue_date")) == "2025-02-03");
  CHECK(std::get<std::string>(e->get("po_number")) == "none");  // empty element: no value
  CHECK(std::get<std::string>(e->get("terms")) == "missing");   // no element
  REQUIRE(e->children[0].size() == 1);
  CHECK(std::get<Money>(e->children[0][0].get("amount")) == Money{123450, "EUR"});
}

TEST_CASE("XML problems: bad XPath at load, malformed bodies, JSON records given to an XML mapping") {
  auto bad =
      Mapping::parse("entity: customer\nformat: xml\nfields:\n  erp_id: \"Id[\"\n  name: Name\n", "x.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().front().describe().starts_with("x.yaml:4:11: 'Id[' is not an XPath: "));
  auto list = Mapping::parse(
      "entity: customer\nformat: xml\nfields:\n  erp_id: Id\n  name: Name\ncontacts:\n  from: count(C)\n"
      "  fields:\n    name: N\n",
      "x.yaml");
  REQUIRE_FALSE(list);
  CHECK(list.error().front().describe() ==
        "x.yaml:7:9: 'count(C)' selects no elements; a child collection's from: is an XPath to its items");
  auto records = read_xml_records("<a><b></a>", "//b");
  REQUIRE_FALSE(records);
  CHECK(records.error().message.starts_with("the XML body is not well-formed at byte "));
  CHECK_FALSE(read_xml_records("<a/>", "//b["));
  auto ok = Mapping::parse("entity: customer\nformat: xml\nfields:\n  erp_id: Id\n  name: Name\n", "x.yaml");
  REQUIRE(ok);
  CHECK(ok->map(Record{}).error().message == "an XML mapping needs XML records (format: xml)");
}
