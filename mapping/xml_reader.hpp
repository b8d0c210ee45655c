// XML reader: turns an ERP's XML response body (SOAP or plain XML APIs) into Records that carry
// their element, for mappings with format: xml whose paths are XPath (docs/mappings.md).
//
// The body is parsed once with pugixml into a document shared by the page's records; each
// element the record XPath selects becomes one Record (raw = the element's XML text). A
// malformed body is an InvalidInput error naming the byte offset. Namespaces: pass the XPaths
// a Mapping gives (records_path(), next_link_path()): their namespaces: prefixes are already
// resolved (xml_namespaces.hpp); written by hand, select namespaced elements with
// local-name(): "//*[local-name()='Invoice']". Thread-safe (no shared state); results own
// their memory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync {

Result<std::vector<Record>> read_xml_records(std::string_view body, std::string_view record_xpath);

// The records of a document already parsed (a connector that also reads paging and faults from
// the page parses it once and shares the document with its records).
Result<std::vector<Record>> select_xml_records(std::shared_ptr<const pugi::xml_document> document,
                                               std::string_view record_xpath);

struct XmlPage {
  std::vector<Record> records;
  std::optional<std::string> next_link;  // absent, or empty in the body: no next page
};

// One page of an XML API: the records at `record_xpath` and, when `next_link_xpath` is not
// empty, the next page's link or cursor — the text of the first node it selects (an element's
// text or an attribute's value), or the XPath's value when it computes a string
// ("string(//Paging/@next)"). Evaluated from the document root.
Result<XmlPage> read_xml_page(std::string_view body, std::string_view record_xpath,
                              std::string_view next_link_xpath);

}  // namespace arsync
