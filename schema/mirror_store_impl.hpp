// The private state of a MirrorStore, shared by the files that implement it (mirror_store.cpp:
// pages; mirror_open.cpp: open and migrations; mirror_runs.cpp: runs, cursors, status;
// inbox.cpp: the webhook inbox). Not part of the API.
#pragma once

#include <map>
#include <mutex>
#include <memory>
#include <string>

#include "schema/migrations.hpp"
#include "schema/mirror_store.hpp"
#include "schema/sqlite_handle.hpp"
#include "schema/upsert_plan.hpp"

namespace arsync {

struct MirrorStore::Impl {
  // Serialises the public methods: one connection, one writer at a time (the daemon's stream
  // workers and its webhook group commits share the store).
  std::recursive_mutex mutex;
  // Constant after open. `db` is declared first so it is closed after every statement.
  Database db;
  OpenOptions options;
  std::int64_t schema_version = 0;
  // Touched only by the writer (the one thread using this store).
  std::int64_t last_seq = 0;  // the mirror_state row, as of the last commit (or in the open transaction)
  bool grouped = false;       // inside group_portal_writes(): each portal write is a savepoint
  std::unique_ptr<UpsertPlan> plan;
  std::map<std::string, Statement, std::less<>> statements;

  // The prepared statement for `sql`, prepared on first use and kept (SQL texts are constants).
  Result<Statement*> stmt(std::string_view sql);
  Result<void> writable(std::string_view what) const;
  Result<std::int64_t> query_int(std::string_view sql, std::string_view what);
  // mirror_runs.cpp: the text in the first row of `sql` with ?1 = source and ?2 = stream, or
  // nullopt when there is no row (a stream's cursor, its last reconcile).
  Result<std::optional<std::string>> stream_text(std::string_view sql, std::string_view source,
                                                 std::string_view stream, std::string_view what);

  Result<void> prepare_connection();
  Result<void> migrate();
  Result<void> apply_migration(const Migration& migration);
  Result<bool> migration_recorded(std::int64_t version);
  Result<void> check_recorded_migrations();
  Result<void> mark_interrupted_runs();
  // Runs `s` (one autocommit statement) without an fsync of its own; see begin_run().
  Result<void> run_without_fsync(Statement& s, std::string_view what);

  Result<std::optional<PageOutcome>> try_page(const PageWrite& page, bool isolated);
  // page_transaction.cpp: the pages of apply_pages(), inside its open transaction
  Result<PageOutcome> write_pages(const std::function<Result<const PageWrite*>()>& next);
  Result<std::optional<PageOutcome>> try_page_in_savepoint(const PageWrite& page, bool isolated);
  Result<std::optional<PageOutcome>> write_page(const PageWrite& page, bool isolated);
  Result<void> store_reject(const PageWrite& page, const RejectRow& reject, const std::string& now);
  Result<void> add_run_counts(const PageWrite& page, const PageOutcome& outcome);
  Result<void> store_cursor(const PageWrite& page, const std::string& now);
  Result<void> finish_inbox_rows(const std::vector<std::int64_t>& ids, const std::string& now);  // inbox.cpp
  // reconcile.cpp
  Result<void> mark_seen(const PageWrite& page);
  Result<std::int64_t> tombstone_rows(const EntitySpec& entity, const std::vector<std::int64_t>& ids);

  // outbox.cpp: moves the portal object of outbox item `item_id` along with it; bumps last_seq
  // (not stored: store_last_seq() does, once per transaction). `conflict` (profile changes
  // only): how a conflicting ERP change was resolved, "" for none.
  Result<void> move_outbox_object(std::int64_t item_id, OutboxStatus status, std::string_view erp_ref,
                                  const std::string& now, std::string_view conflict = {});
  Result<void> store_last_seq();

  Result<void> count_tables(StatusReport& report);
  Result<void> list_cursors(StatusReport& report);
  Result<void> list_last_runs(StatusReport& report);
};

}  // namespace arsync
