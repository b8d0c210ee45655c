// Mapping: the public face of a compiled mapping file (see mapping.hpp).
#include "mapping/mapping.hpp"

#include <fstream>
#include <sstream>

#include "mapping/compiled_mapping.hpp"

namespace arsync {

struct Mapping::Compiled : mapping::CompiledMapping {
  explicit Compiled(mapping::CompiledMapping&& c) : mapping::CompiledMapping(std::move(c)) {
    add_lookups("", root);
    for (const mapping::ChildRules& child : root.children) add_lookups(child.name, child.rules);
  }
  void add_lookups(const std::string& child, const mapping::EntityRules& rules) {
    for (const mapping::FieldRule& rule : rules.fields)
      if (rule.lookup)
        lookups.push_back(Lookup{child, rule.field, std::string(rule.spec->ref_entity), *rule.lookup});
  }
  std::vector<Lookup> lookups;
};

Mapping::Mapping(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

std::expected<Mapping, Problems> Mapping::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad())
    return std::unexpected(Problems{Error{
        ErrorKind::kIo, "cannot read the mapping file (does it exist and is it readable?)", file.string()}});
  return parse(text.str(), file.string());
}

std::expected<Mapping, Problems> Mapping::parse(const std::string& yaml_text, const std::string& name) {
  auto compiled = mapping::compile_mapping(yaml_text, name);
  if (!compiled) return std::unexpected(std::move(compiled.error()));
  return Mapping(std::make_shared<const Compiled>(std::move(*compiled)));
}

const EntitySpec& Mapping::entity() const { return *compiled_->root.spec; }

const std::string& Mapping::file() const { return compiled_->file; }

// The Node the rules read: the record's tree, or for format: xml the XPath slots evaluated on
// the record's element (built into `scratch`).
static const Node& source(const mapping::CompiledMapping& c, const Record& record, Node& scratch) {
  if (!c.xml || record.xml_element == nullptr) return record.root;
  scratch = c.root.xml_view(pugi::xml_node(record.xml_element));
  return scratch;
}

Result<Entity> Mapping::map(const Record& record) const {
  if (!pulls())
    return fail(ErrorKind::kInvalidInput,
                "a " + std::string(entity().name) + " mapping only pushes; it reads nothing from the ERP",
                compiled_->file);
  if (compiled_->xml) {
    if (record.xml_element == nullptr)
      return fail(ErrorKind::kInvalidInput, "an XML mapping needs XML records (format: xml)",
                  compiled_->file);
    Node view;
    const Node& root = source(*compiled_, record, view);
    if (compiled_->root.when && !compiled_->root.when->holds(root, nullptr))
      return fail(ErrorKind::kNotFound,
                  "the record does not match the mapping's when: (not this mapping's business)",
                  compiled_->file);
    auto entity = compiled_->root.map(root, nullptr, nullptr);
    if (!entity && entity.error().where.empty()) entity.error().where = compiled_->file;
    return entity;
  }
  if (!applies(record))
    return fail(ErrorKind::kNotFound,
                "the record does not match the mapping's when: (not this mapping's business)",
                compiled_->file);
  auto entity = compiled_->root.map(record.root, nullptr, nullptr);
  if (!entity && entity.error().where.empty()) entity.error().where = compiled_->file;
  return entity;
}

bool Mapping::applies(const Record& record) const {
  if (!compiled_->root.when) return true;
  Node view;
  return compiled_->root.when->holds(source(*compiled_, record, view), nullptr);
}

Result<std::optional<Entity>> Mapping::map_if(const Record& record) const {
  if (!applies(record)) return std::optional<Entity>();
  auto entity = map(record);
  if (!entity) return fail(std::move(entity.error()));
  return std::optional<Entity>(std::move(*entity));
}

const std::optional<std::string>& Mapping::records_path() const { return compiled_->records; }
const std::optional<std::string>& Mapping::next_link_path() const { return compiled_->next_link; }
const std::vector<Mapping::Lookup>& Mapping::lookups() const { return compiled_->lookups; }

bool Mapping::has_push() const { return compiled_->push.has_value(); }
ConflictPolicy Mapping::conflict_policy() const {
  return compiled_->push ? compiled_->push->conflict : ConflictPolicy::kErpWins;
}
bool Mapping::pulls() const { return !compiled_->root.spec->push_only; }

std::span<const mapping::PushLimit> Mapping::push_limits() const {
  if (!compiled_->push) return {};
  return compiled_->push->cannot_carry;
}

bool Mapping::push_sends(std::string_view field) const {
  const int index = compiled_->root.spec->field_index(field);
  return compiled_->push && index >= 0 && compiled_->push->sends(static_cast<std::size_t>(index));
}

Result<PushBody> Mapping::push(const Entity& entity) const {
  if (!compiled_->push)
    return fail(ErrorKind::kNotFound, "the mapping has no push: section", compiled_->file);
  if (entity.spec != compiled_->root.spec)
    return fail(ErrorKind::kInvalidInput,
                "a " + std::string(entity.spec ? entity.spec->name : "?") + " cannot be pushed with a " +
                    std::string(compiled_->root.spec->name) + " mapping",
                compiled_->file);
  return compiled_->push->render(entity);
}

std::string Mapping::record_key(const Record& record) const {
  if (compiled_->key_rule < 0) return {};
  const mapping::FieldRule& rule = compiled_->root.fields[static_cast<std::size_t>(compiled_->key_rule)];
  Node view;
  const Node& root = source(*compiled_, record, view);
  if (!rule.concat.empty()) {
    auto key = rule.evaluate(root, nullptr, nullptr);
    return key && std::holds_alternative<std::string>(*key) ? std::get<std::string>(*key) : std::string();
  }
  if (!rule.from) return rule.constant.value_or("");
  const Node* node = rule.from->resolve(root, nullptr);
  return node != nullptr && node->is_scalar() ? node->text() : std::string();
}

}  // namespace arsync
