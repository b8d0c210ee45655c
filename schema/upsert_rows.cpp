// UpsertPlan's writes (upsert_plan.hpp): one checked entity's row inserted or updated with the
// plan's prepared statements, its children replaced, in optimistic or isolated mode, and a
// constraint failure turned into a reject or kRetryIsolated.
#include <string>
#include <variant>

#include "schema/row_hash.hpp"
#include "schema/upsert_plan.hpp"
#include "schema/upsert_plan_table.hpp"

namespace arsync {
namespace {

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

}  // namespace

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
