// XML reader: turns an ERP's XML response body (SOAP or plain XML APIs) into Records that carry
// their element, for mappings with format: xml whose paths are XPath (docs/mappings.md).
//
// The body is parsed once with pugixml into a document shared by the page's records; each
// element the record XPath selects becomes one Record (raw = the element's XML text). A
// malformed body is an InvalidInput error naming the byte offset. Namespaces: XPath 1.0 in
// pugixml has no prefix bindings, so select SOAP/namespaced elements with local-name():
// "//*[local-name()='Invoice']". Thread-safe (no shared state); results own their memory.
#pragma once

#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync {

Result<std::vector<Record>> read_xml_records(std::string_view body, std::string_view record_xpath);

}  // namespace arsync
