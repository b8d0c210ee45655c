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
  std::string expr = up ? text.substr(1) : text;
  XPathSlot slot{text, nullptr, child};
  try {
    slot.query = std::make_shared<const pugi::xpath_query>(expr.c_str());
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

}  // namespace arsync::mapping
