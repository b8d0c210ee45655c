// XML: read_xml_records over namespaced and SOAP bodies, format: xml mappings with XPath paths
// (compiled once), child collections by XPath, "^" parent paths, and XPath load problems.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mapping/mapping.hpp"
#include "mapping/xml_namespaces.hpp"
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
  status: { from: "*[local-name()='State']", map: { O: open }, else: reject }
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

namespace {

// Maps every record of an XML page: one line per record (fields, then [children]), "skip" for
// records the mapping's when: leaves out.
std::vector<std::string> map_page(const Mapping& mapping, const XmlPage& page) {
  std::vector<std::string> out;
  for (const Record& r : page.records) {
    auto e = mapping.map_if(r);
    if (!e) {
      out.push_back("reject " + e.error().describe());
      continue;
    }
    if (!*e) {
      out.push_back("skip");
      continue;
    }
    std::string line;
    auto add = [&](const Entity& entity, std::string& text) {
      for (std::size_t i = 0; i < entity.spec->fields.size(); ++i) {
        const Value& v = entity.values[i];
        if (std::holds_alternative<std::monostate>(v)) continue;
        text +=
            (text.empty() || text.back() == '[' ? "" : " ") + std::string(entity.spec->fields[i].name) + "=";
        if (auto* s = std::get_if<std::string>(&v)) text += *s;
        if (auto* m = std::get_if<Money>(&v)) text += std::to_string(m->minor) + " " + m->currency;
        if (auto* n = std::get_if<std::int64_t>(&v)) text += std::to_string(*n);
      }
    };
    add(**e, line);
    for (const Entity& child : (*e)->children[0]) {
      line += " [";
      add(child, line);
      line += "]";
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("namespaces: prefixes of the mapping's choosing select by URI, whatever prefixes the ERP writes") {
  auto mapping = Mapping::load(kRoot + "/tests/fixtures/soap/invoices.yaml");
  if (!mapping) FAIL(mapping.error().front().describe());
  // records:/next_link: come back resolved, ready for read_xml_page (what the connector calls).
  CHECK(mapping->records_path()->find("namespace-uri()='urn:example:erp:invoices:v1'") != std::string::npos);

  auto page1 = read_xml_page(slurp(kRoot + "/tests/fixtures/soap/invoices-page1.xml"),
                             *mapping->records_path(), *mapping->next_link_path());
  REQUIRE(page1);
  CHECK(page1->next_link == "cursor-2");
  REQUIRE(page1->records.size() == 2);  // <Invoice xmlns="urn:example:other"> is not selected
  auto out = map_page(*mapping, *page1);
  CHECK(out[0] ==
        "erp_id=SI-1001 number=SI-1001 customer=C000001 issue_date=2024-02-29 currency=EUR total=123450 EUR "
        "balance=0 EUR status=paid erp_updated_at=2024-03-01T09:15:00.000Z "
        "[line_no=1 item=DESK amount=100000 EUR] [line_no=2 item=CHAIR amount=23450 EUR]");
  CHECK(out[1] ==
        "erp_id=SI-1002 number=SI-1002 customer=C000002 issue_date=2024-03-04 currency=EUR total=9990 EUR "
        "balance=9990 EUR status=open erp_updated_at=2024-03-04T08:00:00.000Z");

  auto page2 = read_xml_page(slurp(kRoot + "/tests/fixtures/soap/invoices-page2.xml"),
                             *mapping->records_path(), *mapping->next_link_path());
  REQUIRE(page2);
  CHECK_FALSE(page2->next_link);  // the last page: no next attribute
  out = map_page(*mapping, *page2);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "skip");  // k:kind="purchase": the same attribute under another prefix
  CHECK(
      out[1] ==
      "erp_id=SI-1003 number=SI-1003 customer=C000001 issue_date=2024-03-05 currency=EUR total=1000 EUR "
      "balance=1000 EUR status=open erp_updated_at=2024-03-05T00:00:00.000Z [line_no=1 item=PEN amount=1000 "
      "EUR]");
}

TEST_CASE("resolve_xml_prefixes: name tests rewritten, literals, axes, functions and numbers left alone") {
  const mapping::XmlNamespaces ns = {{"a", "urn:a"}, {"soap", "http://s/"}};
  auto resolved = [&](std::string_view xpath) {
    auto r = mapping::resolve_xml_prefixes(xpath, ns);
    return r ? *r : "error: " + r.error().message;
  };
  CHECK(resolved("a:Invoice") == "*[local-name()='Invoice' and namespace-uri()='urn:a']");
  CHECK(resolved("@a:kind") == "@*[local-name()='kind' and namespace-uri()='urn:a']");
  CHECK(resolved("a:*") == "*[namespace-uri()='urn:a']");
  CHECK(resolved("child::a:X[1]") == "child::*[local-name()='X' and namespace-uri()='urn:a'][1]");
  CHECK(resolved("a:X[a:Type='a:Y']") ==
        "*[local-name()='X' and namespace-uri()='urn:a'][*[local-name()='Type' and "
        "namespace-uri()='urn:a']='a:Y']");
  CHECK(resolved("count(Line) > 1.5") == "count(Line) > 1.5");
  CHECK(resolved("*[local-name()='Id']") == "*[local-name()='Id']");
  CHECK(resolved("b:X") ==
        "error: the prefix 'b' in 'b:X' is not declared under namespaces: (did you mean 'a'?); add it there "
        "with its namespace URI");
  CHECK(resolved("sop:Body").find("(did you mean 'soap'?)") != std::string::npos);
  // Without namespaces: a prefix is pugixml's literal match, as before.
  CHECK(*mapping::resolve_xml_prefixes("soap:Body", {}) == "soap:Body");
}

TEST_CASE("namespaces: load problems name the prefix and where") {
  auto problems = [](const std::string& yaml) {
    auto m = Mapping::parse(yaml, "ns.yaml");
    std::string out;
    if (!m)
      for (const Error& e : m.error()) out += e.describe() + "\n";
    return out;
  };
  const std::string fields = "fields:\n  erp_id: x:Id\n  name: x:Name\n";
  CHECK(problems("entity: customer\nformat: xml\nnamespaces: {x: \"urn:x\"}\n" + fields) == "");
  CHECK(
      problems("entity: customer\nformat: xml\nnamespaces: {y: \"urn:y\"}\n" + fields) ==
      "ns.yaml:5:11: the prefix 'x' in 'x:Id' is not declared under namespaces: (did you mean 'y'?); add it "
      "there with its namespace URI\n"
      "ns.yaml:6:9: the prefix 'x' in 'x:Name' is not declared under namespaces: (did you mean 'y'?); add it "
      "there with its namespace URI\n");
  CHECK(problems("entity: customer\nnamespaces: {x: \"urn:x\"}\nfields:\n  erp_id: Id\n  name: Name\n") ==
        "ns.yaml:2:1: namespaces: belongs to format: xml mappings (JSON has no namespaces); remove it\n");
  CHECK(problems("entity: customer\nformat: xml\nnamespaces: {\"1x\": \"urn:x\", x: \"\"}\n" + fields) ==
        "ns.yaml:3:14: namespaces: '1x' is not a prefix: use letters, digits, - and _ (starting with a "
        "letter)\n"
        "ns.yaml:3:32: namespaces: x: needs the namespace URI the ERP's XML declares (xmlns:x=\"...\")\n");
  CHECK(problems("entity: customer\nformat: xml\nrecords: \"//Invoice[\"\n" + fields.substr(0, 7) +
                 "\n  erp_id: Id\n  name: Name\n") ==
        "ns.yaml:3:10: records: '//Invoice[' is not an XPath: Unrecognized node test\n");
}

TEST_CASE("read_xml_page: next_link as an element's text, a computed string, absent or empty") {
  const std::string body = "<r><Next>https://erp/p2</Next><Empty/><I>1</I><I>2</I></r>";
  auto page = read_xml_page(body, "/r/I", "/r/Next");
  REQUIRE(page);
  CHECK(page->records.size() == 2);
  CHECK(page->next_link == "https://erp/p2");
  CHECK(read_xml_page(body, "/r/I", "concat('p', count(/r/I))")->next_link == "p2");
  CHECK_FALSE(read_xml_page(body, "/r/I", "/r/Missing")->next_link);
  CHECK_FALSE(read_xml_page(body, "/r/I", "/r/Empty")->next_link);
  CHECK_FALSE(read_xml_page(body, "/r/I", "")->next_link);
  CHECK(read_xml_page(body, "/r/I", "/r/[")
            .error()
            .message.starts_with("next_link: \"/r/[\" is not an XPath: "));
}
