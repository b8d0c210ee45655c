// Mapping: one finance-owned YAML file compiled into an evaluator that turns an ERP Record into
// a canonical Entity (DESIGN §5).
//
// Loading parses the YAML once and compiles every path and transform; map() does no YAML or
// string re-parsing of the mapping itself. A Mapping is immutable after load and cheap to copy
// (shared compiled state), so map() may be called from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mapping/record.hpp"
#include "schema/catalog.hpp"
#include "schema/result.hpp"

namespace arsync {

// Every problem found in a mapping file, each with where = "file:line:col".
using Problems = std::vector<Error>;

class Mapping {
 public:
  // Loads and compiles one mapping file; returns all problems found, not just the first.
  static std::expected<Mapping, Problems> load(const std::filesystem::path& file);
  // Same, from text (tests, previews); `name` stands in for the file name in locations.
  static std::expected<Mapping, Problems> parse(const std::string& yaml_text, const std::string& name);

  const EntitySpec& entity() const;
  const std::string& file() const;

  // Maps one record. On failure the error's message names the canonical field, the ERP path
  // and the offending value, and `where` is the mapping rule's file:line:col.
  Result<Entity> map(const Record& record) const;

  // The record's ERP key (the value at the erp_id path) if it can be read, else "".
  std::string record_key(const Record& record) const;

 private:
  struct Compiled;
  explicit Mapping(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace arsync
