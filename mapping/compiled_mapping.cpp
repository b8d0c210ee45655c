// Evaluation of a compiled mapping (see compiled_mapping.hpp).
#include "mapping/compiled_mapping.hpp"

namespace arsync::mapping {

Node EntityRules::xml_view(const pugi::xml_node& element) const {
  Node view = Node::object();
  for (std::size_t i = 0; i < xpaths.size(); ++i) {
    const XPathSlot& slot = xpaths[i];
    std::string name = "x" + std::to_string(i);
    if (slot.query->return_type() != pugi::xpath_type_node_set) {
      view.add(name, Node::Type::kString, slot.query->evaluate_string(element));
      continue;
    }
    pugi::xpath_node_set nodes = slot.query->evaluate_node_set(element);
    if (slot.child >= 0) {
      Node& list = view.add(name, Node::Type::kArray);
      for (const pugi::xpath_node& n : nodes)
        if (n.node()) list.push(children[static_cast<std::size_t>(slot.child)].rules.xml_view(n.node()));
    } else if (!nodes.empty()) {
      pugi::xpath_node first = nodes.first();
      view.add(name, Node::Type::kString,
               first.attribute() ? first.attribute().value() : first.node().text().get());
    }
  }
  return view;
}

Result<Entity> EntityRules::map(const Node& record, const Node* parent, const Place* place) const {
  if (record.type() != Node::Type::kObject)
    return fail(ErrorKind::kInvalidInput, "the record is not an object with fields");
  Entity entity(spec);
  for (const FieldRule& rule : fields) {
    auto value = rule.evaluate(record, parent, place);
    if (!value) return fail(std::move(value.error()));
    entity.values[rule.index] = std::move(*value);
  }
  for (const ChildRules& child : children) {
    const Node* list = child.self ? &record : child.from.resolve(record, parent);
    if (list == nullptr || list->is_null()) continue;  // no lines: an empty collection
    // One object stands for a list of one: a Xero payment names its single Invoice that way.
    const bool single = list->type() == Node::Type::kObject;
    if (list->type() != Node::Type::kArray && !single)
      return fail(ErrorKind::kInvalidInput,
                  child.name + ": the value at " + child.from.text() + " is not a list", child.where);
    const std::size_t count = single ? 1 : list->children().size();
    std::vector<Entity>& out = entity.children[child.index];
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      Place at{child.name, child.from.text(), i};
      const Node& element = single ? *list : list->children()[i];
      if (element.type() != Node::Type::kObject)
        return fail(ErrorKind::kInvalidInput,
                    child.name + ": the item at " + child.from.text() + "." + std::to_string(i) +
                        " is not an object with fields",
                    child.where);
      if (child.rules.when && !child.rules.when->holds(element, &record)) continue;
      auto mapped = child.rules.map(element, &record, &at);
      if (!mapped) {
        if (mapped.error().where.empty()) mapped.error().where = child.where;
        return fail(std::move(mapped.error()));
      }
      out.push_back(std::move(*mapped));
    }
  }
  return entity;
}

}  // namespace arsync::mapping
