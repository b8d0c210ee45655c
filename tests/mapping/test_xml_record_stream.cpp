// XmlRecordStream: an XML file's records a page at a time. Every shipped XML example read in
// pages of 1 and 2 gives exactly what read_xml_records gives for the whole file (raw text and
// mapped entity); a malformed file is refused whole with its line; ancestors stay visible.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <pugixml.hpp>

#include "mapping/mapping.hpp"
#include "mapping/xml_reader.hpp"
#include "mapping/xml_record_stream.hpp"
#include "tests/mapping/entity_text.hpp"

using namespace arsync;
using test::show;
using test::slurp;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

// A temp file holding `text`, open for reading; removed when done.
struct TempXml {
  explicit TempXml(const std::string& text) {
    char name[] = "/tmp/xml-stream-XXXXXX";
    fd = mkstemp(name);
    REQUIRE(fd >= 0);
    ::unlink(name);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  ~TempXml() { ::close(fd); }
  int fd;
};

// Each record as the mapping reads it, with its raw text.
std::vector<std::string> show_all(const Mapping& mapping, const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) {
    auto entity = mapping.map_if(r);
    out.push_back(r.raw + "\n=> " + (!entity ? "reject " + entity.error().describe() : !*entity ? "skip" : show(**entity)));
  }
  return out;
}

std::vector<Record> streamed(int fd, const std::string& xpath, std::size_t page, std::size_t* pages = nullptr) {
  auto stream = XmlRecordStream::open(fd, xpath);
  REQUIRE(stream);
  std::vector<Record> all;
  while (!stream->done()) {
    auto records = stream->next(page);
    REQUIRE_MESSAGE(records, records.error().describe());
    CHECK(records->size() <= page);
    if (pages) ++*pages;
    for (Record& r : *records) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace

TEST_CASE("every shipped XML example read in pages gives exactly the records of the whole file") {
  struct Case {
    const char *mapping, *fixture;
    std::size_t records;
  };
  const Case cases[] = {
      {"sap-idoc/customers", "sap-idoc/DEBMAS06_customers.xml", 3},
      {"sap-idoc/invoices", "sap-idoc/INVOIC02_invoices.xml", 2},
      {"netsuite/customers", "netsuite/customer-search.xml", 0},
      {"netsuite/invoices", "netsuite/invoice-search.xml", 0},
      {"netsuite/invoices", "netsuite/invoice-searchMoreWithId.xml", 0},
      {"netsuite/payments", "netsuite/customerPayment-search.xml", 0},
      {"netsuite/credit_memos", "netsuite/creditMemo-search.xml", 0},
      {"sage-intacct/customers", "sage-intacct/customer-readByQuery.xml", 0},
      {"sage-intacct/invoices", "sage-intacct/arinvoice-readByQuery.xml", 0},
      {"sage-intacct/payments", "sage-intacct/arpymt-readMore.xml", 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.fixture);
    auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/" + c.mapping + ".yaml");
    if (!mapping) FAIL(mapping.error().front().describe());
    const std::string xpath = mapping->records_path().value_or("/*/*");
    REQUIRE(stream_path(xpath));
    const std::string text = slurp(kRoot + "/tests/fixtures/" + c.fixture);
    auto whole = read_xml_records(text, xpath);
    REQUIRE(whole);
    REQUIRE(!whole->empty());
    if (c.records) CHECK(whole->size() == c.records);
    TempXml file(text);
    auto count = XmlRecordStream::check(file.fd, xpath);
    REQUIRE(count);
    CHECK(*count == whole->size());
    for (std::size_t page : {1, 2, 1000}) {
      std::size_t pages = 0;
      auto records = streamed(file.fd, xpath, page, &pages);
      CHECK(show_all(*mapping, records) == show_all(*mapping, *whole));
      CHECK(pages >= (whole->size() + page - 1) / page);
    }
  }
}

TEST_CASE("only simple absolute child paths are streamed") {
  CHECK(stream_path("/*/*"));
  CHECK(stream_path("/*/IDOC/E1KNA1M"));
  CHECK(stream_path("/soap:Envelope/soap:Body/*/core:record"));
  CHECK(stream_path("/*[local-name()='Envelope' and namespace-uri()='urn:s']/*[namespace-uri()='urn:s']/"
                    "*[local-name()='x']"));
  CHECK(stream_path("/a/b.c/d-e/_f"));
  CHECK(!stream_path(""));
  CHECK(!stream_path("/"));
  CHECK(!stream_path("IDOC/E1KNA1M"));
  CHECK(!stream_path("//Invoice"));
  CHECK(!stream_path("/*/IDOC[1]"));
  CHECK(!stream_path("/*/IDOC[E1EDK01]"));
  CHECK(!stream_path("/*/text()"));
  CHECK(!stream_path("/*/@id"));
  CHECK(!stream_path("/a/child::b"));
  CHECK(!stream_path("/a|/b"));
  CHECK(!stream_path("//*[local-name()='QueryResponse']/*[local-name()='Invoice']"));
}

TEST_CASE("a record sees its ancestors and their attributes, not their other children") {
  const std::string xml =
      "<?xml version='1.0'?>\n<Export xmlns:x='urn:x' run='7'>\n"
      "  <Batch id='B1'><Header>skip me</Header><Inv><No>1</No><Note><![CDATA[a <b>]]></Note></Inv>"
      "<Inv><No>2</No><x:Tag>t</x:Tag></Inv></Batch>\n"
      "  <!-- a comment -->\n  <Batch id='B2'><Inv><No>3</No> <Mixed>a<i>b</i>c</Mixed></Inv></Batch>\n</Export>\n";
  TempXml file(xml);
  auto records = streamed(file.fd, "/*/Batch/Inv", 2);
  REQUIRE(records.size() == 3);
  std::vector<std::string> raw, batch, header, run, ns;
  for (const Record& r : records) {
    raw.push_back(r.raw);
    pugi::xml_node inv(r.xml_element);
    batch.push_back(inv.select_node("../@id").attribute().value());
    header.push_back(inv.select_node("../Header") ? "header" : "-");
    run.push_back(inv.select_node("/Export/@run").attribute().value());
    auto tag = inv.select_node("*[local-name()='Tag' and namespace-uri()='urn:x']");
    ns.push_back(tag ? tag.node().text().get() : "-");
  }
  CHECK(raw == std::vector<std::string>{"<Inv><No>1</No><Note><![CDATA[a <b>]]></Note></Inv>",
                                        "<Inv><No>2</No><x:Tag>t</x:Tag></Inv>",
                                        "<Inv><No>3</No><Mixed>a<i>b</i>c</Mixed></Inv>"});
  CHECK(batch == std::vector<std::string>{"B1", "B1", "B2"});
  CHECK(header == std::vector<std::string>{"-", "-", "-"});  // siblings that are not records are not kept
  CHECK(run == std::vector<std::string>{"7", "7", "7"});
  CHECK(ns == std::vector<std::string>{"-", "t", "-"});
  // The same raw text as the whole-file reader gives.
  auto whole = read_xml_records(xml, "/*/Batch/Inv");
  REQUIRE(whole);
  for (std::size_t i = 0; i < 3; ++i) CHECK((*whole)[i].raw == raw[i]);
}

TEST_CASE("a malformed file is refused whole by check(), naming line and column, however late the error") {
  std::string xml = "<Export>\n";
  for (int i = 0; i < 5000; ++i) xml += "  <Inv><No>" + std::to_string(i) + "</No></Inv>\n";
  xml += "  <Inv><No>late</Inv>\n</Export>\n";  // line 5002: <No> never closed
  TempXml file(xml);
  auto checked = XmlRecordStream::check(file.fd, "/*/*");
  REQUIRE(!checked);
  CHECK(checked.error().kind == ErrorKind::kInvalidInput);
  CHECK(checked.error().message.find("line 5002, column ") == 0);
  CHECK(checked.error().message.find("mismatched tag") != std::string::npos);

  TempXml truncated("<Export><Inv><No>1</No></Inv><Inv>");
  auto cut = XmlRecordStream::check(truncated.fd, "/*/*");
  REQUIRE(!cut);
  CHECK(cut.error().message.find("line 1, column") == 0);

  TempXml fine("<Export><Inv/><Other><Inv/></Other><Inv/></Export>");
  auto count = XmlRecordStream::check(fine.fd, "/Export/Inv");
  REQUIRE(count);
  CHECK(*count == 2);
}

TEST_CASE("UTF-16, ISO-8859-1 and windows-1252 files are read as UTF-8 text") {
  TempXml latin1("<?xml version='1.0' encoding='ISO-8859-1'?><E><I><N>Caf\xE9</N></I></E>");
  TempXml cp1252("<?xml version='1.0' encoding='windows-1252'?><E><I><N>\x80 5 \x96 \x93ok\x94</N></I></E>");
  const std::u16string text = u"<?xml version='1.0' encoding='UTF-16'?><E><I><N>Gr\u00FC\u00DFe</N></I></E>";
  std::string utf16 = "\xFF\xFE";  // little-endian, with its byte order mark
  for (char16_t c : text) utf16 += {static_cast<char>(c & 0xFF), static_cast<char>(c >> 8)};
  TempXml wide(utf16);
  auto value = [](int fd) {
    auto records = streamed(fd, "/E/I", 10);
    REQUIRE(records.size() == 1);
    return std::string(pugi::xml_node(records[0].xml_element).child_value("N"));
  };
  CHECK(value(latin1.fd) == "Caf\u00E9");
  CHECK(value(cp1252.fd) == "\u20AC 5 \u2013 \u201Cok\u201D");
  CHECK(value(wide.fd) == "Gr\u00FC\u00DFe");
  TempXml unknown("<?xml version='1.0' encoding='x-klingon'?><E/>");
  auto refused = XmlRecordStream::check(unknown.fd, "/E/I");
  REQUIRE(!refused);
  CHECK(refused.error().message.find("line 1, column") == 0);
}
