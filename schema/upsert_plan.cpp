#include "schema/upsert_plan.hpp"

#include <algorithm>
#include <set>

#include "schema/upsert_plan_table.hpp"

namespace arsync {
namespace {

std::string placeholders(int from, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? ", ?" : "?") + std::to_string(from + i);
  return out;
}

std::string field_columns(const EntitySpec& spec) {
  std::string out;
  for (const FieldSpec& f : spec.fields) out += ", " + column_name(f);
  return out;
}

Result<std::set<std::string>> table_columns(Database& db, std::string_view table) {
  auto stmt = db.prepare("SELECT name FROM pragma_table_info(?1)");
  if (!stmt) return fail(stmt.error());
  stmt->bind_text(1, table);
  std::set<std::string> columns;
  int rc;
  while ((rc = stmt->step()) == SQLITE_ROW) columns.insert(stmt->column_string(0));
  if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot read the columns of " + std::string(table)));
  return columns;
}

Result<void> require_columns(Database& db, const EntitySpec& spec, const std::set<std::string>& columns) {
  for (const FieldSpec& f : spec.fields) {
    if (!columns.contains(column_name(f)))
      return fail(ErrorKind::kIo,
                  "mirror table " + std::string(spec.table) + " has no column " + column_name(f) +
                      ": the catalog and the migrations disagree (a build defect)",
                  db.path());
  }
  return {};
}

// A reference can only be resolved against a top-level entity (one with a natural key).
template <class Table>
Result<void> require_ref_targets(const EntitySpec& spec, const std::vector<Table*>& refs,
                                 const Database& db) {
  for (std::size_t i = 0; i < spec.fields.size(); ++i)
    if (spec.fields[i].type == FieldType::kRef && !refs[i])
      return fail(ErrorKind::kIo,
                  "catalog field " + std::string(spec.name) + "." + std::string(spec.fields[i].name) +
                      " refers to '" + std::string(spec.fields[i].ref_entity) +
                      "', which is not a top-level entity (a build defect)",
                  db.path());
  return {};
}

}  // namespace

std::string column_name(const FieldSpec& field) {
  return field.type == FieldType::kRef ? std::string(field.name) + "_id" : std::string(field.name);
}

std::string parent_column(const EntitySpec& parent) { return std::string(parent.name) + "_id"; }

UpsertPlan::UpsertPlan(Database& db) : db_(db) {}
UpsertPlan::~UpsertPlan() = default;

Result<std::unique_ptr<UpsertPlan>> UpsertPlan::prepare(Database& db) {
  std::unique_ptr<UpsertPlan> plan(new UpsertPlan(db));
  for (const EntitySpec* spec : all_entities())
    plan->decimal_text_.resize(std::max(plan->decimal_text_.size(), spec->fields.size()));
  for (const EntitySpec* spec : all_entities()) {
    if (!spec->top_level) continue;
    auto table = std::make_unique<Table>();
    table->spec = spec;
    table->currency = spec->field_index("currency");
    plan->tables_.push_back(std::move(table));
  }
  auto refs_of = [&plan](const EntitySpec& spec) {
    std::vector<Table*> refs;
    for (const FieldSpec& f : spec.fields) {
      Table* target = nullptr;
      if (f.type == FieldType::kRef)
        for (auto& t : plan->tables_)
          if (t->spec->name == f.ref_entity) target = t.get();
      refs.push_back(target);
    }
    return refs;
  };

  for (auto& t : plan->tables_) {
    const EntitySpec& spec = *t->spec;
    const std::string table(spec.table);
    const int n = static_cast<int>(spec.fields.size());
    auto columns = table_columns(db, table);
    if (!columns) return fail(columns.error());
    if (auto ok = require_columns(db, spec, *columns); !ok) return fail(ok.error());
    t->refs = refs_of(spec);
    if (auto ok = require_ref_targets(spec, t->refs, db); !ok) return fail(ok.error());

    std::string sets;
    for (int i = 0; i < n; ++i)
      sets += column_name(spec.fields[static_cast<std::size_t>(i)]) + " = ?" + std::to_string(i + 1) + ", ";
    auto find =
        db.prepare("SELECT id, row_hash, deleted FROM " + table + " WHERE source = ?1 AND erp_id = ?2");
    auto insert = db.prepare("INSERT INTO " + table + " (source" + field_columns(spec) +
                             ", row_hash, updated_seq) VALUES (" + placeholders(1, n + 3) +
                             ") ON CONFLICT (source, erp_id) DO NOTHING");
    auto update = db.prepare("UPDATE " + table + " SET " + sets + "row_hash = ?" + std::to_string(n + 1) +
                             ", updated_seq = ?" + std::to_string(n + 2) + ", deleted = 0 WHERE id = ?" +
                             std::to_string(n + 3));
    if (!find) return fail(find.error());
    if (!insert) return fail(insert.error());
    if (!update) return fail(update.error());
    t->find = std::move(*find);
    t->insert = std::move(*insert);
    t->update = std::move(*update);

    for (const ChildSpec& cs : spec.children) {
      Table::Child child;
      child.spec = cs.entity;
      child.refs = refs_of(*cs.entity);
      if (auto ok = require_ref_targets(*cs.entity, child.refs, db); !ok) return fail(ok.error());
      const std::string ctable(cs.entity->table);
      auto ccolumns = table_columns(db, ctable);
      if (!ccolumns) return fail(ccolumns.error());
      if (auto ok = require_columns(db, *cs.entity, *ccolumns); !ok) return fail(ok.error());
      child.has_currency = cs.entity->field_index("currency") < 0 && ccolumns->contains("currency");
      const int fixed = child.has_currency ? 3 : 2;
      const int cn = static_cast<int>(cs.entity->fields.size());
      auto remove = db.prepare("DELETE FROM " + ctable + " WHERE " + parent_column(spec) + " = ?1");
      auto cinsert = db.prepare("INSERT INTO " + ctable + " (" + parent_column(spec) + ", position" +
                                (child.has_currency ? ", currency" : "") + field_columns(*cs.entity) +
                                ") VALUES (" + placeholders(1, fixed + cn) + ")");
      if (!remove) return fail(remove.error());
      if (!cinsert) return fail(cinsert.error());
      child.remove = std::move(*remove);
      child.insert = std::move(*cinsert);
      t->children.push_back(std::move(child));
    }
  }

  auto savepoint = db.prepare("SAVEPOINT entity");
  auto release = db.prepare("RELEASE entity");
  auto rollback_to = db.prepare("ROLLBACK TO entity");
  if (!savepoint) return fail(savepoint.error());
  if (!release) return fail(release.error());
  if (!rollback_to) return fail(rollback_to.error());
  plan->savepoint_ = std::move(*savepoint);
  plan->release_ = std::move(*release);
  plan->rollback_to_ = std::move(*rollback_to);
  return plan;
}

void UpsertPlan::forget_cached_ids() {
  for (auto& t : tables_) t->ids.clear();
}

UpsertPlan::Table* UpsertPlan::table_for(const EntitySpec* spec) {
  for (auto& t : tables_)
    if (t->spec == spec) return t.get();
  return nullptr;
}

}  // namespace arsync
