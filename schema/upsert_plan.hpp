// UpsertPlan: the catalog turned into SQL, and the code that writes one canonical entity with it.
//
// At open the store builds one plan: for every top-level entity (customers, invoices, credit
// memos, payments) the statements that find a row by its natural key (source, erp_id), insert
// it, update it, and replace its children, generated from the catalog ONCE and prepared once.
// Every value is bound; no value is ever part of SQL text.
//
// Owned by the MirrorStore, used on its writer thread only, inside the store's transaction:
// upsert() never begins or commits.
//
// A record that breaks a constraint must be undone on its own so the rest of the page lands. A
// savepoint per entity would do it but costs ~10% of an initial sync, for a case the checks
// before writing make rare. So writes run in one of two modes: optimistic (no savepoint; a
// constraint failure on the entity's first statement is undone by SQLite's statement rollback
// and is a plain reject, one after it returns kRetryIsolated and the caller rolls the page back
// and replays it) and isolated (a savepoint per entity; never kRetryIsolated).
//
// The statements are generated in upsert_plan.cpp, an entity is checked and its references
// resolved in upsert_checks.cpp, and its rows are written in upsert_rows.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/catalog.hpp"
#include "schema/mirror_store.hpp"
#include "schema/result.hpp"
#include "schema/sqlite_handle.hpp"

namespace arsync {

// The column a field is stored in: its name, or `<name>_id` for a reference.
std::string column_name(const FieldSpec& field);
// The column of a child table that points at its parent: `<parent entity name>_id`.
std::string parent_column(const EntitySpec& parent);

enum class UpsertOutcome {
  kInserted,
  kUpdated,
  kUnchanged,
  kRejected,
  // Optimistic mode only: the entity broke a constraint after part of it was written, which
  // only a rollback of the transaction can undo. Roll back and replay the page isolated.
  kRetryIsolated,
};

class UpsertPlan {
 public:
  // Generates and prepares the statements; fails if a catalog column is missing from the
  // migrated schema (catalog and migrations disagree: a build defect, caught at start-up).
  static Result<std::unique_ptr<UpsertPlan>> prepare(Database& db);

  ~UpsertPlan();
  UpsertPlan(const UpsertPlan&) = delete;
  UpsertPlan& operator=(const UpsertPlan&) = delete;

  // Writes a top-level entity and its children within the caller's transaction. A changed or
  // new row takes ++last_seq as its updated_seq. A data problem (unknown reference, a value of
  // the wrong type, money in another currency, a constraint the row breaks) returns kRejected
  // with `reject` saying what, and leaves nothing of the entity written. An Error means the
  // mirror itself failed: the caller must roll the whole transaction back.
  // `lookups` name the reference fields to resolve by another field than erp_id.
  Result<UpsertOutcome> upsert(const Entity& entity, std::string_view source, std::int64_t& last_seq,
                               std::string& reject, bool isolated,
                               const std::vector<ReferenceLookup>& lookups = {});

  // Drops cached reference ids. Call after a rollback: rows inserted in it no longer exist.
  void forget_cached_ids();

 private:
  struct Table;
  explicit UpsertPlan(Database& db);

  Table* table_for(const EntitySpec* spec);
  // The mirror id of `erp_id` in `target` (0 when there is none).
  Result<std::int64_t> resolve(Table& target, std::string_view source, std::string_view erp_id);
  // The mirror id of the live row of `target` whose text field `by` is `value`: 0 when there is
  // none, -1 when there are several (ambiguous), or a reason when `by` is not a text field.
  Result<std::int64_t> resolve_by(Table& target, std::string_view source, std::string_view by,
                                  std::string_view value, std::string& problem);
  const ReferenceLookup* lookup_for(std::string_view list, std::string_view field) const;
  Result<std::string> check_fields(const EntitySpec& spec, const std::vector<Table*>& refs,
                                   const Entity& entity, const std::string* currency, std::string_view source,
                                   std::string_view list, int index);
  Result<std::string> check_entity(Table& table, const Entity& entity, std::string_view source);
  struct WriteResult {
    int rc = SQLITE_DONE;  // of the failing step, or SQLITE_DONE
    bool partial = false;  // a statement before the failing one had written
    UpsertOutcome outcome = UpsertOutcome::kUnchanged;
    std::int64_t id = 0;
  };
  WriteResult write_row(Table& table, const Entity& entity, std::string_view source,
                        const std::string& erp_id, std::uint64_t hash, std::int64_t seq);
  WriteResult write_children(Table& table, const Entity& entity, WriteResult row);

  Database& db_;
  std::vector<std::unique_ptr<Table>> tables_;
  Statement savepoint_, release_, rollback_to_;
  std::vector<std::int64_t> ref_ids_;      // resolved references of the entity being written, in bind order
  std::size_t own_ref_count_ = 0;          // how many of them are the entity's own (its children's follow)
  std::vector<std::string> decimal_text_;  // bound decimal texts of the statement being run
  const std::vector<ReferenceLookup>* lookups_ = nullptr;            // of the entity being written
  std::map<std::string, Statement, std::less<>> lookup_statements_;  // by "<table>.<field>"
};

}  // namespace arsync
