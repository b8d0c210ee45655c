// Deletes: the reconcile pass's mark and sweep, and webhook tombstones (declared in
// mirror_store.hpp, "Deletes").
//
// Why mark and sweep by generation: a thin-delta ERP never says a record is gone, it just stops
// listing it. A reconcile scan reads the whole stream and stamps each row it sees with the run's
// id; the rows of that source and entity left with an older (or no) stamp are the ones the ERP
// no longer has. Two guards keep the sweep from tombstoning a live record:
//   - it runs only after the scan completed (the caller's contract): a failed, stopped or
//     crashed scan leaves stamps behind but never sweeps, and the next run's larger id makes
//     those stamps stale anyway;
//   - it spares rows whose updated_seq is past the scan's start: a webhook or another writer
//     changed them meanwhile, so they exist whatever the scan saw.
// Stamping is not a change (no new updated_seq): the change feed only reports real changes.
//
// SQL: the table name in these statements is the catalog's (EntitySpec::table, a compile-time
// constant, never input), because SQLite cannot bind identifiers; every value is bound, and
// each text is prepared once and cached like upsert_plan's catalog-generated statements.
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "schema/mirror_store_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

// The entity tables that can be swept: the ERP-sourced ones with a tombstone and a stamp.
bool sweepable(const EntitySpec& entity) {
  for (std::string_view table : {"customers", "invoices", "credit_memos", "payments"})
    if (entity.table == table) return true;
  return false;
}

Result<void> check_sweepable(const EntitySpec& entity) {
  if (entity.top_level && sweepable(entity)) return {};
  return fail(ErrorKind::kInvalidInput,
              "entity '" + std::string(entity.name) + "' cannot be reconciled or tombstoned: only "
              "customers, invoices, credit memos and payments carry tombstones");
}

// Runs `body` in one write transaction; on failure rolls back and restores the change sequence
// (the sequence numbers the rolled-back rows took are free again).
template <class Body>
auto in_transaction(Database& db, std::int64_t& last_seq, std::string_view what, Body body) -> decltype(body()) {
  const std::int64_t seq_before = last_seq;
  auto result = [&]() -> decltype(body()) {
    auto tx = Transaction::begin(db, what);
    if (!tx) return fail(tx.error());
    auto done = body();
    if (!done) return done;
    if (auto ok = tx->commit("the transaction to " + std::string(what)); !ok) return fail(ok.error());
    return done;
  }();
  if (!result) last_seq = seq_before;
  return result;
}

}  // namespace

Result<void> MirrorStore::Impl::mark_seen(const PageWrite& page) {
  if (page.seen_generation == 0) return {};
  const EntitySpec* entity = page.seen_entity;
  if (!entity && !page.entities.empty()) entity = page.entities.front().spec;
  if (!entity) return {};
  if (auto ok = check_sweepable(*entity); !ok) return ok;
  auto s = stmt("UPDATE " + std::string(entity->table) +
                " SET sync_generation = ?1 WHERE source = ?2 AND erp_id = ?3");
  if (!s) return fail(s.error());
  auto mark = [&](const std::string& erp_id) {
    (*s)->bind_int(1, page.seen_generation);
    (*s)->bind_text(2, page.source);
    (*s)->bind_text(3, erp_id);
    return db.run(**s, "cannot mark a row seen by the reconcile scan of " + page.source + "/" + page.stream);
  };
  for (const Entity& e : page.entities)
    if (auto ok = mark(e.key()); !ok) return ok;
  // A record the mapping refused still exists in the ERP: its old row must not be swept.
  for (const RejectRow& r : page.rejects)
    if (auto ok = mark(r.record_key); !ok) return ok;
  return {};
}

Result<std::int64_t> MirrorStore::Impl::tombstone_rows(const EntitySpec& entity,
                                                       const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  auto s = stmt("UPDATE " + std::string(entity.table) + " SET deleted = 1, updated_seq = ?2 WHERE id = ?1");
  if (!s) return fail(s.error());
  for (std::int64_t id : ids) {
    (*s)->bind_int(1, id);
    (*s)->bind_int(2, ++last_seq);
    if (auto ok = db.run(**s, "cannot tombstone a row of " + std::string(entity.table)); !ok)
      return fail(ok.error());
  }
  auto seq = stmt("UPDATE mirror_state SET last_seq = ?1 WHERE id = 1");
  if (!seq) return fail(seq.error());
  (*seq)->bind_int(1, last_seq);
  if (auto ok = db.run(**seq, "cannot advance the change sequence"); !ok) return fail(ok.error());
  return static_cast<std::int64_t>(ids.size());
}

// One pass at a time per stream, across processes (`arsync reconcile` beside `arsync run`): a
// pass that stamps rows while another sweeps would have its rows tombstoned by the other, whose
// generation is newer. The check and the run's row are one transaction, so two passes cannot
// both start; a run left `running` by a process that is gone (kill -9) does not count.
Result<MirrorStore::ReconcileRun> MirrorStore::begin_reconcile(std::string_view source, std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("begin a reconcile"); !ok) return fail(ok.error());
  auto tx = Transaction::begin(m.db, "begin a reconcile");
  if (!tx) return fail(tx.error());
  auto running = m.stmt(
      "SELECT pid, started_at FROM sync_runs WHERE outcome = 'running' AND kind = 'reconcile' AND source = ?1 "
      "AND stream = ?2");
  if (!running) return fail(running.error());
  {
    Statement& st = **running;
    StatementScope scope(st);
    st.bind_text(1, source);
    st.bind_text(2, stream);
    while (st.step() == SQLITE_ROW) {
      const std::int64_t pid = st.column_int(0);
      // Our own process runs one pass per stream at a time (its worker); others only if alive.
      if (pid <= 0 || pid == getpid() || (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)) continue;
      return fail(ErrorKind::kConflict,
                  "a reconcile of " + std::string(source) + "/" + std::string(stream) + " is already running (pid " +
                      std::to_string(pid) + ", since " + st.column_string(1) +
                      "); two at once could tombstone live rows: let it finish, then try again",
                  m.db.path());
    }
  }
  auto s = m.stmt(
      "INSERT INTO sync_runs (source, stream, started_at, pid, kind) VALUES (?1, ?2, ?3, ?4, 'reconcile')");
  if (!s) return fail(s.error());
  (*s)->bind_text(1, source);
  (*s)->bind_text(2, stream);
  (*s)->bind_text(3, now_iso8601());
  (*s)->bind_int(4, getpid());
  if (auto ok = m.db.run(**s, "cannot record a reconcile run"); !ok) return fail(ok.error());
  const std::int64_t run_id = m.db.last_insert_rowid();
  if (auto ok = tx->commit("cannot record a reconcile run"); !ok) return fail(ok.error());
  return ReconcileRun{run_id, m.last_seq};
}

Result<std::int64_t> MirrorStore::sweep_unseen(const ReconcileRun& run, std::string_view source,
                                               const EntitySpec& entity) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("tombstone unseen rows"); !ok) return fail(ok.error());
  if (auto ok = check_sweepable(entity); !ok) return fail(ok.error());
  return in_transaction(m.db, m.last_seq, "sweep a reconcile", [&]() -> Result<std::int64_t> {
    auto find = m.stmt("SELECT id FROM " + std::string(entity.table) +
                       " WHERE source = ?1 AND deleted = 0 AND updated_seq <= ?3"
                       " AND (sync_generation IS NULL OR sync_generation < ?2)");
    if (!find) return fail(find.error());
    std::vector<std::int64_t> ids;
    {
      Statement& st = **find;
      StatementScope scope(st);
      st.bind_text(1, source);
      st.bind_int(2, run.run_id);
      st.bind_int(3, run.start_seq);
      int rc;
      while ((rc = st.step()) == SQLITE_ROW) ids.push_back(st.column_int(0));
      if (rc != SQLITE_DONE) return fail(m.db.error(rc, "cannot find the rows the reconcile did not see"));
    }
    auto swept = m.tombstone_rows(entity, ids);
    if (!swept) return swept;
    auto count = m.stmt("UPDATE sync_runs SET tombstoned = ?2 WHERE id = ?1");
    if (!count) return fail(count.error());
    (*count)->bind_int(1, run.run_id);
    (*count)->bind_int(2, *swept);
    if (auto ok = m.db.run(**count, "cannot record the reconcile's tombstones"); !ok) return fail(ok.error());
    return swept;
  });
}

Result<std::optional<std::string>> MirrorStore::last_reconciled(std::string_view source,
                                                                std::string_view stream) {
  std::lock_guard lock(impl_->mutex);
  return impl_->stream_text(
      "SELECT finished_at FROM sync_runs WHERE source = ?1 AND stream = ?2 AND kind = 'reconcile' "
      "AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1",
      source, stream, "the last reconcile");
}

Result<std::int64_t> MirrorStore::tombstone(std::string_view source, const EntitySpec& entity,
                                            const std::vector<std::string>& erp_ids,
                                            const std::vector<std::int64_t>& inbox_done) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("tombstone deleted rows"); !ok) return fail(ok.error());
  if (auto ok = check_sweepable(entity); !ok) return fail(ok.error());
  return in_transaction(m.db, m.last_seq, "tombstone deleted rows", [&]() -> Result<std::int64_t> {
    auto find = m.stmt("SELECT id FROM " + std::string(entity.table) +
                       " WHERE source = ?1 AND erp_id = ?2 AND deleted = 0");
    if (!find) return fail(find.error());
    std::vector<std::int64_t> ids;
    for (const std::string& erp_id : erp_ids) {
      Statement& st = **find;
      StatementScope scope(st);
      st.bind_text(1, source);
      st.bind_text(2, erp_id);
      int rc = st.step();
      if (rc == SQLITE_ROW) ids.push_back(st.column_int(0));
      else if (rc != SQLITE_DONE) return fail(m.db.error(rc, "cannot find a deleted record's row"));
    }
    auto swept = m.tombstone_rows(entity, ids);
    if (!swept) return swept;
    if (auto ok = m.finish_inbox_rows(inbox_done, now_iso8601()); !ok) return fail(ok.error());
    return swept;
  });
}

}  // namespace arsync
