// XPath prefix resolution (see xml_namespaces.hpp). A small scanner over XPath 1.0's lexical
// structure: quoted literals, names (NCName, optionally prefix:local or prefix:*), and the rest
// copied as written.
#include "mapping/xml_namespaces.hpp"

#include <algorithm>

#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

std::size_t name_end(std::string_view s, std::size_t i) {
  while (i < s.size() && name_char(s[i])) ++i;
  return i;
}

// 'text' as an XPath literal; a URI holding both quote kinds cannot be written (never seen).
std::string literal(std::string_view text) {
  char q = text.find('\'') == std::string_view::npos ? '\'' : '"';
  return q + std::string(text) + q;
}

}  // namespace

bool is_xml_prefix(std::string_view text) {
  if (text.empty() || !name_start(text.front())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return name_char(c) && c != '.'; });
}

Result<std::string> resolve_xml_prefixes(std::string_view xpath, const XmlNamespaces& namespaces) {
  if (namespaces.empty()) return std::string(xpath);
  std::string out;
  out.reserve(xpath.size() * 2);
  for (std::size_t i = 0; i < xpath.size();) {
    char c = xpath[i];
    if (c == '\'' || c == '"') {  // a literal: copied whole, never rewritten
      std::size_t close = xpath.find(c, i + 1);
      std::size_t end = close == std::string_view::npos ? xpath.size() : close + 1;
      out.append(xpath.substr(i, end - i));
      i = end;
      continue;
    }
    // A digit run is a number ("1.5e"), never a name: copy it so its letters are not read as one.
    if (!name_start(c)) {
      std::size_t end = i + 1;
      if (c >= '0' && c <= '9')
        while (end < xpath.size() && (name_char(xpath[end]))) ++end;
      out.append(xpath.substr(i, end - i));
      i = end;
      continue;
    }
    std::size_t end = name_end(xpath, i);
    std::string_view prefix = xpath.substr(i, end - i);
    // prefix:local or prefix:* — but not an axis (child::x), which has two colons.
    bool qualified = end + 1 < xpath.size() && xpath[end] == ':' && xpath[end + 1] != ':' &&
                     (name_start(xpath[end + 1]) || xpath[end + 1] == '*');
    if (!qualified) {
      out.append(prefix);
      i = end;
      continue;
    }
    std::size_t local_begin = end + 1;
    std::size_t local_end = xpath[local_begin] == '*' ? local_begin + 1 : name_end(xpath, local_begin);
    std::string_view local = xpath.substr(local_begin, local_end - local_begin);
    std::size_t next = local_end;
    while (next < xpath.size() && xpath[next] == ' ') ++next;
    if (next < xpath.size() && xpath[next] == '(') {  // a prefixed function name: not a name test
      out.append(xpath.substr(i, local_end - i));
      i = local_end;
      continue;
    }
    auto ns =
        std::find_if(namespaces.begin(), namespaces.end(), [&](const auto& n) { return n.first == prefix; });
    if (ns == namespaces.end()) {
      std::vector<std::string_view> declared;
      for (const auto& n : namespaces) declared.push_back(n.first);
      return fail(ErrorKind::kInvalidInput,
                  "the prefix '" + std::string(prefix) + "' in '" + std::string(xpath) +
                      "' is not declared under namespaces:" + did_you_mean(prefix, declared) +
                      "; add it there with its namespace URI");
    }
    out += "*[";
    if (local != "*") out += "local-name()=" + literal(local) + " and ";
    out += "namespace-uri()=" + literal(ns->second) + "]";
    i = local_end;
  }
  return out;
}

}  // namespace arsync::mapping
