// Sync runs, cursors and the status report of a MirrorStore (declared in mirror_store.hpp): a
// run's start and end rows around its pages, runs a dead process left `running` marked
// interrupted at start-up, a stream's cursor read or reset outside a page, and the one-snapshot
// read behind `arsync status`. (A page's own cursor and run counters are written with the page:
// mirror_store.cpp.)
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "schema/mirror_store.hpp"
#include "schema/mirror_store_impl.hpp"
#include "schema/sqlite_handle.hpp"
#include "schema/timestamp.hpp"
#include "schema/upsert_plan.hpp"

namespace arsync {
namespace {

constexpr const char* kOutcomeNames[] = {"running", "succeeded", "failed", "interrupted"};

RunOutcome outcome_from(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kOutcomeNames[i]) return static_cast<RunOutcome>(i);
  return RunOutcome::kFailed;
}

}  // namespace

const char* to_string(RunOutcome outcome) { return kOutcomeNames[static_cast<int>(outcome)]; }

// DESIGN §4: a run left `running` by a process that died is marked so at start-up. A run whose
// process is alive (a daemon beside this CLI command) is left alone; kill(pid, 0) is enough
// because the mirror is local to one host (SQLite on a network filesystem is unsupported).
Result<void> MirrorStore::Impl::mark_interrupted_runs() {
  auto running = stmt("SELECT id, pid FROM sync_runs WHERE outcome = 'running'");
  if (!running) return fail(running.error());
  std::vector<std::int64_t> dead;
  {
    StatementScope scope(**running);
    int rc;
    while ((rc = (*running)->step()) == SQLITE_ROW) {
      const std::int64_t pid = (*running)->column_int(1);
      const bool alive =
          pid > 0 && pid != getpid() && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
      if (!alive) dead.push_back((*running)->column_int(0));
    }
    if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot read running sync runs"));
  }
  auto mark = stmt("UPDATE sync_runs SET outcome = 'interrupted', finished_at = ?2 WHERE id = ?1");
  if (!mark) return fail(mark.error());
  const std::string now = now_iso8601();
  for (std::int64_t id : dead) {
    (*mark)->bind_int(1, id);
    (*mark)->bind_text(2, now);
    if (auto ok = db.run(**mark, "cannot mark sync run " + std::to_string(id) + " interrupted"); !ok)
      return ok;
  }
  return {};
}

Result<std::optional<std::string>> MirrorStore::Impl::stream_text(std::string_view sql,
                                                                  std::string_view source,
                                                                  std::string_view stream,
                                                                  std::string_view what) {
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_text(1, source);
  st.bind_text(2, stream);
  int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.column_string(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return fail(db.error(
      rc, "cannot read " + std::string(what) + " of " + std::string(source) + "/" + std::string(stream)));
}

Result<std::optional<std::string>> MirrorStore::cursor(std::string_view source, std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  return impl_->stream_text("SELECT cursor FROM sync_cursors WHERE source = ?1 AND stream = ?2", source,
                            stream, "the cursor");
}

Result<void> MirrorStore::reset_cursor(std::string_view source, std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->writable("reset a cursor"); !ok) return ok;
  auto s = impl_->stmt("DELETE FROM sync_cursors WHERE source = ?1 AND stream = ?2");
  if (!s) return fail(s.error());
  (*s)->bind_text(1, source);
  (*s)->bind_text(2, stream);
  return impl_->db.run(**s, "cannot reset the cursor of " + std::string(source) + "/" + std::string(stream));
}

// A run's start and end are bookkeeping around the pages, which carry the data and the cursor
// in their own durable commits. With synchronous=FULL (the daemon) each would cost an fsync of
// its own: three per delta poll where one is needed. They are committed with synchronous=NORMAL
// instead: a kill -9 cannot lose them (the WAL frames are written, only not yet fsync'd), a
// power loss can lose at most the row itself (a start-up then finds nothing or marks the run
// interrupted), and the next durable commit of anything (the WAL is one append-only file)
// makes them durable too.
Result<void> MirrorStore::Impl::run_without_fsync(Statement& s, std::string_view what) {
  if (!options.synchronous_full || db.in_transaction()) return db.run(s, what);
  if (auto ok = db.exec("PRAGMA synchronous = NORMAL", "cannot configure the mirror"); !ok) return ok;
  auto ran = db.run(s, what);
  auto restored = db.exec("PRAGMA synchronous = FULL", "cannot configure the mirror");
  if (!ran) return ran;
  return restored;
}

Result<std::int64_t> MirrorStore::begin_run(std::string_view source, std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->writable("begin a sync run"); !ok) return fail(ok.error());
  auto s = impl_->stmt("INSERT INTO sync_runs (source, stream, started_at, pid) VALUES (?1, ?2, ?3, ?4)");
  if (!s) return fail(s.error());
  const std::string now = now_iso8601();
  (*s)->bind_text(1, source);
  (*s)->bind_text(2, stream);
  (*s)->bind_text(3, now);
  (*s)->bind_int(4, getpid());
  if (auto ok = impl_->run_without_fsync(**s, "cannot record a sync run"); !ok) return fail(ok.error());
  return impl_->db.last_insert_rowid();
}

Result<void> MirrorStore::finish_run(std::int64_t run_id, RunOutcome outcome, std::string_view error) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->writable("finish a sync run"); !ok) return ok;
  if (outcome == RunOutcome::kRunning)
    return fail(ErrorKind::kInvalidInput, "a run cannot finish as `running`",
                "sync run " + std::to_string(run_id));
  auto s = impl_->stmt("UPDATE sync_runs SET finished_at = ?2, outcome = ?3, error = ?4 WHERE id = ?1");
  if (!s) return fail(s.error());
  const std::string now = now_iso8601();
  Statement& st = **s;
  st.bind_int(1, run_id);
  st.bind_text(2, now);
  st.bind_text(3, to_string(outcome));
  if (error.empty())
    st.bind_null(4);
  else
    st.bind_text(4, error);
  if (auto ok = impl_->run_without_fsync(st, "cannot finish sync run " + std::to_string(run_id)); !ok) return ok;
  if (impl_->db.changes() == 0)
    return fail(ErrorKind::kNotFound, "sync run " + std::to_string(run_id) + " does not exist",
                impl_->db.path());
  return {};
}

// ---------------------------------------------------------------------------------------------
// Status

// Live rows: top-level rows not tombstoned; children whose parent is live.
Result<void> MirrorStore::Impl::count_tables(StatusReport& report) {
  for (const EntitySpec* spec : all_entities()) {
    std::string sql = "SELECT count(*) FROM " + std::string(spec->table) + " c";
    if (spec->top_level) {
      sql += " WHERE c.deleted = 0";
    } else {
      std::string live;
      for (const EntitySpec* parent : all_entities())
        for (const ChildSpec& child : parent->children)
          if (child.entity == spec)
            live += std::string(live.empty() ? " WHERE " : " OR ") + "EXISTS (SELECT 1 FROM " +
                    std::string(parent->table) + " p WHERE p.id = c." + parent_column(*parent) +
                    " AND p.deleted = 0)";
      sql += live;
    }
    auto rows = query_int(sql, "cannot count " + std::string(spec->table));
    if (!rows) return fail(rows.error());
    report.tables.push_back({std::string(spec->table), *rows});
  }
  return {};
}

Result<void> MirrorStore::Impl::list_cursors(StatusReport& report) {
  auto s = stmt("SELECT source, stream, cursor, updated_at FROM sync_cursors ORDER BY source, stream");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    report.cursors.push_back(
        {st.column_string(0), st.column_string(1), st.column_string(2), st.column_string(3)});
  if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot list cursors"));
  return {};
}

Result<void> MirrorStore::Impl::list_last_runs(StatusReport& report) {
  auto s = stmt(
      "SELECT id, source, stream, started_at, finished_at, outcome, pages, inserted, updated, unchanged, "
      "rejected, error FROM sync_runs WHERE id IN (SELECT max(id) FROM sync_runs GROUP BY source, stream) "
      "ORDER BY source, stream");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    RunSummary run;
    run.id = st.column_int(0);
    run.source = st.column_string(1);
    run.stream = st.column_string(2);
    run.started_at = st.column_string(3);
    run.finished_at = st.column_string(4);
    run.outcome = outcome_from(st.column_text(5));
    run.pages = st.column_int(6);
    run.inserted = st.column_int(7);
    run.updated = st.column_int(8);
    run.unchanged = st.column_int(9);
    run.rejected = st.column_int(10);
    run.error = st.column_string(11);
    report.last_runs.push_back(std::move(run));
  }
  if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot list sync runs"));
  return {};
}

Result<StatusReport> MirrorStore::status() {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  StatusReport report;
  report.schema_version = m.schema_version;
  // One read transaction, so the counts, cursors and runs are one consistent snapshot.
  if (auto ok = m.db.exec("BEGIN", "cannot read the mirror's status"); !ok) return fail(ok.error());
  auto read = [&]() -> Result<void> {
    if (auto ok = m.count_tables(report); !ok) return ok;
    if (auto ok = m.list_cursors(report); !ok) return ok;
    if (auto ok = m.list_last_runs(report); !ok) return ok;
    auto open = m.query_int("SELECT count(*) FROM rejects WHERE resolved_at IS NULL", "cannot count rejects");
    if (!open) return fail(open.error());
    report.open_rejects = *open;
    return {};
  };
  auto ok = read();
  (void)m.db.exec(ok ? "COMMIT" : "ROLLBACK", "cannot end the status read");
  if (!ok) return fail(ok.error());
  return report;
}

}  // namespace arsync
