// XML pages into Records (see xml_reader.hpp). pugixml exceptions (XPath syntax) stay here.
#include "mapping/xml_reader.hpp"

#include <pugixml.hpp>
#include <sstream>

namespace arsync {
namespace {

Result<std::shared_ptr<pugi::xml_document>> parse(std::string_view body) {
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed = doc->load_buffer(body.data(), body.size());
  if (!parsed)
    return fail(ErrorKind::kInvalidInput, std::string("the XML body is not well-formed at byte ") +
                                              std::to_string(parsed.offset) + ": " + parsed.description());
  return doc;
}

Result<std::vector<Record>> records(const std::shared_ptr<const pugi::xml_document>& doc,
                                    std::string_view record_xpath) {
  pugi::xpath_node_set nodes;
  try {
    nodes = doc->select_nodes(std::string(record_xpath).c_str());
  } catch (const pugi::xpath_exception& e) {
    return fail(ErrorKind::kInvalidInput, "records: \"" + std::string(record_xpath) +
                                              "\" is not an XPath: " + e.result().description());
  }
  std::vector<Record> out;
  out.reserve(nodes.size());
  for (const pugi::xpath_node& n : nodes) {
    if (!n.node()) continue;  // an attribute selected: not a record
    Record r;
    std::ostringstream raw;
    n.node().print(raw, "", pugi::format_raw);
    r.raw = raw.str();
    r.xml_document = doc;
    r.xml_element = n.node().internal_object();
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<std::string>> next_link(const pugi::xml_document& doc, std::string_view xpath) {
  std::string text;
  try {
    pugi::xpath_query query(std::string(xpath).c_str());
    if (query.return_type() == pugi::xpath_type_node_set) {
      pugi::xpath_node first = query.evaluate_node(doc);
      text = first.attribute() ? first.attribute().value() : first.node().text().get();
    } else {
      text = query.evaluate_string(doc);
    }
  } catch (const pugi::xpath_exception& e) {
    return fail(ErrorKind::kInvalidInput,
                "next_link: \"" + std::string(xpath) + "\" is not an XPath: " + e.result().description());
  }
  if (text.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<std::vector<Record>> select_xml_records(std::shared_ptr<const pugi::xml_document> document,
                                               std::string_view record_xpath) {
  return records(document, record_xpath);
}

Result<std::vector<Record>> read_xml_records(std::string_view body, std::string_view record_xpath) {
  auto doc = parse(body);
  if (!doc) return fail(std::move(doc.error()));
  return records(*doc, record_xpath);
}

Result<XmlPage> read_xml_page(std::string_view body, std::string_view record_xpath,
                              std::string_view next_link_xpath) {
  auto doc = parse(body);
  if (!doc) return fail(std::move(doc.error()));
  XmlPage page;
  auto found = records(*doc, record_xpath);
  if (!found) return fail(std::move(found.error()));
  page.records = std::move(*found);
  if (!next_link_xpath.empty()) {
    auto link = next_link(**doc, next_link_xpath);
    if (!link) return fail(std::move(link.error()));
    page.next_link = std::move(*link);
  }
  return page;
}

}  // namespace arsync
