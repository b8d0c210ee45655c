#include "schema/mirror_store.hpp"

#include <algorithm>
#include <map>

#include "schema/entity_json.hpp"
#include "schema/mirror_store_impl.hpp"
#include "schema/sqlite_handle.hpp"
#include "schema/timestamp.hpp"
#include "schema/upsert_plan.hpp"

namespace arsync {
namespace {

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

}  // namespace arsync
