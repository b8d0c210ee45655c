#include "schema/mirror_store.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "schema/entity_json.hpp"
#include "schema/mirror_store_impl.hpp"
#include "schema/migrations.hpp"
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

int latest_migration() { return kMigrations.empty() ? 0 : kMigrations.back().version; }

// Top-level entities first, in the catalog's dependency order (customers before the invoices
// that reference them), so a page that mixes kinds resolves its own references. Stable: within
// a kind, page order is kept (a later record with the same key wins).
std::vector<const Entity*> in_dependency_order(const std::vector<Entity>& entities) {
  std::vector<const Entity*> order;
  order.reserve(entities.size());
  for (const Entity& e : entities) order.push_back(&e);
  auto rank = [](const Entity* e) {
    auto all = all_entities();
    return std::find(all.begin(), all.end(), e->spec) - all.begin();
  };
  bool mixed = std::any_of(entities.begin(), entities.end(),
                           [&](const Entity& e) { return e.spec != entities.front().spec; });
  if (mixed)
    std::stable_sort(order.begin(), order.end(), [&](auto* a, auto* b) { return rank(a) < rank(b); });
  return order;
}

}  // namespace

const char* to_string(RunOutcome outcome) { return kOutcomeNames[static_cast<int>(outcome)]; }


Result<Statement*> MirrorStore::Impl::stmt(std::string_view sql) {
  auto it = statements.find(sql);
  if (it != statements.end()) return &it->second;
  auto prepared = db.prepare(sql);
  if (!prepared) return fail(prepared.error());
  return &statements.emplace(std::string(sql), std::move(*prepared)).first->second;
}

Result<void> MirrorStore::Impl::writable(std::string_view what) const {
  if (options.read_only)
    return fail(ErrorKind::kInvalidInput,
                "cannot " + std::string(what) + ": the mirror was opened read-only (for `arsync status`)",
                db.path());
  return {};
}

Result<std::int64_t> MirrorStore::Impl::query_int(std::string_view sql, std::string_view what) {
  auto s = stmt(sql);
  if (!s) return fail(s.error());
  StatementScope scope(**s);
  int rc = (*s)->step();
  if (rc != SQLITE_ROW) return fail(db.error(rc, what));
  return (*s)->column_int(0);
}

// ---------------------------------------------------------------------------------------------
// Opening and migrating

Result<void> MirrorStore::Impl::prepare_connection() {
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  if (options.read_only) return db.exec("PRAGMA query_only = ON", "cannot configure the mirror");
  // WAL: readers (the portal API, `arsync status`) never block the writer, and with WAL
  // synchronous=NORMAL loses at most the last commits on power loss, never consistency.
  auto mode = stmt("PRAGMA journal_mode = WAL");
  if (!mode) return fail(mode.error());
  {
    StatementScope scope(**mode);
    int rc = (*mode)->step();
    if (rc != SQLITE_ROW) return fail(db.error(rc, "cannot switch the mirror to WAL mode"));
    if ((*mode)->column_text(0) != "wal")
      return fail(ErrorKind::kIo,
                  "cannot switch the mirror to WAL mode (got " + (*mode)->column_string(0) + ")", db.path());
  }
  // A 64 MiB page cache keeps the hot index pages (natural keys, customer/due-date) in memory
  // through an initial sync; checkpointing every ~40 MB of WAL instead of 4 MB cuts the fsyncs
  // of a bulk load. Together they are worth ~35% of initial-sync throughput (see bench notes),
  // within the daemon's memory budget. journal_size_limit truncates the WAL after a checkpoint.
  if (auto ok = db.exec("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000; "
                        "PRAGMA journal_size_limit = 67108864",
                        "cannot configure the mirror");
      !ok)
    return ok;
  const char* sync = options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  if (auto ok = db.exec(sync, "cannot configure the mirror"); !ok) return ok;
  return db.exec("PRAGMA foreign_keys = ON", "cannot configure the mirror");
}

// Every migration not yet recorded is applied, in version order, not only those above the
// highest recorded one: migrations written on parallel branches can land out of order (006
// after 009), and a mirror that already has 009 must still get 006.
Result<void> MirrorStore::Impl::migrate() {
  for (const Migration& migration : kMigrations) {
    if (migration.version <= schema_version) {
      auto recorded = migration_recorded(migration.version);
      if (!recorded) return fail(recorded.error());
      if (*recorded) continue;
    }
    if (auto ok = apply_migration(migration); !ok) return ok;
  }
  return {};
}

Result<bool> MirrorStore::Impl::migration_recorded(std::int64_t version) {
  auto s = stmt("SELECT count(*) FROM schema_migrations WHERE version = ?1");
  if (!s) return fail(s.error());
  StatementScope scope(**s);
  (*s)->bind_int(1, version);
  if ((*s)->step() != SQLITE_ROW) return fail(db.error(SQLITE_ERROR, "cannot read schema_migrations"));
  return (*s)->column_int(0) > 0;
}

// One migration, one transaction, recorded with it: a crash leaves the mirror at the previous
// version, never half-way. The version is re-read under the write lock because another
// process may have migrated meanwhile.
Result<void> MirrorStore::Impl::apply_migration(const Migration& migration) {
  const std::string name(migration.name);
  if (auto ok = db.exec("BEGIN IMMEDIATE", "cannot start migration " + name); !ok) return ok;
  auto step = [&]() -> Result<void> {
    auto has_table =
        query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
                  "cannot read the schema version");
    if (!has_table) return fail(has_table.error());
    if (*has_table) {
      auto recorded = migration_recorded(migration.version);
      if (!recorded) return fail(recorded.error());
      if (*recorded) return {};
    }
    if (auto ok = db.exec(std::string(migration.sql).c_str(), "migration " + name + " failed"); !ok)
      return ok;
    auto record = stmt("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
    if (!record) return fail(record.error());
    const std::string now = now_iso8601();
    (*record)->bind_int(1, migration.version);
    (*record)->bind_text(2, migration.name);
    (*record)->bind_text(3, now);
    return db.run(**record, "cannot record migration " + name);
  };
  auto ok = step();
  if (ok) ok = db.exec("COMMIT", "cannot commit migration " + name);
  if (!ok) {
    if (db.in_transaction()) (void)db.exec("ROLLBACK", "rollback");
    return ok;
  }
  schema_version = migration.version;
  return {};
}

// A mirror whose history names a migration differently was built by another branch of arsync:
// continuing would run against a schema this binary does not know.
Result<void> MirrorStore::Impl::check_recorded_migrations() {
  auto s = stmt("SELECT version, name FROM schema_migrations ORDER BY version");
  if (!s) return fail(s.error());
  StatementScope scope(**s);
  int rc;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    const std::int64_t version = (*s)->column_int(0);
    auto known = std::find_if(kMigrations.begin(), kMigrations.end(),
                              [&](const Migration& m) { return m.version == version; });
    if (known != kMigrations.end() && known->name != (*s)->column_text(1))
      return fail(ErrorKind::kIo,
                  "mirror migration " + std::to_string(version) + " is '" + (*s)->column_string(1) +
                      "' but this arsync calls it '" + std::string(known->name) +
                      "': the mirror was created by a different arsync build",
                  db.path());
  }
  if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot read schema_migrations"));
  return {};
}

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

Result<std::unique_ptr<MirrorStore>> MirrorStore::open(const std::filesystem::path& path,
                                                       OpenOptions options) {
  std::error_code ec;
  const std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  if (!std::filesystem::is_directory(dir, ec))
    return fail(ErrorKind::kNotFound,
                "directory " + dir.string() + " does not exist: create the state directory first",
                path.string());
  if (options.read_only && !std::filesystem::exists(path, ec))
    return fail(ErrorKind::kNotFound, "no mirror here: start the daemon or run `arsync migrate` first",
                path.string());

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto db = Database::open(
      path, options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return fail(db.error());
  impl->db = std::move(*db);
  if (auto ok = impl->prepare_connection(); !ok) return fail(ok.error());

  auto has_table = impl->query_int(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      "cannot read the schema version (is this an arsync mirror?)");
  if (!has_table) return fail(has_table.error());
  if (*has_table) {
    auto version = impl->query_int("SELECT coalesce(max(version), 0) FROM schema_migrations",
                                   "cannot read the schema version");
    if (!version) return fail(version.error());
    impl->schema_version = *version;
    if (auto ok = impl->check_recorded_migrations(); !ok) return fail(ok.error());
  }
  if (impl->schema_version > latest_migration())
    return fail(ErrorKind::kIo,
                "the mirror's schema version " + std::to_string(impl->schema_version) +
                    " is newer than this arsync knows (" + std::to_string(latest_migration()) +
                    "): upgrade arsync, or restore a backup made by this version",
                path.string());
  if (options.read_only) {
    if (impl->schema_version < latest_migration())
      return fail(ErrorKind::kIo,
                  "the mirror's schema version " + std::to_string(impl->schema_version) +
                      " is older than this arsync's (" + std::to_string(latest_migration()) +
                      "): run `arsync migrate`",
                  path.string());
  } else {
    if (auto ok = impl->migrate(); !ok) return fail(ok.error());
    if (auto ok = impl->mark_interrupted_runs(); !ok) return fail(ok.error());
    auto plan = UpsertPlan::prepare(impl->db);
    if (!plan) return fail(plan.error());
    impl->plan = std::move(*plan);
  }
  auto seq =
      impl->query_int("SELECT last_seq FROM mirror_state WHERE id = 1", "cannot read the change sequence");
  if (!seq) return fail(seq.error());
  impl->last_seq = *seq;
  return std::unique_ptr<MirrorStore>(new MirrorStore(std::move(impl)));
}

MirrorStore::MirrorStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MirrorStore::~MirrorStore() = default;

// ---------------------------------------------------------------------------------------------
// Pages

// Everything a page changes is written here, inside the caller's transaction: rows, rejects,
// run counters, the change sequence and the cursor. Any Error aborts the whole page; nullopt
// means "roll back and write it again isolated" (see UpsertPlan).
Result<std::optional<PageOutcome>> MirrorStore::Impl::write_page(const PageWrite& page, bool isolated) {
  PageOutcome outcome;
  const std::int64_t seq_before = last_seq;
  std::string reject;
  for (const Entity* entity : in_dependency_order(page.entities)) {
    auto written = plan->upsert(*entity, page.source, last_seq, reject, isolated, page.lookups);
    if (!written) return fail(written.error());
    switch (*written) {
      case UpsertOutcome::kInserted:
        ++outcome.inserted;
        break;
      case UpsertOutcome::kUpdated:
        ++outcome.updated;
        break;
      case UpsertOutcome::kUnchanged:
        ++outcome.unchanged;
        break;
      case UpsertOutcome::kRejected:
        outcome.rejects.push_back(RejectRow{entity->key(), entity_json(*entity), std::move(reject), {}});
        reject.clear();
        break;
      case UpsertOutcome::kRetryIsolated:
        return std::optional<PageOutcome>();
    }
  }
  const std::string now = now_iso8601();
  for (const RejectRow& r : page.rejects)
    if (auto ok = store_reject(page, r, now); !ok) return fail(ok.error());
  for (const RejectRow& r : outcome.rejects)
    if (auto ok = store_reject(page, r, now); !ok) return fail(ok.error());
  if (last_seq != seq_before) {
    auto s = stmt("UPDATE mirror_state SET last_seq = ?1 WHERE id = 1");
    if (!s) return fail(s.error());
    (*s)->bind_int(1, last_seq);
    if (auto ok = db.run(**s, "cannot advance the change sequence"); !ok) return fail(ok.error());
  }
  if (auto ok = mark_seen(page); !ok) return fail(ok.error());
  if (auto ok = add_run_counts(page, outcome); !ok) return fail(ok.error());
  if (auto ok = store_cursor(page, now); !ok) return fail(ok.error());
  if (auto ok = finish_inbox_rows(page.inbox_done, now); !ok) return fail(ok.error());
  return std::optional<PageOutcome>(std::move(outcome));
}

Result<void> MirrorStore::Impl::store_reject(const PageWrite& page, const RejectRow& reject,
                                             const std::string& now) {
  auto s = stmt(
      "INSERT INTO rejects (source, stream, run_id, record_key, raw, error, location, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind_text(1, page.source);
  st.bind_text(2, page.stream);
  if (page.run_id)
    st.bind_int(3, page.run_id);
  else
    st.bind_null(3);
  st.bind_text(4, reject.record_key);
  st.bind_text(5, reject.raw);
  st.bind_text(6, reject.error);
  if (reject.where.empty())
    st.bind_null(7);
  else
    st.bind_text(7, reject.where);
  st.bind_text(8, now);
  return db.run(st, "cannot store a reject of " + page.source + "/" + page.stream);
}

Result<void> MirrorStore::Impl::add_run_counts(const PageWrite& page, const PageOutcome& outcome) {
  if (page.run_id == 0) return {};
  auto s = stmt(
      "UPDATE sync_runs SET pages = pages + 1, inserted = inserted + ?2, updated = updated + ?3, "
      "unchanged = unchanged + ?4, rejected = rejected + ?5 WHERE id = ?1");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind_int(1, page.run_id);
  st.bind_int(2, outcome.inserted);
  st.bind_int(3, outcome.updated);
  st.bind_int(4, outcome.unchanged);
  st.bind_int(5, static_cast<std::int64_t>(page.rejects.size() + outcome.rejects.size()));
  if (auto ok = db.run(st, "cannot count the page into its sync run"); !ok) return ok;
  if (db.changes() == 0)
    return fail(ErrorKind::kNotFound,
                "sync run " + std::to_string(page.run_id) + " does not exist (begin_run first)", db.path());
  return {};
}

Result<void> MirrorStore::Impl::store_cursor(const PageWrite& page, const std::string& now) {
  if (!page.cursor) return {};
  auto s = stmt(
      "INSERT INTO sync_cursors (source, stream, cursor, updated_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (source, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = "
      "excluded.updated_at");
  if (!s) return fail(s.error());
  Statement& st = **s;
  st.bind_text(1, page.source);
  st.bind_text(2, page.stream);
  st.bind_text(3, *page.cursor);
  st.bind_text(4, now);
  return db.run(st, "cannot store the cursor of " + page.source + "/" + page.stream);
}

// One attempt at a page in one transaction; on any failure or retry request nothing of it
// remains, in the file or in memory.
Result<std::optional<PageOutcome>> MirrorStore::Impl::try_page(const PageWrite& page, bool isolated) {
  const std::int64_t seq_before = last_seq;
  auto begin = stmt("BEGIN IMMEDIATE");
  if (!begin) return fail(begin.error());
  if (auto ok = db.run(**begin, "cannot start the page's transaction"); !ok) return fail(ok.error());

  auto outcome = write_page(page, isolated);
  Result<void> committed = outcome ? Result<void>() : Result<void>(fail(outcome.error()));
  if (committed && *outcome) {
    auto commit = stmt("COMMIT");
    committed = commit ? db.run(**commit, "cannot commit the page of " + page.source + "/" + page.stream)
                       : Result<void>(fail(commit.error()));
    if (committed) return outcome;
  }
  if (db.in_transaction()) (void)db.exec("ROLLBACK", "cannot roll back the page");
  last_seq = seq_before;
  plan->forget_cached_ids();
  if (!committed) return fail(committed.error());
  return std::optional<PageOutcome>();
}

Result<PageOutcome> MirrorStore::apply_page(const PageWrite& page) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->writable("apply a page"); !ok) return fail(ok.error());
  // Optimistic first; a page with a record that broke a constraint half-way is written again
  // with a savepoint per record, so that record alone becomes a reject.
  for (bool isolated : {false, true}) {
    auto outcome = impl_->try_page(page, isolated);
    if (!outcome) return fail(outcome.error());
    if (*outcome) return std::move(**outcome);
  }
  return fail(ErrorKind::kIo, "internal error: an isolated page write asked to be retried", impl_->db.path());
}

// ---------------------------------------------------------------------------------------------
// Cursors and runs

Result<std::optional<std::string>> MirrorStore::cursor(std::string_view source, std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt("SELECT cursor FROM sync_cursors WHERE source = ?1 AND stream = ?2");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_text(1, source);
  st.bind_text(2, stream);
  int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.column_string(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return fail(
      impl_->db.error(rc, "cannot read the cursor of " + std::string(source) + "/" + std::string(stream)));
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
