// Mapping: one finance-owned YAML file compiled into an evaluator that turns an ERP Record into
// a canonical Entity (DESIGN §5).
//
// Loading parses the YAML once and compiles every path and transform; map() does no YAML or
// string re-parsing of the mapping itself. A Mapping is immutable after load and cheap to copy
// (shared compiled state), so map() may be called from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mapping/push_template.hpp"
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
  // and the offending value, and `where` is the mapping rule's file:line:col. A record that
  // the mapping's when: excludes is an error of kind NotFound (call applies() first to skip
  // such records instead of rejecting them; or use map_if()).
  Result<Entity> map(const Record& record) const;

  // False when the mapping's top-level when: excludes the record (a Xero ACCPAY bill for an
  // invoices mapping): the record is not this mapping's business — skip it, do not reject it.
  // Always true without when:.
  bool applies(const Record& record) const;
  // applies() and map() in one: nullopt for a skipped record.
  Result<std::optional<Entity>> map_if(const Record& record) const;

  // records: and next_link: from the file — where the records sit in a response body and
  // where the next page's link or cursor is: dotted paths, as read_json_page takes them; for
  // format: xml, XPaths with the namespaces: prefixes already resolved, as read_xml_page takes them.
  const std::optional<std::string>& records_path() const;
  const std::optional<std::string>& next_link_path() const;

  // Reference fields the mirror must resolve by another field than the target's erp_id
  // (lookup: number): the Entity holds the ERP's value (e.g. the customer number "C000001")
  // in that reference field; the store matches it against `by` of `target` instead of erp_id.
  struct Lookup {
    std::string child;   // "" for the entity's own field, else the child collection ("applications")
    std::string field;   // the reference field ("customer", "invoice")
    std::string target;  // the entity referred to ("customer")
    std::string by;      // the target's text field to match ("number")
  };
  const std::vector<Lookup>& lookups() const;

  // push: — the ERP request for a canonical entity of this mapping's kind (an outbox item):
  // a JSON/XML body, or an SQL statement with ? placeholders and ordered parameters. NotFound
  // when the mapping has no push: section; InvalidInput when a value has no map: entry.
  bool has_push() const;
  // False for a push-only entity's mapping (a dispute, a message): nothing is pulled with it.
  bool pulls() const;
  Result<PushBody> push(const Entity& entity) const;
  // push: conflict: — how a profile change the ERP changed meanwhile is resolved (erp_wins
  // without push: or conflict:).
  ConflictPolicy conflict_policy() const;
  // push: cannot_carry: — the fields this mapping's ERP request cannot carry, with the
  // mapping's reason (empty without push:). The portal API refuses writes that need one.
  std::span<const mapping::PushLimit> push_limits() const;
  // Whether push: sends the canonical field `field` of the entity (false without push:): a
  // profile change of a field the ERP's request does not carry is refused at the API.
  bool push_sends(std::string_view field) const;

  // The record's ERP key (the value at the erp_id path) if it can be read, else "".
  std::string record_key(const Record& record) const;

 private:
  struct Compiled;
  explicit Mapping(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace arsync
