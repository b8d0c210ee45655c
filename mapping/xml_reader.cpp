// XML pages into Records (see xml_reader.hpp). pugixml exceptions (XPath syntax) stay here.
#include "mapping/xml_reader.hpp"

#include <pugixml.hpp>
#include <sstream>

namespace arsync {

Result<std::vector<Record>> read_xml_records(std::string_view body, std::string_view record_xpath) {
  auto doc = std::make_shared<pugi::xml_document>();
  pugi::xml_parse_result parsed = doc->load_buffer(body.data(), body.size());
  if (!parsed)
    return fail(ErrorKind::kInvalidInput, std::string("the XML body is not well-formed at byte ") +
                                              std::to_string(parsed.offset) + ": " + parsed.description());
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

}  // namespace arsync
