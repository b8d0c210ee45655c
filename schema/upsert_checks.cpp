// UpsertPlan's checks before writing (upsert_plan.hpp): that an entity's values fit the
// catalog (types, required fields, allowed values, one currency per record) and that every
// reference resolves to exactly one mirror row — by erp_id through the table's IdCache, or by
// another text field when the mapping asks for a lookup. A problem found here is a reject
// before anything is written, which keeps constraint failures (and kRetryIsolated) rare.
#include <string>
#include <variant>

#include "schema/upsert_plan.hpp"
#include "schema/upsert_plan_table.hpp"

namespace arsync {
namespace {

const char* value_type_name(const Value& v) {
  constexpr const char* kNames[] = {"nothing", "bool", "integer", "text", "money", "decimal", "bytes"};
  return kNames[v.index()];
}

// "customer" or "applications[1].invoice": where in the record a problem is.
std::string field_path(std::string_view list, int index, std::string_view field) {
  if (index < 0) return std::string(field);
  return std::string(list) + "[" + std::to_string(index) + "]." + std::string(field);
}

}  // namespace

Result<std::int64_t> UpsertPlan::resolve(Table& target, std::string_view source, std::string_view erp_id) {
  if (const std::int64_t* id = target.ids.find(source, erp_id)) return *id;
  StatementScope scope(target.find);
  target.find.bind_text(1, source);
  target.find.bind_text(2, erp_id);
  int rc = target.find.step();
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW)
    return fail(
        db_.error(rc, "cannot look up " + std::string(target.spec->name) + " " + std::string(erp_id)));
  std::int64_t id = target.find.column_int(0);
  target.ids.add(source, erp_id, id);
  return id;
}

const ReferenceLookup* UpsertPlan::lookup_for(std::string_view list, std::string_view field) const {
  if (!lookups_) return nullptr;
  for (const ReferenceLookup& l : *lookups_)
    if (l.child == list && l.field == field) return &l;
  return nullptr;
}

// The column name comes from the catalog's FieldSpec, never from the mapping's text, so nothing
// a mapping says reaches SQL; the value is bound. Tombstoned rows never match.
Result<std::int64_t> UpsertPlan::resolve_by(Table& target, std::string_view source, std::string_view by,
                                            std::string_view value, std::string& problem) {
  int field = target.spec->field_index(by);
  if (field < 0 || target.spec->fields[static_cast<std::size_t>(field)].type != FieldType::kText) {
    problem = "cannot look " + std::string(target.spec->name) + " up by '" + std::string(by) +
              "': it is not a text field of " + std::string(target.spec->name);
    return 0;
  }
  const std::string_view column = target.spec->fields[static_cast<std::size_t>(field)].name;
  std::string key = std::string(target.spec->table) + "." + std::string(column);
  auto it = lookup_statements_.find(key);
  if (it == lookup_statements_.end()) {
    auto prepared =
        db_.prepare("SELECT id FROM " + std::string(target.spec->table) + " WHERE source = ?1 AND " +
                    std::string(column) + " = ?2 AND deleted = 0 LIMIT 2");
    if (!prepared) return fail(prepared.error());
    it = lookup_statements_.emplace(key, std::move(*prepared)).first;
  }
  Statement& st = it->second;
  StatementScope scope(st);
  st.bind_text(1, source);
  st.bind_text(2, value);
  std::int64_t id = 0;
  int rc;
  for (int rows = 0; (rc = st.step()) == SQLITE_ROW; ++rows) {
    if (rows == 1) return -1;
    id = st.column_int(0);
  }
  if (rc != SQLITE_DONE)
    return fail(db_.error(rc, "cannot look up " + std::string(target.spec->name) + " " + std::string(value)));
  return id;
}

// Checks one entity's (or child's) values and resolves its references into ref_ids_. Returns
// the reason to reject it, or "" when it can be written.
Result<std::string> UpsertPlan::check_fields(const EntitySpec& spec, const std::vector<Table*>& refs,
                                             const Entity& entity, const std::string* currency,
                                             std::string_view source, std::string_view list, int index) {
  if (entity.spec != &spec || entity.values.size() != spec.fields.size() ||
      entity.children.size() != spec.children.size())
    return (index < 0 ? std::string("the record") : std::string(list) + "[" + std::to_string(index) + "]") +
           " is not a well-formed " + std::string(spec.name) + " (a mapping bug)";
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const FieldSpec& f = spec.fields[i];
    const Value& v = entity.values[i];
    if (std::holds_alternative<std::monostate>(v)) {
      if (f.required) return "required field " + field_path(list, index, f.name) + " is missing";
      continue;
    }
    if (!value_fits(f.type, v))
      return "field " + field_path(list, index, f.name) + ": expected " + to_string(f.type) + ", got " +
             value_type_name(v);
    if (const auto* s = std::get_if<std::string>(&v); s && !f.allows(*s))
      return "field " + field_path(list, index, f.name) + ": '" + *s + "' is not one of " + f.allowed_text();
    if (const Money* m = std::get_if<Money>(&v); m && (!currency || m->currency != *currency))
      return "field " + field_path(list, index, f.name) + " is in " + m->currency + " but the " +
             (currency ? "record's currency is " + *currency : std::string("record has no currency"));
    if (f.type != FieldType::kRef) continue;
    const std::string& key = std::get<std::string>(v);
    const ReferenceLookup* lookup = lookup_for(list, f.name);
    std::string problem;
    auto id =
        lookup ? resolve_by(*refs[i], source, lookup->by, key, problem) : resolve(*refs[i], source, key);
    if (!id) return fail(id.error());
    if (!problem.empty()) return "field " + field_path(list, index, f.name) + ": " + problem;
    std::string what =
        std::string(f.ref_entity) + (lookup ? " " + lookup->by : std::string()) + " '" + key + "'";
    if (*id == 0) return "unknown " + what + " (field " + field_path(list, index, f.name) + ")";
    if (*id < 0)
      return "more than one " + what + " (field " + field_path(list, index, f.name) +
             "): the lookup needs a unique value";
    ref_ids_.push_back(*id);
  }
  return std::string();
}

Result<std::string> UpsertPlan::check_entity(Table& table, const Entity& entity, std::string_view source) {
  const std::string* currency =
      table.currency >= 0 ? std::get_if<std::string>(&entity.values[static_cast<std::size_t>(table.currency)])
                          : nullptr;
  auto problem = check_fields(*table.spec, table.refs, entity, currency, source, {}, -1);
  if (!problem || !problem->empty()) return problem;
  own_ref_count_ = ref_ids_.size();
  for (std::size_t c = 0; c < table.children.size(); ++c) {
    const Table::Child& child = table.children[c];
    const auto& list = entity.children[c];
    for (std::size_t k = 0; k < list.size(); ++k) {
      problem = check_fields(*child.spec, child.refs, list[k], currency, source, table.spec->children[c].name,
                             static_cast<int>(k));
      if (!problem || !problem->empty()) return problem;
    }
  }
  return std::string();
}

}  // namespace arsync
