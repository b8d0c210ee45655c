// The outbox half of MirrorStore (declared in mirror_store.hpp; states in outbox.hpp).
//
// Crash contract: claim_outbox() commits `in_flight` before the worker sends anything, and
// finish_outbox() commits the outcome together with the portal object's new state. So after a
// kill -9 an item is either still `pending` (never sent), `in_flight` (maybe sent: becomes
// `unknown` at the next start, looked up before any re-send), or has its final outcome.
#include <array>

#include "schema/mirror_store_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

constexpr std::array<std::string_view, 6> kStatusNames = {"pending", "in_flight", "done",
                                                          "failed",  "unknown",   "cancelled"};

// The columns read_item() reads, joined into each query as one literal at compile time.
#define ARSYNC_OUTBOX_ITEM                                                                                \
  "SELECT id, idempotency_key, kind, target_connector, payload, status, attempts, "                    \
  "coalesce(next_attempt_at, ''), coalesce(last_error, ''), coalesce(erp_ref, ''), coalesce(conflict, ''), " \
  "created_at, updated_at FROM outbox "

OutboxItem read_item(const Statement& st) {
  OutboxItem item;
  item.id = st.column_int(0);
  item.idempotency_key = st.column_string(1);
  item.kind = st.column_string(2);
  item.target = st.column_string(3);
  item.payload = st.column_string(4);
  item.status = outbox_status_from(st.column_text(5)).value_or(OutboxStatus::kPending);
  item.attempts = st.column_int(6);
  item.next_attempt_at = st.column_string(7);
  item.last_error = st.column_string(8);
  item.erp_ref = st.column_string(9);
  item.conflict = st.column_string(10);
  item.created_at = st.column_string(11);
  item.updated_at = st.column_string(12);
  return item;
}

// The statement that moves a portal object along with its outbox item. Objects with a
// pending/submitted/failed/cancelled life of their own follow the item; disputes, promises and
// messages only learn their ERP id. Table names come from this fixed list, never from input.
const char* object_update_sql(std::string_view table) {
  if (table == "portal_payments")
    return "UPDATE portal_payments SET status = ?2, erp_ref = coalesce(?3, erp_ref), updated_at = ?4, "
           "updated_seq = ?5 WHERE id = ?1";
  if (table == "credit_requests")
    return "UPDATE credit_requests SET status = ?2, erp_ref = coalesce(?3, erp_ref), updated_at = ?4, "
           "updated_seq = ?5 WHERE id = ?1";
  if (table == "profile_changes")  // a change refused for a conflict is `rejected`, not `failed`
    return "UPDATE profile_changes SET status = CASE WHEN ?2 = 'failed' AND ?6 IS NOT NULL THEN 'rejected' "
           "ELSE ?2 END, erp_ref = coalesce(?3, erp_ref), conflict = coalesce(?6, conflict), updated_at = ?4, "
           "updated_seq = ?5 WHERE id = ?1";
  if (table == "disputes")
    return "UPDATE disputes SET erp_ref = coalesce(?3, erp_ref), updated_at = ?4, updated_seq = ?5 "
           "WHERE id = ?1 AND ?2 IS NOT NULL";
  if (table == "promises_to_pay")
    return "UPDATE promises_to_pay SET erp_ref = coalesce(?3, erp_ref), updated_at = ?4, updated_seq = ?5 "
           "WHERE id = ?1 AND ?2 IS NOT NULL";
  if (table == "messages")  // no updated_at: a message does not change after it is written
    return "UPDATE messages SET erp_ref = ?3, updated_seq = ?5 WHERE id = ?1 AND ?3 IS NOT NULL";
  return nullptr;
}

// The object's status word for an outbox state, or "" when the object keeps its status.
std::string_view object_status(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::kDone: return "submitted";
    case OutboxStatus::kFailed: return "failed";
    case OutboxStatus::kCancelled: return "cancelled";
    case OutboxStatus::kPending:
    case OutboxStatus::kUnknown: return "pending";
    case OutboxStatus::kInFlight: break;
  }
  return "";
}

}  // namespace

const char* to_string(OutboxStatus status) { return kStatusNames[static_cast<std::size_t>(status)].data(); }

std::optional<OutboxStatus> outbox_status_from(std::string_view text) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i)
    if (kStatusNames[i] == text) return static_cast<OutboxStatus>(i);
  return std::nullopt;
}

Result<void> MirrorStore::Impl::move_outbox_object(std::int64_t item_id, OutboxStatus status,
                                                   std::string_view erp_ref, const std::string& now,
                                                   std::string_view conflict) {
  auto find = stmt("SELECT coalesce(object_table, ''), coalesce(object_id, 0) FROM outbox WHERE id = ?1");
  if (!find) return fail(find.error());
  std::string table;
  std::int64_t object_id = 0;
  {
    Statement& st = **find;
    StatementScope scope(st);
    st.bind_int(1, item_id);
    if (st.step() == SQLITE_ROW) {
      table = st.column_string(0);
      object_id = st.column_int(1);
    }
  }
  const char* sql = object_update_sql(table);
  const std::string_view word = object_status(status);
  if (!sql || word.empty()) return {};
  auto update = stmt(sql);
  if (!update) return fail(update.error());
  Statement& st = **update;
  const std::int64_t seq = last_seq + 1;
  st.bind_int(1, object_id);
  st.bind_text(2, word);
  if (erp_ref.empty())
    st.bind_null(3);
  else
    st.bind_text(3, erp_ref);
  st.bind_text(4, now);
  st.bind_int(5, seq);
  if (table == "profile_changes") {
    if (conflict.empty()) st.bind_null(6); else st.bind_text(6, conflict);
  }
  if (auto ok = db.run(st, "cannot update the portal object of an outbox item"); !ok) return ok;
  if (db.changes() > 0) last_seq = seq;
  return {};
}

Result<void> MirrorStore::Impl::store_last_seq() {
  auto s = stmt("UPDATE mirror_state SET last_seq = ?1 WHERE id = 1");
  if (!s) return fail(s.error());
  (*s)->bind_int(1, last_seq);
  return db.run(**s, "cannot advance the change sequence");
}

Result<std::vector<OutboxItem>> MirrorStore::claim_outbox(std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("claim outbox items"); !ok) return fail(ok.error());
  const std::string now = now_iso8601();
  auto select = m.stmt(ARSYNC_OUTBOX_ITEM
                       "WHERE status IN ('pending', 'unknown') AND "
                       "(next_attempt_at IS NULL OR next_attempt_at <= ?1) ORDER BY id LIMIT ?2");
  auto mark = m.stmt(
      "UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, sent_at = ?2, updated_at = ?2 "
      "WHERE id = ?1");
  if (!select || !mark) return fail(!select ? select.error() : mark.error());
  auto tx = Transaction::begin(m.db, "claim outbox items");
  if (!tx) return fail(tx.error());
  std::vector<OutboxItem> items;
  {
    Statement& st = **select;
    StatementScope scope(st);
    st.bind_text(1, now);
    st.bind_int(2, static_cast<std::int64_t>(limit));
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) items.push_back(read_item(st));
    if (rc != SQLITE_DONE) return fail(m.db.error(rc, "cannot read due outbox items"));
  }
  for (OutboxItem& item : items) {
    (*mark)->bind_int(1, item.id);
    (*mark)->bind_text(2, now);
    if (auto ok = m.db.run(**mark, "cannot claim an outbox item"); !ok) return fail(ok.error());
    ++item.attempts;
  }
  if (auto ok = tx->commit("claimed outbox items"); !ok) return fail(ok.error());
  return items;
}

Result<std::optional<UtcTime>> MirrorStore::next_outbox_retry() {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  auto s = m.stmt(
      "SELECT min(next_attempt_at) FROM outbox WHERE status IN ('pending', 'unknown') AND "
      "next_attempt_at IS NOT NULL");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  if (int rc = st.step(); rc != SQLITE_ROW)
    return fail(m.db.error(rc, "cannot read when the next outbox retry is due"));
  if (st.column_null(0)) return std::optional<UtcTime>();
  auto due = parse_iso8601(st.column_text(0));
  if (!due) return fail(due.error());
  return std::optional<UtcTime>(*due);
}

Result<void> MirrorStore::finish_outbox(const std::vector<OutboxOutcome>& outcomes) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("record outbox outcomes"); !ok) return ok;
  auto update = m.stmt(
      "UPDATE outbox SET status = ?2, erp_ref = coalesce(?3, erp_ref), last_error = ?4, "
      "next_attempt_at = ?5, updated_at = ?6, conflict = coalesce(?7, conflict) "
      "WHERE id = ?1 AND status = 'in_flight'");
  if (!update) return fail(update.error());
  const std::int64_t seq_before = m.last_seq;
  auto tx = Transaction::begin(m.db, "record outbox outcomes");
  if (!tx) return fail(tx.error());
  const std::string now = now_iso8601();
  auto restore = [&m, seq_before](Error e) {
    m.last_seq = seq_before;
    return fail(std::move(e));
  };
  for (const OutboxOutcome& o : outcomes) {
    Statement& st = **update;
    st.bind_int(1, o.id);
    st.bind_text(2, to_string(o.status));
    if (o.erp_ref.empty()) st.bind_null(3); else st.bind_text(3, o.erp_ref);
    if (o.error.empty()) st.bind_null(4); else st.bind_text(4, o.error);
    if (o.next_attempt_at.empty()) st.bind_null(5); else st.bind_text(5, o.next_attempt_at);
    st.bind_text(6, now);
    if (o.conflict.empty()) st.bind_null(7); else st.bind_text(7, o.conflict);
    if (auto ok = m.db.run(st, "cannot record an outbox outcome"); !ok) return restore(ok.error());
    // An item an operator cancelled meanwhile keeps its cancellation.
    if (m.db.changes() == 0) continue;
    if (auto ok = m.move_outbox_object(o.id, o.status, o.erp_ref, now, o.conflict); !ok) return restore(ok.error());
  }
  if (m.last_seq != seq_before)
    if (auto ok = m.store_last_seq(); !ok) return restore(ok.error());
  if (auto ok = tx->commit("outbox outcomes"); !ok) return restore(ok.error());
  return {};
}

Result<std::int64_t> MirrorStore::recover_outbox() {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("recover outbox items"); !ok) return fail(ok.error());
  auto s = m.stmt(
      "UPDATE outbox SET status = 'unknown', next_attempt_at = NULL, updated_at = ?1, "
      "last_error = 'the process sending it stopped before the ERP answered' WHERE status = 'in_flight'");
  if (!s) return fail(s.error());
  const std::string now = now_iso8601();
  (*s)->bind_text(1, now);
  if (auto ok = m.db.run(**s, "cannot recover in-flight outbox items"); !ok) return fail(ok.error());
  return m.db.changes();
}

Result<std::vector<OutboxItem>> MirrorStore::list_outbox(std::optional<OutboxStatus> status, std::size_t limit) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt(ARSYNC_OUTBOX_ITEM "WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  if (status) st.bind_text(1, to_string(*status)); else st.bind_null(1);
  st.bind_int(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxItem> items;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) items.push_back(read_item(st));
  if (rc != SQLITE_DONE) return fail(impl_->db.error(rc, "cannot list the outbox"));
  return items;
}

Result<OutboxItem> MirrorStore::outbox_item(std::int64_t id) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt(ARSYNC_OUTBOX_ITEM "WHERE id = ?1");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_int(1, id);
  if (st.step() != SQLITE_ROW) return fail(ErrorKind::kNotFound, "no outbox item " + std::to_string(id));
  return read_item(st);
}

Result<OutboxItem> MirrorStore::operate_outbox(std::int64_t id, OutboxStatus to) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("change an outbox item"); !ok) return fail(ok.error());
  auto current = outbox_item(id);
  if (!current) return current;
  // retry: a failed item is sent again; an unknown one is looked up again first (it keeps its
  // state: only the ERP can say whether it arrived). cancel: anything not yet in the ERP.
  const OutboxStatus from = current->status;
  const bool retry = to == OutboxStatus::kPending;
  const bool allowed = retry ? (from == OutboxStatus::kFailed || from == OutboxStatus::kUnknown)
                             : (from == OutboxStatus::kPending || from == OutboxStatus::kFailed ||
                                from == OutboxStatus::kUnknown);
  if (!allowed)
    return fail(ErrorKind::kConflict, "outbox item " + std::to_string(id) + " is " + to_string(from) +
                                          (retry ? ": only failed or unknown items can be retried"
                                                 : ": only pending, failed or unknown items can be cancelled"));
  const OutboxStatus next = (retry && from == OutboxStatus::kUnknown) ? OutboxStatus::kUnknown : to;
  auto update = m.stmt(
      "UPDATE outbox SET status = ?2, next_attempt_at = NULL, updated_at = ?3 WHERE id = ?1 AND status = ?4");
  if (!update) return fail(update.error());
  const std::int64_t seq_before = m.last_seq;
  auto tx = Transaction::begin(m.db, "change an outbox item");
  if (!tx) return fail(tx.error());
  const std::string now = now_iso8601();
  (*update)->bind_int(1, id);
  (*update)->bind_text(2, to_string(next));
  (*update)->bind_text(3, now);
  (*update)->bind_text(4, to_string(from));
  auto done = [&]() -> Result<void> {
    if (auto ok = m.db.run(**update, "cannot change an outbox item"); !ok) return ok;
    if (auto ok = m.move_outbox_object(id, next, "", now); !ok) return ok;
    if (m.last_seq != seq_before)
      if (auto ok = m.store_last_seq(); !ok) return ok;
    return tx->commit("the outbox change");
  }();
  if (!done) {
    m.last_seq = seq_before;
    return fail(done.error());
  }
  return outbox_item(id);
}

Result<OutboxCounts> MirrorStore::outbox_counts() {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt("SELECT status, count(*) FROM outbox GROUP BY status");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  OutboxCounts counts;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    const auto status = outbox_status_from(st.column_text(0));
    const std::int64_t n = st.column_int(1);
    if (!status) continue;
    switch (*status) {
      case OutboxStatus::kPending: counts.pending = n; break;
      case OutboxStatus::kInFlight: counts.in_flight = n; break;
      case OutboxStatus::kDone: counts.done = n; break;
      case OutboxStatus::kFailed: counts.failed = n; break;
      case OutboxStatus::kUnknown: counts.unknown = n; break;
      case OutboxStatus::kCancelled: counts.cancelled = n; break;
    }
  }
  if (rc != SQLITE_DONE) return fail(impl_->db.error(rc, "cannot count the outbox"));
  return counts;
}

}  // namespace arsync
