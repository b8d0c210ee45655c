// CompiledMapping: a mapping file after loading — per canonical entity, the compiled rule of
// every mapped field and of every child collection — and the evaluation of a record with it.
//
// Produced by compile_mapping() (mapping_loader.cpp), held by Mapping behind a shared_ptr;
// immutable afterwards, so map_record() may run on any number of threads.
#pragma once

#include <expected>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "mapping/condition.hpp"
#include "mapping/field_rule.hpp"
#include "mapping/path.hpp"
#include "mapping/push_template.hpp"
#include "mapping/record.hpp"
#include "schema/catalog.hpp"
#include "schema/result.hpp"

namespace arsync::mapping {

struct ChildRules;

// format: xml — an XPath the mapping uses, compiled once. Each rule's Path then names the
// XPath's slot ("x3"): map() first evaluates the slots on the record's element into a small
// Node object ("x3": text, or for a child list an array of such objects) and the ordinary
// evaluator runs on that, so JSON and XML share every transform.
struct XPathSlot {
  std::string text;
  std::shared_ptr<const pugi::xpath_query> query;
  int child = -1;  // a child collection's from: (a node set): index in children
};

struct EntityRules {
  const EntitySpec* spec = nullptr;
  std::vector<FieldRule> fields;
  std::vector<ChildRules> children;
  // when: — at the top, which records the mapping applies to (Mapping::applies); in a child
  // collection, which list items become children (the others are left out silently).
  std::optional<Condition> when;
  std::vector<XPathSlot> xpaths;  // format: xml only

  // The slots of `xpaths` evaluated on `element` (format: xml).
  Node xml_view(const pugi::xml_node& element) const;

  // Maps one record (an object) of this entity; `parent`/`place` as in FieldRule::evaluate.
  Result<Entity> map(const Node& record, const Node* parent, const Place* place) const;
};

// A child collection ("lines"): the list at `from`, each element mapped with `rules`.
struct ChildRules {
  std::size_t index = 0;  // in the parent spec's children
  std::string name;
  Path from;
  bool self = false;  // from: "." — the record itself is the one item (BC: a payment line names its invoice)
  std::string where;  // "file:line:col" of the collection's key
  EntityRules rules;
};

struct CompiledMapping {
  std::string file;
  EntityRules root;
  int key_rule = -1;                     // index in root.fields of the erp_id rule, or -1
  std::optional<std::string> records;    // records: where the records sit in a response
  std::optional<std::string> next_link;  // next_link: where the next page's link/cursor is
  std::string format = "json";           // format: json | xml
  bool xml = false;                      // format == "xml", tested per record
  std::optional<PushTemplate> push;      // push: canonical entity -> ERP request
};

// Loads and compiles mapping text; `name` is the file name used in locations. Every problem
// found is returned, each with where = "name:line:col" (1-based).
std::expected<CompiledMapping, std::vector<Error>> compile_mapping(const std::string& yaml_text,
                                                                   const std::string& name);

}  // namespace arsync::mapping
