// XML namespaces for XPath: a mapping's `namespaces:` table (prefix → URI) applied to the XPath
// expressions it writes, so "inv:Invoice/inv:Total" selects elements by namespace URI whatever
// prefix (or default namespace) the ERP's document happens to use.
//
// pugixml's XPath 1.0 has no prefix bindings: a name test matches the element's qualified name
// as written ("soap:Body" only matches elements written with the prefix soap). So each name
// test with a declared prefix is rewritten once, at load, into a test on the local name and the
// namespace URI, which pugixml resolves per node from the xmlns declarations in scope:
//   inv:Invoice  →  *[local-name()='Invoice' and namespace-uri()='urn:inv']
//   @inv:kind    →  @*[local-name()='kind' and namespace-uri()='urn:inv']
//   inv:*        →  *[namespace-uri()='urn:inv']
// Names without a prefix keep pugixml's literal match. Text in quotes, axes (child::) and
// function names are left alone. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/result.hpp"

namespace arsync::mapping {

// prefix → namespace URI, in the mapping's order.
using XmlNamespaces = std::vector<std::pair<std::string, std::string>>;

// `xpath` with every declared prefix resolved. An undeclared prefix is an InvalidInput error
// naming it (and the closest declared one); with no namespaces declared, prefixes are left as
// written (pugixml's literal match), so older mappings keep working.
Result<std::string> resolve_xml_prefixes(std::string_view xpath, const XmlNamespaces& namespaces);

// Whether `text` is usable as a namespace prefix (an XML NCName without dots: "soap", "ns1").
bool is_xml_prefix(std::string_view text);

}  // namespace arsync::mapping
