// The webhook inbox half of MirrorStore (declared in mirror_store.hpp).
//
// Crash contract: an event is acknowledged to the ERP only after add_inbox_events() committed
// it, so a kill -9 right after the 2xx loses nothing: the event is still `pending` at restart.
// It leaves `pending` in the same transaction as the rows its processing wrote
// (PageWrite::inbox_done), so processing is never lost and never half-recorded either.
#include "schema/mirror_store_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

Result<std::vector<bool>> MirrorStore::add_inbox_events(const std::vector<InboxEvent>& events,
                                                        const std::vector<std::int64_t>& processed) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("store webhook events"); !ok) return fail(ok.error());
  // ON CONFLICT DO NOTHING: a duplicate delivery changes no row, which changes() reports.
  auto insert = m.stmt(
      "INSERT INTO inbox (source, event_id, received_at, headers, body) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (source, event_id) DO NOTHING");
  if (!insert) return fail(insert.error());
  if (auto ok = m.db.exec("BEGIN IMMEDIATE", "cannot start the inbox transaction"); !ok)
    return fail(ok.error());
  const std::string now = now_iso8601();
  std::vector<bool> fresh;
  fresh.reserve(events.size());
  for (const InboxEvent& e : events) {
    Statement& st = **insert;
    st.bind_text(1, e.source);
    st.bind_text(2, e.event_id);
    st.bind_text(3, now);
    st.bind_text(4, e.headers);
    sqlite3_bind_blob(st.get(), 5, e.body.data(), static_cast<int>(e.body.size()), SQLITE_STATIC);
    if (auto ok = m.db.run(st, "cannot store a webhook event"); !ok) {
      (void)m.db.exec("ROLLBACK", "cannot roll back the inbox transaction");
      return fail(ok.error());
    }
    fresh.push_back(m.db.changes() > 0);
  }
  if (auto ok = m.finish_inbox_rows(processed, now); !ok) {
    (void)m.db.exec("ROLLBACK", "cannot roll back the inbox transaction");
    return fail(ok.error());
  }
  if (auto ok = m.db.exec("COMMIT", "cannot commit webhook events"); !ok) {
    (void)m.db.exec("ROLLBACK", "cannot roll back the inbox transaction");
    return fail(ok.error());
  }
  return fresh;
}

Result<std::vector<InboxItem>> MirrorStore::pending_inbox(std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt(
      "SELECT id, source, event_id, received_at, body, attempts FROM inbox WHERE status = 'pending' "
      "ORDER BY id LIMIT ?1");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_int(1, static_cast<std::int64_t>(limit));
  std::vector<InboxItem> items;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    InboxItem item{st.column_int(0), st.column_string(1), st.column_string(2), st.column_string(3), {},
                   st.column_int(5)};
    const void* blob = sqlite3_column_blob(st.get(), 4);
    item.body.assign(static_cast<const char*>(blob),
                     static_cast<std::size_t>(sqlite3_column_bytes(st.get(), 4)));
    items.push_back(std::move(item));
  }
  if (rc != SQLITE_DONE) return fail(impl_->db.error(rc, "cannot read pending webhook events"));
  return items;
}

Result<void> MirrorStore::fail_inbox_event(std::int64_t id, std::string_view error, int max_attempts) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->writable("record a webhook failure"); !ok) return ok;
  auto s = impl_->stmt(
      "UPDATE inbox SET attempts = attempts + 1, error = ?2, "
      "status = CASE WHEN attempts + 1 >= ?3 THEN 'failed' ELSE 'pending' END WHERE id = ?1");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, id);
  (*s)->bind_text(2, error);
  (*s)->bind_int(3, max_attempts);
  return impl_->db.run(**s, "cannot record a webhook failure");
}

Result<void> MirrorStore::finish_inbox_events(const std::vector<std::int64_t>& ids) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("finish webhook events"); !ok) return ok;
  if (ids.empty()) return {};
  if (auto ok = m.db.exec("BEGIN IMMEDIATE", "cannot start the inbox transaction"); !ok) return ok;
  auto done = m.finish_inbox_rows(ids, now_iso8601());
  if (done) done = m.db.exec("COMMIT", "cannot commit processed webhook events");
  if (!done) (void)m.db.exec("ROLLBACK", "cannot roll back the inbox transaction");
  return done;
}

Result<std::int64_t> MirrorStore::inbox_depth() {
  std::lock_guard lock(impl_->mutex);
  return impl_->query_int("SELECT count(*) FROM inbox WHERE status = 'pending'",
                          "cannot count pending webhook events");
}

Result<void> MirrorStore::Impl::finish_inbox_rows(const std::vector<std::int64_t>& ids,
                                                  const std::string& now) {
  if (ids.empty()) return {};
  auto s = stmt("UPDATE inbox SET status = 'processed', processed_at = ?2, error = NULL WHERE id = ?1");
  if (!s) return fail(s.error());
  for (std::int64_t id : ids) {
    (*s)->bind_int(1, id);
    (*s)->bind_text(2, now);
    if (auto ok = db.run(**s, "cannot mark a webhook event processed"); !ok) return ok;
  }
  return {};
}

}  // namespace arsync
