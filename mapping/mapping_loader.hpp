// MappingLoader: reads one mapping file's YAML into a CompiledMapping, reporting every problem
// at its file:line:col (see compiled_mapping.hpp, and docs/mappings.md for the language).
//
// Internal to the mapping layer: compile_mapping() is the entry point. One loader per file;
// not thread-safe (it collects problems as it goes). The work is split by section of the file:
//   mapping_loader.cpp     the file, its entity, child collections, fields: sections, YAML reading
//   loader_paths.cpp       paths: dotted for JSON, XPath (with namespaces:) for format: xml
//   loader_fields.cpp      one field's rule: its source, transform keys, whole-rule checks
//   loader_transforms.cpp  the transforms with options (map:, date:, money:, concat:, split: ...)
//   loader_conditions.cpp  when: conditions
//   loader_push.cpp        push: templates and statements
// yaml-cpp exceptions never leave these files. yaml-cpp 0.7 silently keeps the last of two
// equal keys, so maps are read entry by entry (entries()) and duplicates are reported.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/compiled_mapping.hpp"
#include "mapping/xml_namespaces.hpp"

namespace arsync::mapping {

// One key: value of a YAML map, with the key's node for its location.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// 'text', as names are quoted in problems.
inline std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// "a, b, c".
inline std::string names_of(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

class MappingLoader {
 public:
  using sv = std::string_view;

  explicit MappingLoader(std::string name) : name_(std::move(name)) {}

  std::expected<CompiledMapping, std::vector<Error>> run(const std::string& text);

 private:
  // ----- problems -----
  std::string where(const YAML::Mark& mark) const;
  void problem(const YAML::Mark& mark, std::string message);
  void problem(const YAML::Node& at, std::string message) { problem(at.Mark(), std::move(message)); }

  // ----- YAML reading -----
  // A map's entries in source order; duplicate and non-text keys are reported and dropped.
  std::vector<Entry> entries(const YAML::Node& map, sv what);
  std::optional<std::string> scalar(const YAML::Node& node, sv what);
  std::optional<bool> flag(const YAML::Node& node, sv what);

  // ----- paths (loader_paths.cpp): dotted paths, or XPath for format: xml -----
  std::optional<Path> path(const YAML::Node& node, sv what, bool in_child, int child = -1);
  // format: xml — the path is an XPath, compiled into a slot of the current entity level (or of
  // the parent's, for "^"); the rule reads the slot by name (see XPathSlot).
  std::optional<Path> xpath(const YAML::Node& node, const std::string& text, bool in_child, int child);
  // namespaces: {prefix: URI, ...} (format: xml only), read before any path.
  void load_namespaces(const Entry& entry);
  // An XPath with the namespaces: prefixes resolved, checked to compile (records:, next_link:).
  std::optional<std::string> checked_xpath(const YAML::Node& node, const std::string& text, sv what);

  // ----- the file and its structure (mapping_loader.cpp) -----
  void load_root(const YAML::Node& root, CompiledMapping& out);
  const EntitySpec* load_entity(const YAML::Node& root, const std::vector<Entry>& top);
  void load_push_only(const YAML::Node& root, const std::vector<Entry>& top, const EntitySpec& spec,
                      CompiledMapping& out);
  void load_child(const Entry& entry, const EntitySpec& parent, EntityRules& out);
  void load_fields(const Entry& section, const EntitySpec& spec, bool in_child, EntityRules& out);

  // ----- one field (loader_fields.cpp) -----
  std::optional<FieldRule> load_field(const Entry& entry, const EntitySpec& entity, std::size_t index,
                                      bool in_child);
  void load_transforms(const Entry& entry, FieldRule& rule, bool in_child);
  // A type-specific transform on a field of another type is a mistake worth stopping for.
  bool check_type(const Entry& t, const FieldRule& rule);
  void check_rule(const Entry& entry, const FieldRule& rule);
  void check_canonical(const YAML::Node& at, const FieldRule& rule, const std::string& text,
                       const std::string& what);

  // ----- transforms (loader_transforms.cpp) -----
  using Rows = std::vector<std::pair<std::string, std::string>>;
  Rows table_rows(const Entry& t, const FieldRule& rule);
  // The map: rows and else: of a pull or push field as one table; a problem when either comes
  // without the other (a map: must say what an unlisted value becomes).
  std::optional<ValueTable> value_table(const YAML::Node& at, const std::string& what, std::optional<Rows> rows,
                                        const std::optional<Entry>& otherwise);
  void load_typed(const Entry& t, FieldRule& rule, bool in_child);
  NumberFormat comma_format(const Entry& o, const std::string& field);
  void load_money(const Entry& t, FieldRule& rule, bool in_child);
  void load_rounding(const Entry& o, FieldRule& rule);
  // concat: [FirstName, {value: " "}, LastName]: ERP fields and constant texts.
  void load_concat(const Entry& t, FieldRule& rule, bool in_child);
  // cases: [{when: {...}, value: paid}, ...]
  void load_cases(const Entry& t, FieldRule& rule, bool in_child);
  void load_split(const Entry& t, FieldRule& rule);
  // lookup: number (or {by: number}): the reference is matched on that field of the target.
  void load_lookup(const Entry& t, FieldRule& rule);

  // ----- when: (loader_conditions.cpp) -----
  std::optional<Condition> load_condition(const YAML::Node& node, bool in_child);
  bool load_test(const Entry& test, Condition& c);

  // ----- push: (loader_push.cpp) -----
  void load_push(const Entry& section, const EntitySpec& spec, CompiledMapping& out);
  void load_conflict(const Entry& e, const EntitySpec& spec, PushTemplate& push);
  void load_push_node(const YAML::Node& node, const EntitySpec& spec, PushNode& out,
                      const EntitySpec* parent = nullptr);
  void load_each(const YAML::Node& node, const EntitySpec& spec, PushNode& out);
  // cannot_carry: {field: reason}: fields whose value the ERP's request would lose.
  void load_push_limits(const Entry& section, const EntitySpec& spec, PushTemplate& push);
  // {field: amount, date: "%Y%m%d", map: {card: CreditCard}, else: Other}
  std::optional<PushField> load_push_field(const YAML::Node& node, const EntitySpec& entity,
                                           const EntitySpec* parent = nullptr);
  // statement: one SQL text, or a list run in order whose items are SQL texts or
  // {each: applications, statement: "..."} (run once per child; :^name reads the parent).
  void load_statements(const Entry& statement, const Entry* params, const EntitySpec& spec,
                       PushTemplate& push);
  // "INSERT INTO t (a, b) VALUES (:amount, :payment_date)": each :name becomes ? and a parameter
  // bound from the canonical field `name` (or params: name: {field: ..., date: ...}).
  void load_statement(const YAML::Node& sql, const std::vector<Entry>& overrides, const EntitySpec& spec,
                      const EntitySpec* parent, PushStatement& out);
  void add_param(const std::string& name, const std::vector<Entry>& overrides, const YAML::Node& at,
                 const EntitySpec& spec, const EntitySpec* parent, PushStatement& out);

  std::string name_;
  std::vector<Error> problems_;
  bool xml_ = false;                                // format: xml
  XmlNamespaces namespaces_;                        // namespaces: (format: xml)
  std::vector<XPathSlot>* slots_ = nullptr;         // the XPath slots of the level being loaded
  std::vector<XPathSlot>* parent_slots_ = nullptr;  // its parent's, for "^" (children only)
};

}  // namespace arsync::mapping
