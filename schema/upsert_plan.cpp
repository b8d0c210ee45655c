#include "schema/upsert_plan.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

#include "schema/row_hash.hpp"

namespace arsync {
namespace {

// Past this many cached ids the cache starts over: it bounds memory on a huge customer master
// while the working set of an ordinary page still fits.
constexpr std::size_t kMaxCachedIds = 1 << 18;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

const char* value_type_name(const Value& v) {
  constexpr const char* kNames[] = {"nothing", "bool", "integer", "text", "money", "decimal", "bytes"};
  return kNames[v.index()];
}

// "customer" or "applications[1].invoice": where in the record a problem is.
std::string field_path(std::string_view list, int index, std::string_view field) {
  if (index < 0) return std::string(field);
  return std::string(list) + "[" + std::to_string(index) + "]." + std::string(field);
}

// Binds `entity`'s values to parameters first, first+1, ... in catalog order. A reference binds
// the next id resolved by check_entity (same traversal order). Decimals are formatted into
// `text` (one slot per field), which must stay untouched until the statement is reset.
void bind_fields(Statement& s, int first, const EntitySpec& spec, const Entity& entity,
                 const std::int64_t*& next_ref, std::vector<std::string>& text) {
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    int p = first + static_cast<int>(i);
    const Value& v = entity.values[i];
    if (spec.fields[i].type == FieldType::kRef && !std::holds_alternative<std::monostate>(v)) {
      s.bind_int(p, *next_ref++);
      continue;
    }
    switch (v.index()) {
      case 0:
        s.bind_null(p);
        break;
      case 1:
        s.bind_int(p, std::get<bool>(v) ? 1 : 0);
        break;
      case 2:
        s.bind_int(p, std::get<std::int64_t>(v));
        break;
      case 3:
        s.bind_text(p, std::get<std::string>(v));
        break;
      case 4:
        s.bind_int(p, std::get<Money>(v).minor);
        break;
      case 5:
        text[i] = std::get<Decimal>(v).to_string();
        s.bind_text(p, text[i]);
        break;
      case 6:
        s.bind_blob(p, std::get<Bytes>(v).data);  // a BLOB: SQLite never treats it as text
        break;
    }
  }
}

bool is_allowed(const FieldSpec& f, std::string_view value) {
  for (std::string_view a : f.allowed)
    if (a == value) return true;
  return false;
}

std::string allowed_list(const FieldSpec& f) {
  std::string out;
  for (std::string_view a : f.allowed) out += (out.empty() ? "" : ", ") + std::string(a);
  return out;
}

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

}  // namespace

std::string column_name(const FieldSpec& field) {
  return field.type == FieldType::kRef ? std::string(field.name) + "_id" : std::string(field.name);
}

std::string parent_column(const EntitySpec& parent) { return std::string(parent.name) + "_id"; }

// ERP ids of one source -> mirror row ids of one table, so resolving a reference is a hash
// lookup rather than a query (an initial sync resolves the same customers millions of times).
// Row ids never change once assigned (rows are tombstoned, never deleted), so an entry only
// goes stale if the transaction that created the row rolls back: forget_cached_ids().
class IdCache {
 public:
  const std::int64_t* find(std::string_view source, std::string_view erp_id) const {
    if (source != source_) return nullptr;
    auto it = ids_.find(erp_id);
    return it == ids_.end() ? nullptr : &it->second;
  }
  void add(std::string_view source, std::string_view erp_id, std::int64_t id) {
    if (source != source_ || ids_.size() >= kMaxCachedIds) {
      ids_.clear();
      source_ = source;
    }
    ids_.emplace(std::string(erp_id), id);
  }
  void clear() { ids_.clear(); }

 private:
  std::string source_;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> ids_;
};

struct UpsertPlan::Table {
  struct Child {
    const EntitySpec* spec = nullptr;
    std::vector<Table*> refs;   // parallel to spec->fields: the referenced table of a kRef field
    Statement remove;           // DELETE FROM <child> WHERE <parent>_id = ?1
    Statement insert;           // (<parent>_id, position[, currency], fields...)
    bool has_currency = false;  // the child table copies its parent's currency (applications)
  };

  const EntitySpec* spec = nullptr;
  std::vector<Table*> refs;
  int currency = -1;  // index of the `currency` field, or -1
  Statement find;     // id, row_hash, deleted by (source, erp_id)
  Statement insert;   // (source, fields..., row_hash, updated_seq)
  Statement update;   // fields..., row_hash, updated_seq, then id
  std::vector<Child> children;
  IdCache ids;             // used when another entity references this one
  bool expect_new = true;  // the last row written was new: try inserting before looking up
};

UpsertPlan::UpsertPlan(Database& db) : db_(db) {}
UpsertPlan::~UpsertPlan() = default;

namespace {

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

}  // namespace

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
    if (!f.allowed.empty() && !is_allowed(f, std::get<std::string>(v)))
      return "field " + field_path(list, index, f.name) + ": '" + std::get<std::string>(v) +
             "' is not one of " + allowed_list(f);
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

// Inserts the row, or, when its key exists, compares and updates it. While a table's rows keep
// coming in new (an initial sync), the insert goes first (ON CONFLICT DO NOTHING) and its own
// unique-index check replaces a separate lookup: ~8% of a fresh load. Once rows are found to
// exist (replays, incremental updates), the lookup goes first: a failed insert costs ~3x a
// lookup.
UpsertPlan::WriteResult UpsertPlan::write_row(Table& table, const Entity& entity, std::string_view source,
                                              const std::string& erp_id, std::uint64_t hash,
                                              std::int64_t seq) {
  const int n = static_cast<int>(table.spec->fields.size());
  auto try_insert = [&]() -> WriteResult {
    const std::int64_t* next_ref = ref_ids_.data();
    StatementScope scope(table.insert);
    table.insert.bind_text(1, source);
    bind_fields(table.insert, 2, *table.spec, entity, next_ref, decimal_text_);
    table.insert.bind_int(n + 2, static_cast<std::int64_t>(hash));
    table.insert.bind_int(n + 3, seq);
    if (int rc = table.insert.step(); rc != SQLITE_DONE) return {rc};
    if (db_.changes() == 1) return {SQLITE_DONE, false, UpsertOutcome::kInserted, db_.last_insert_rowid()};
    return {SQLITE_DONE, false, UpsertOutcome::kUnchanged, 0};  // the key exists
  };
  if (table.expect_new) {
    WriteResult inserted = try_insert();
    if (inserted.rc != SQLITE_DONE || inserted.outcome == UpsertOutcome::kInserted) return inserted;
  }
  std::int64_t id = 0;
  {
    StatementScope scope(table.find);
    table.find.bind_text(1, source);
    table.find.bind_text(2, erp_id);
    int rc = table.find.step();
    if (rc == SQLITE_DONE && !table.expect_new) return try_insert();
    if (rc != SQLITE_ROW) return {rc == SQLITE_DONE ? SQLITE_INTERNAL : rc};
    id = table.find.column_int(0);
    if (table.find.column_int(1) == static_cast<std::int64_t>(hash) && table.find.column_int(2) == 0)
      return {SQLITE_DONE, false, UpsertOutcome::kUnchanged, id};
  }
  const std::int64_t* next_ref = ref_ids_.data();
  StatementScope scope(table.update);
  bind_fields(table.update, 1, *table.spec, entity, next_ref, decimal_text_);
  table.update.bind_int(n + 1, static_cast<std::int64_t>(hash));
  table.update.bind_int(n + 2, seq);
  table.update.bind_int(n + 3, id);
  if (int rc = table.update.step(); rc != SQLITE_DONE) return {rc};
  return {SQLITE_DONE, false, UpsertOutcome::kUpdated, id};
}

// Replaces the children of the row just written (an update deletes the old ones first).
UpsertPlan::WriteResult UpsertPlan::write_children(Table& table, const Entity& entity, WriteResult row) {
  const std::int64_t* next_ref = ref_ids_.data() + own_ref_count_;
  const std::string* currency =
      table.currency >= 0 ? std::get_if<std::string>(&entity.values[static_cast<std::size_t>(table.currency)])
                          : nullptr;
  row.partial = true;  // the row itself is written: a failure from here on needs a rollback
  for (std::size_t c = 0; c < table.children.size(); ++c) {
    Table::Child& child = table.children[c];
    if (row.outcome == UpsertOutcome::kUpdated) {
      StatementScope scope(child.remove);
      child.remove.bind_int(1, row.id);
      if (int rc = child.remove.step(); rc != SQLITE_DONE) return row.rc = rc, row;
    }
    const auto& list = entity.children[c];
    for (std::size_t k = 0; k < list.size(); ++k) {
      StatementScope scope(child.insert);
      child.insert.bind_int(1, row.id);
      child.insert.bind_int(2, static_cast<std::int64_t>(k));
      if (child.has_currency) {
        if (currency)
          child.insert.bind_text(3, *currency);
        else
          child.insert.bind_null(3);
      }
      bind_fields(child.insert, child.has_currency ? 4 : 3, *child.spec, list[k], next_ref, decimal_text_);
      if (int rc = child.insert.step(); rc != SQLITE_DONE) return row.rc = rc, row;
    }
  }
  row.partial = false;
  return row;
}

Result<UpsertOutcome> UpsertPlan::upsert(const Entity& entity, std::string_view source,
                                         std::int64_t& last_seq, std::string& reject, bool isolated,
                                         const std::vector<ReferenceLookup>& lookups) {
  lookups_ = &lookups;  // read by check_fields during this call only
  Table* table = entity.spec ? table_for(entity.spec) : nullptr;
  if (!table) {
    reject = "not a top-level entity (" + std::string(entity.spec ? entity.spec->name : "no spec") + ")";
    return UpsertOutcome::kRejected;
  }
  ref_ids_.clear();
  auto problem = check_entity(*table, entity, source);
  if (!problem) return fail(problem.error());
  if (!problem->empty()) {
    reject = std::move(*problem);
    return UpsertOutcome::kRejected;
  }
  const std::uint64_t hash = row_hash(entity);
  const std::string& erp_id =
      std::get<std::string>(entity.values[static_cast<std::size_t>(table->spec->field_index("erp_id"))]);

  if (isolated)
    if (auto ok = db_.run(savepoint_, "cannot begin a savepoint"); !ok) return fail(ok.error());
  WriteResult written = write_row(*table, entity, source, erp_id, hash, last_seq + 1);
  if (written.rc == SQLITE_DONE) table->expect_new = written.outcome == UpsertOutcome::kInserted;
  if (written.rc == SQLITE_DONE && written.outcome != UpsertOutcome::kUnchanged)
    written = write_children(*table, entity, written);
  if (written.rc == SQLITE_DONE) {
    if (isolated)
      if (auto ok = db_.run(release_, "cannot release a savepoint"); !ok) return fail(ok.error());
    if (written.outcome != UpsertOutcome::kUnchanged) ++last_seq;
    return written.outcome;
  }
  // Capture the message before a rollback replaces it.
  Error error = db_.error(written.rc, "cannot write " + std::string(table->spec->name) + " " + erp_id);
  std::string message = sqlite3_errmsg(db_.get());
  // Not a constraint, or SQLite already rolled the whole transaction back (RAISE(ROLLBACK), a
  // full disk): the page cannot go on.
  if (!is_constraint(written.rc) || !db_.in_transaction()) return fail(std::move(error));
  if (isolated) {
    if (auto ok = db_.run(rollback_to_, "cannot roll back a savepoint"); !ok) return fail(ok.error());
    if (auto ok = db_.run(release_, "cannot release a savepoint"); !ok) return fail(ok.error());
  } else if (written.partial) {
    return UpsertOutcome::kRetryIsolated;
  }
  reject = "the mirror refused it: " + message;
  return UpsertOutcome::kRejected;
}

}  // namespace arsync
