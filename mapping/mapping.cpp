// Mapping: the public face of a compiled mapping file (see mapping.hpp).
#include "mapping/mapping.hpp"

#include <fstream>
#include <sstream>

#include "mapping/compiled_mapping.hpp"

namespace arsync {

struct Mapping::Compiled : mapping::CompiledMapping {
  explicit Compiled(mapping::CompiledMapping&& c) : mapping::CompiledMapping(std::move(c)) {}
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

Result<Entity> Mapping::map(const Record& record) const {
  auto entity = compiled_->root.map(record.root, nullptr, nullptr);
  if (!entity && entity.error().where.empty()) entity.error().where = compiled_->file;
  return entity;
}

std::string Mapping::record_key(const Record& record) const {
  if (compiled_->key_rule < 0) return {};
  const mapping::FieldRule& rule = compiled_->root.fields[static_cast<std::size_t>(compiled_->key_rule)];
  if (!rule.from) return rule.constant.value_or("");
  const Node* node = rule.from->resolve(record.root, nullptr);
  return node != nullptr && node->is_scalar() ? node->text() : std::string();
}

}  // namespace arsync
