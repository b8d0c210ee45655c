// Request templates: the text a connector's config writes with "{name}" placeholders — a
// json-http path, filter or look-up URL, an xml-http SOAP operation — filled in per request.
// The caller escapes `value` for where it lands (percent-encoding, XML, OData quotes); a
// template knows nothing of its syntax. Plain functions; no thread contract.
#pragma once

#include <string>
#include <string_view>

namespace arsync {

// `pattern` with every "{name}" replaced by `value` (a value that itself contains "{name}" is
// not expanded again).
std::string expand_template(std::string pattern, std::string_view name, std::string_view value);

}  // namespace arsync
