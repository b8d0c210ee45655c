// Loading a mapping file: the file as a whole, its entity, child collections and fields:
// sections, and the YAML reading every section uses (see mapping_loader.hpp).
#include "mapping/mapping_loader.hpp"

#include <algorithm>

#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kTopKeys[] = {"entity",    "fields", "description", "when", "records",
                           "next_link", "format", "namespaces",  "push"};
constexpr sv kChildKeys[] = {"from", "fields", "when"};
constexpr sv kPushOnlyKeys[] = {"entity", "description", "push"};

}  // namespace

std::expected<CompiledMapping, std::vector<Error>> MappingLoader::run(const std::string& text) {
  CompiledMapping out;
  out.file = name_;
  try {
    YAML::Node root = YAML::Load(text);
    load_root(root, out);
  } catch (const YAML::Exception& e) {
    problem(e.mark, "YAML syntax error: " + e.msg + " (check indentation, colons and quotes)");
  }
  if (!problems_.empty()) return std::unexpected(std::move(problems_));
  for (std::size_t i = 0; i < out.root.fields.size(); ++i)
    if (out.root.fields[i].field == "erp_id") out.key_rule = static_cast<int>(i);
  return out;
}

std::string MappingLoader::where(const YAML::Mark& mark) const {
  if (mark.is_null()) return name_;
  return name_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void MappingLoader::problem(const YAML::Mark& mark, std::string message) {
  problems_.push_back(Error{ErrorKind::kInvalidInput, std::move(message), where(mark)});
}

// A map's entries in source order; duplicate and non-text keys are reported and dropped.
std::vector<Entry> MappingLoader::entries(const YAML::Node& map, sv what) {
  std::vector<Entry> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      problem(it->first, std::string(what) + ": a key must be a plain name");
      continue;
    }
    std::string key = it->first.Scalar();
    auto first = std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == key; });
    if (first != out.end()) {
      problem(it->first, quoted(key) + " appears twice in " + std::string(what) + " (first at line " +
                             std::to_string(first->key_node.Mark().line + 1) + "); keep one");
      continue;
    }
    out.push_back(Entry{key, it->first, it->second});
  }
  return out;
}

std::optional<std::string> MappingLoader::scalar(const YAML::Node& node, sv what) {
  if (node.IsScalar()) return node.Scalar();
  problem(node,
          std::string(what) + " needs a single value" +
              (node.IsNull() ? " (it is empty; write \"\" for empty text)" : ", not a list or a table"));
  return std::nullopt;
}

std::optional<bool> MappingLoader::flag(const YAML::Node& node, sv what) {
  auto text = scalar(node, what);
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "yes") return true;
  if (*text == "false" || *text == "no") return false;
  problem(node, std::string(what) + " is true or false, not " + quoted(*text));
  return std::nullopt;
}

void MappingLoader::load_root(const YAML::Node& root, CompiledMapping& out) {
  if (!root.IsMap()) {
    problem(root, root.IsNull() ? "the mapping file is empty; it needs entity: and fields:"
                                : "a mapping file is a table with entity: and fields:");
    return;
  }
  std::vector<Entry> top = entries(root, "the mapping");
  const EntitySpec* spec = load_entity(root, top);
  if (spec == nullptr) return;  // field names cannot be checked without the entity
  out.root.spec = spec;
  if (spec->push_only) return load_push_only(root, top, *spec, out);
  // Paths are read as XPath or dotted paths depending on format:, wherever it appears.
  for (const Entry& e : top)
    xml_ = xml_ || (e.key == "format" && e.value.IsScalar() && e.value.Scalar() == "xml");
  slots_ = &out.root.xpaths;
  for (const Entry& e : top)
    if (e.key == "namespaces") load_namespaces(e);
  std::vector<sv> allowed(std::begin(kTopKeys), std::end(kTopKeys));
  for (const ChildSpec& child : spec->children) allowed.push_back(child.name);
  bool has_fields = false;
  for (const Entry& e : top) {
    if (e.key == "entity" || e.key == "description") continue;
    if (e.key == "when") {
      out.root.when = load_condition(e.value, false);
    } else if ((e.key == "records" || e.key == "next_link") && xml_) {
      // Kept with prefixes resolved: what a connector passes to read_xml_page as it is.
      auto text = scalar(e.value, e.key + ":");
      if (auto xpath = text ? checked_xpath(e.value, *text, e.key + ":") : std::nullopt)
        (e.key == "records" ? out.records : out.next_link) = *xpath;
    } else if (e.key == "records" || e.key == "next_link") {
      auto text = scalar(e.value, e.key + ":");
      if (text && (text->empty() || !Path::compile(*text)))
        problem(e.value, e.key + ": names a place in the response such as value or QueryResponse.Invoice");
      else if (text)
        (e.key == "records" ? out.records : out.next_link) = *text;
    } else if (e.key == "namespaces") {
      continue;  // read above, before any path
    } else if (e.key == "format") {
      auto text = scalar(e.value, "format:");
      if (text && *text != "json" && *text != "xml")
        problem(e.value, "format: " + quoted(*text) + " is not supported; use format: json or format: xml");
      else if (text)
        out.format = *text, out.xml = *text == "xml";
    } else if (e.key == "push") {
      load_push(e, *spec, out);
    } else if (e.key == "fields") {
      has_fields = true;
      load_fields(e, *spec, false, out.root);
    } else if (spec->child_index(e.key) >= 0) {
      load_child(e, *spec, out.root);
    } else {
      problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, allowed) + "; a " +
                              std::string(spec->name) + " mapping has " + names_of(allowed));
    }
  }
  if (!has_fields) problem(root, "the mapping has no fields: section");
}

// A dispute, promise to pay, message or credit request is created on the portal and only ever
// sent to the ERP: its mapping is a push: section and nothing read from the ERP.
void MappingLoader::load_push_only(const YAML::Node& root, const std::vector<Entry>& top, const EntitySpec& spec,
                                   CompiledMapping& out) {
  bool has_push = false;
  for (const Entry& e : top) {
    if (e.key == "entity" || e.key == "description") continue;
    if (e.key == "push") {
      has_push = true;
      load_push(e, spec, out);
    } else {
      problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, kPushOnlyKeys) + "; a " +
                              std::string(spec.name) + " is only sent to the ERP, so its mapping has " +
                              names_of(kPushOnlyKeys));
    }
  }
  if (!has_push)
    problem(root, "a " + std::string(spec.name) + " mapping needs push: (the ERP request that creates it)");
}

const EntitySpec* MappingLoader::load_entity(const YAML::Node& root, const std::vector<Entry>& top) {
  auto it = std::find_if(top.begin(), top.end(), [](const Entry& e) { return e.key == "entity"; });
  std::vector<sv> names;
  for (const EntitySpec* e : all_entities())
    if (e->top_level) names.push_back(e->name);
  for (const EntitySpec* e : push_only_entities())
    if (e->top_level) names.push_back(e->name);
  if (it == top.end()) {
    problem(root,
            "the mapping does not say which entity it fills: add entity: (one of " + names_of(names) + ")");
    return nullptr;
  }
  auto name = scalar(it->value, "entity");
  if (!name) return nullptr;
  const EntitySpec* spec = find_entity(*name);
  if (spec == nullptr || !spec->top_level) {
    problem(it->value,
            "unknown entity " + quoted(*name) + did_you_mean(*name, names) + "; known: " + names_of(names));
    return nullptr;
  }
  return spec;
}

void MappingLoader::load_child(const Entry& entry, const EntitySpec& parent, EntityRules& out) {
  const ChildSpec& spec = parent.children[static_cast<std::size_t>(parent.child_index(entry.key))];
  if (!entry.value.IsMap()) {
    problem(entry.value, entry.key + ": needs from: (the ERP list) and fields:");
    return;
  }
  ChildRules child;
  child.index = static_cast<std::size_t>(parent.child_index(entry.key));
  child.name = entry.key;
  child.where = where(entry.key_node.Mark());
  child.rules.spec = spec.entity;
  bool has_from = false, has_fields = false;
  for (const Entry& e : entries(entry.value, entry.key)) {
    if (e.key == "from" && !xml_ && e.value.IsScalar() && e.value.Scalar() == ".") {
      child.self = true, has_from = true;  // the record itself is the one item
    } else if (e.key == "from") {
      if (auto p = path(e.value, entry.key + " from:", false, static_cast<int>(out.children.size())))
        child.from = std::move(*p), has_from = true;
    } else if (e.key == "fields" || e.key == "when") {
      std::vector<XPathSlot>* saved = slots_;
      slots_ = &child.rules.xpaths, parent_slots_ = &out.xpaths;
      if (e.key == "when")
        child.rules.when = load_condition(e.value, true);
      else
        has_fields = true, load_fields(e, *spec.entity, true, child.rules);
      slots_ = saved, parent_slots_ = nullptr;
    } else {
      problem(e.key_node, "unknown key " + quoted(e.key) + " in " + entry.key + ":" +
                              did_you_mean(e.key, kChildKeys) +
                              "; a child collection has from:, fields: and an optional when:");
    }
  }
  if (!has_from)
    problem(entry.key_node, entry.key + ": needs from: naming the ERP list (e.g. from: " + entry.key + ")");
  if (!has_fields) problem(entry.key_node, entry.key + ": needs fields:");
  out.children.push_back(std::move(child));
}

void MappingLoader::load_fields(const Entry& section, const EntitySpec& spec, bool in_child,
                                EntityRules& out) {
  if (!section.value.IsMap()) {
    problem(section.value, "fields: is a table of canonical field: ERP field");
    return;
  }
  std::vector<sv> names;
  for (const FieldSpec& f : spec.fields) names.push_back(f.name);
  std::vector<bool> mapped(spec.fields.size(), false);
  for (const Entry& e : entries(section.value, "fields")) {
    int index = spec.field_index(e.key);
    if (index < 0) {
      problem(e.key_node, "unknown field " + quoted(e.key) + " for " + std::string(spec.name) +
                              did_you_mean(e.key, names) + "; its fields are " + names_of(names));
      continue;
    }
    mapped[static_cast<std::size_t>(index)] = true;
    if (auto rule = load_field(e, spec, static_cast<std::size_t>(index), in_child))
      out.fields.push_back(std::move(*rule));
  }
  for (std::size_t i = 0; i < spec.fields.size(); ++i)
    if (spec.fields[i].required && !mapped[i])
      problem(section.key_node, "required field " + quoted(spec.fields[i].name) + " of " +
                                    std::string(spec.name) + " is not mapped; add " +
                                    std::string(spec.fields[i].name) + ": <ERP field> (or give it a value:)");
}

std::expected<CompiledMapping, std::vector<Error>> compile_mapping(const std::string& yaml_text,
                                                                   const std::string& name) {
  return MappingLoader(name).run(yaml_text);
}

}  // namespace arsync::mapping
