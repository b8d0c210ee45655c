// Loading paths (see mapping_loader.hpp): dotted paths for JSON records, XPath for format: xml.
#include "mapping/mapping_loader.hpp"

namespace arsync::mapping {

std::optional<Path> MappingLoader::path(const YAML::Node& node, sv what, bool in_child, int child) {
  auto text = scalar(node, what);
  if (!text) return std::nullopt;
  if (xml_) return xpath(node, *text, in_child, child);
  auto compiled = Path::compile(*text);
  if (!compiled) {
    problem(node, compiled.error().message);
    return std::nullopt;
  }
  if (compiled->from_parent() && !in_child) {
    problem(node, "'^' reads the parent record, which only exists inside a child collection such as lines:");
    return std::nullopt;
  }
  return std::move(*compiled);
}

// format: xml — the path is an XPath, compiled into a slot of the current entity level (or of
// the parent's, for "^"); the rule reads the slot by name (see XPathSlot).
std::optional<Path> MappingLoader::xpath(const YAML::Node& node, const std::string& text, bool in_child,
                                         int child) {
  bool up = text.starts_with('^');
  if (up && !in_child) {
    problem(node, "'^' reads the parent record, which only exists inside a child collection such as lines:");
    return std::nullopt;
  }
  auto resolved = resolve_xml_prefixes(up ? text.substr(1) : text, namespaces_);
  if (!resolved) {
    problem(node, resolved.error().message);
    return std::nullopt;
  }
  const std::string expr = up ? text.substr(1) : text;  // as written, for messages
  XPathSlot slot{text, nullptr, child};
  try {
    slot.query = std::make_shared<const pugi::xpath_query>(resolved->c_str());
  } catch (const pugi::xpath_exception& e) {
    problem(node, quoted(expr) + " is not an XPath: " + e.result().description());
    return std::nullopt;
  }
  if (child >= 0 && slot.query->return_type() != pugi::xpath_type_node_set) {
    problem(node, quoted(expr) + " selects no elements; a child collection's from: is an XPath to its items");
    return std::nullopt;
  }
  std::vector<XPathSlot>& table = up ? *parent_slots_ : *slots_;
  table.push_back(std::move(slot));
  return *Path::compile((up ? "^x" : "x") + std::to_string(table.size() - 1));
}

std::optional<std::string> MappingLoader::checked_xpath(const YAML::Node& node, const std::string& text,
                                                        sv what) {
  auto resolved = resolve_xml_prefixes(text, namespaces_);
  if (!resolved) {
    problem(node, resolved.error().message);
    return std::nullopt;
  }
  try {
    pugi::xpath_query query(resolved->c_str());
  } catch (const pugi::xpath_exception& e) {
    problem(node, std::string(what) + " " + quoted(text) + " is not an XPath: " + e.result().description());
    return std::nullopt;
  }
  return *resolved;
}

void MappingLoader::load_namespaces(const Entry& entry) {
  if (!xml_) {
    problem(entry.key_node,
            "namespaces: belongs to format: xml mappings (JSON has no namespaces); remove it");
    return;
  }
  if (!entry.value.IsMap() || entry.value.size() == 0) {
    problem(
        entry.value,
        "namespaces: is a table of prefix: URI, e.g. {soap: \"http://schemas.xmlsoap.org/soap/envelope/\"}");
    return;
  }
  for (const Entry& e : entries(entry.value, "namespaces:")) {
    auto uri = scalar(e.value, "namespaces: " + e.key + ":");
    if (!is_xml_prefix(e.key))
      problem(e.key_node, "namespaces: " + quoted(e.key) +
                              " is not a prefix: use letters, digits, - and _ (starting with a letter)");
    else if (uri && uri->empty())
      problem(e.value, "namespaces: " + e.key +
                           ": needs the namespace URI the ERP's XML declares (xmlns:" + e.key + "=\"...\")");
    else if (uri)
      namespaces_.emplace_back(e.key, *uri);
  }
}

}  // namespace arsync::mapping
