// Opening a mirror (MirrorStore::open, declared in mirror_store.hpp): the connection's pragmas,
// the schema migrations and the start-up checks that refuse a mirror this binary does not know
// (newer, or built by another branch), before the UpsertPlan is prepared against it.
#include <algorithm>
#include <filesystem>
#include <string>

#include "schema/migrations.hpp"
#include "schema/mirror_store.hpp"
#include "schema/mirror_store_impl.hpp"
#include "schema/sqlite_handle.hpp"
#include "schema/timestamp.hpp"
#include "schema/upsert_plan.hpp"

namespace arsync {
namespace {

int latest_migration() { return kMigrations.empty() ? 0 : kMigrations.back().version; }

}  // namespace

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

}  // namespace arsync
