// Evaluation of a compiled mapping (see compiled_mapping.hpp).
#include "mapping/compiled_mapping.hpp"

namespace arsync::mapping {

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
    const Node* list = child.from.resolve(record, parent);
    if (list == nullptr || list->is_null()) continue;  // no lines: an empty collection
    if (list->type() != Node::Type::kArray)
      return fail(ErrorKind::kInvalidInput,
                  child.name + ": the value at " + child.from.text() + " is not a list", child.where);
    std::vector<Entity>& out = entity.children[child.index];
    out.reserve(list->children().size());
    for (std::size_t i = 0; i < list->children().size(); ++i) {
      Place at{child.name, child.from.text(), i};
      const Node& element = list->children()[i];
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
