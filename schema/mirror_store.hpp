// MirrorStore: the SQLite mirror of the canonical AR model, and the only code that speaks SQL
// to it.
//
// Owner: one MirrorStore holds the single write connection (SQLite is single-writer; WAL lets
// read-only stores run beside it). Thread-safe: the public methods serialise on one mutex, so
// the daemon's stream workers and webhook group commits take turns on that one connection.
// Statements are prepared once and reused; every value is bound.
//
// Crash contract: apply_page() commits a page's rows, its rejects, its run counters and the
// stream's new cursor in ONE transaction, so after a crash at any point the mirror and the
// cursor agree and a replay of the page changes nothing (upserts are idempotent: a row whose
// content hash is unchanged is not rewritten and does not get a new updated_seq).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/catalog.hpp"
#include "schema/outbox.hpp"
#include "schema/portal_write.hpp"
#include "schema/result.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

struct RejectRow {
  std::string record_key;  // the record's ERP id, or "#<index in page>" when it has none
  std::string raw;         // the record as the ERP sent it
  std::string error;       // what is wrong: names the field and the value
  std::string where;       // mapping file:line:col of the rule that failed, if any
};

// A reference field the mapping fills with another field of the target than its ERP id (a
// customer *number* on an invoice): the store matches `by` instead of erp_id.
struct ReferenceLookup {
  std::string child;  // "" for the entity's own field, else its child collection ("applications")
  std::string field;  // the reference field ("customer", "invoice")
  std::string by;     // a text field of the referenced entity ("number")
};

struct PageWrite {
  std::string source;  // connector name; with erp_id, the natural key of every row
  std::string stream;
  std::vector<Entity> entities;        // mapped and validated
  std::vector<RejectRow> rejects;      // records the mapping/validation refused
  std::optional<std::string> cursor;   // the stream's cursor after this page, committed with it
  std::int64_t run_id = 0;             // the sync run this page belongs to (0: none)
  std::vector<std::int64_t> inbox_done;  // inbox events this page completes, marked in its transaction
  std::vector<ReferenceLookup> lookups;  // references resolved by another field than erp_id
  // A reconcile scan's page (reconcile.cpp): every row it names (entities, and rejects by their
  // record key) is marked seen with this generation. 0: not a reconcile page.
  std::int64_t seen_generation = 0;
  const EntitySpec* seen_entity = nullptr;  // the stream's entity, for the rejects' keys
  bool continues = false;  // apply_pages(): another page of the same transaction follows
};

struct PageOutcome {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;                // replayed rows whose content did not change
  std::vector<RejectRow> rejects;  // rows the store refused (unknown customer/invoice reference)
};

enum class RunOutcome { kRunning, kSucceeded, kFailed, kInterrupted };
const char* to_string(RunOutcome outcome);

struct RunSummary {
  std::int64_t id = 0;
  std::string source, stream;
  std::string started_at, finished_at;  // ISO 8601 UTC; finished_at empty while running
  RunOutcome outcome = RunOutcome::kRunning;
  std::int64_t pages = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
  std::string error;
};

struct CursorRow {
  std::string source, stream, cursor, updated_at;
};

struct StatusReport {
  struct TableCount {
    std::string table;
    std::int64_t rows = 0;  // live rows (not tombstoned)
  };
  std::vector<TableCount> tables;         // every entity table, including children
  std::vector<CursorRow> cursors;
  std::vector<RunSummary> last_runs;      // the latest run per (source, stream)
  std::int64_t open_rejects = 0;
  std::int64_t schema_version = 0;
};

// A webhook delivery as received, to be committed before the HTTP answer.
struct InboxEvent {
  std::string source;    // the connector it came for
  std::string event_id;  // the ERP's notification id: a second delivery of it is a duplicate
  std::string headers;   // JSON object of the headers worth keeping (never secrets)
  std::string body;      // the raw bytes the signature was verified over
};

struct InboxItem {
  std::int64_t id = 0;
  std::string source, event_id, received_at, body;
  std::int64_t attempts = 0;
};

struct OpenOptions {
  bool read_only = false;   // for `arsync status` beside a running daemon: no migrations, no writes
  bool synchronous_full = false;  // synchronous=FULL instead of NORMAL (WAL makes NORMAL crash-safe)
  // How long to wait for another process's write lock before failing with a clear error. In
  // WAL mode readers never block the writer, so only a second writer makes this wait.
  int busy_timeout_ms = 5000;
};

class MirrorStore {
 public:
  // Opens (creating if needed) the mirror at `path`, enables WAL and foreign keys, applies any
  // pending migrations (each in its own transaction, recorded in schema_migrations), and marks
  // runs left `running` by a crashed process as `interrupted`.
  static Result<std::unique_ptr<MirrorStore>> open(const std::filesystem::path& path, OpenOptions options = {});

  ~MirrorStore();
  MirrorStore(const MirrorStore&) = delete;
  MirrorStore& operator=(const MirrorStore&) = delete;

  // Upserts the page's entities (replacing their children), stores its rejects, adds its
  // counts to the run, and writes the cursor: all in one transaction. An entity whose
  // reference (customer, invoice) is unknown becomes a reject and the rest of the page lands.
  Result<PageOutcome> apply_page(const PageWrite& page);
  // Several pages in ONE transaction (a dropdir file read in parts): next() gives each page in
  // turn, as apply_page() writes it, until one with continues == false, then all commit
  // together. An error from next() or from a page rolls back every one of them. The store is
  // held for the whole call, so nothing else commits in between; next() must not call the store.
  // A page written by next() stays alive until the following next() call.
  Result<PageOutcome> apply_pages(const std::function<Result<const PageWrite*>()>& next);

  // The committed cursor of a stream, or nullopt before its first page.
  Result<std::optional<std::string>> cursor(std::string_view source, std::string_view stream);
  // Forgets a stream's cursor so the next sync reads it from the start (`arsync resync`).
  Result<void> reset_cursor(std::string_view source, std::string_view stream);

  // A sync run's row in sync_runs (`arsync status`). Bookkeeping: committed without an fsync of
  // its own, durable with the next page (a delta poll costs one fsync, not three).
  Result<std::int64_t> begin_run(std::string_view source, std::string_view stream);
  Result<void> finish_run(std::int64_t run_id, RunOutcome outcome, std::string_view error = {});

  Result<StatusReport> status();

  // --- Webhook inbox (DESIGN §4): raw events committed before they are acknowledged.
  // Stores all `events` in ONE transaction (a group commit); result[i] is true when events[i]
  // was new, false when (source, event_id) was already there (a duplicate delivery). The same
  // transaction marks the events `processed` (ids) processed, as finish_inbox_events does: the
  // daemon's committer carries both, so inbox bookkeeping costs no fsync of its own.
  Result<std::vector<bool>> add_inbox_events(const std::vector<InboxEvent>& events,
                                             const std::vector<std::int64_t>& processed = {});
  // The oldest pending events, at most `limit`.
  Result<std::vector<InboxItem>> pending_inbox(std::size_t limit);
  // Records a failed attempt at processing; after `max_attempts` the event is parked as failed,
  // with the error, for an operator. (Success is recorded with the page: PageWrite::inbox_done.)
  Result<void> fail_inbox_event(std::int64_t id, std::string_view error, int max_attempts);
  // Marks events processed that had nothing to write (thin events that triggered a pull), all
  // in one transaction.
  Result<void> finish_inbox_events(const std::vector<std::int64_t>& ids);
  Result<std::int64_t> inbox_depth();                // pending events

  // --- Deletes (DESIGN §4; schema/reconcile.cpp). Rows are never removed: a tombstone sets
  // `deleted` and gives the row a new updated_seq, so the change feed reports the delete.
  //
  // A reconcile pass: begin_reconcile() records a `reconcile` run whose id is the generation;
  // the scan's pages carry it (PageWrite::seen_generation), marking every row they name; then,
  // ONLY if the scan read the whole stream, sweep_unseen() tombstones the live rows of that
  // source and entity that the scan did not mark and nobody changed since it began. A scan
  // that fails, is stopped or crashes never reaches the sweep, so it tombstones nothing.
  struct ReconcileRun {
    std::int64_t run_id = 0;     // also the generation the scan marks rows with
    std::int64_t start_seq = 0;  // the change sequence when the scan began
  };
  Result<ReconcileRun> begin_reconcile(std::string_view source, std::string_view stream);
  // Tombstones what the completed scan did not see and records the count on the run (which
  // the caller then finishes with finish_run). Returns the number of rows tombstoned.
  Result<std::int64_t> sweep_unseen(const ReconcileRun& run, std::string_view source, const EntitySpec& entity);
  // When the last successful reconcile of a stream finished (ISO 8601 UTC), nullopt if never.
  Result<std::optional<std::string>> last_reconciled(std::string_view source, std::string_view stream);
  // Tombstones the rows an ERP said it deleted (a webhook delete event) and marks the inbox
  // events `inbox_done` processed, in one transaction. Unknown ids are no error (never synced,
  // or already deleted). Returns the number of rows tombstoned.
  Result<std::int64_t> tombstone(std::string_view source, const EntitySpec& entity,
                                 const std::vector<std::string>& erp_ids,
                                 const std::vector<std::int64_t>& inbox_done);

  // --- Portal writes (DESIGN §1, §4 Push; portal_write.hpp). Each one checks the request's
  // Idempotency-Key, validates against the mirror, and commits the portal object, its outbox
  // item (when it has a target) and the API's answer in ONE transaction.
  Result<PortalWriteResult> write_portal_payment(const ApiWrite& api, const PortalPaymentWrite& payment);
  Result<PortalWriteResult> write_dispute(const ApiWrite& api, const DisputeWrite& dispute);
  Result<PortalWriteResult> write_promise(const ApiWrite& api, const PromiseWrite& promise);
  Result<PortalWriteResult> write_message(const ApiWrite& api, const MessageWrite& message);
  Result<PortalWriteResult> write_credit_request(const ApiWrite& api, const CreditRequestWrite& request);
  Result<PortalWriteResult> write_profile_change(const ApiWrite& api, const ProfileChangeWrite& change);
  // Group commit (DESIGN §7): the write_* calls `writes` makes (on this thread) share ONE
  // transaction, each in its own savepoint, so a refused or failed write undoes only itself and
  // has its own result, and the group costs one COMMIT (one fsync). Their results are durable
  // only once this returns success; an Error means none of the group's writes was kept.
  Result<void> group_portal_writes(const std::function<void()>& writes);
  // For the outbox item of a profile change: each field it changes, with the value it was based
  // on and the mirror's current value (DESIGN §4 Conflicts). NotFound for another kind of item.
  Result<std::vector<ProfileFieldBasis>> profile_change_basis(std::int64_t outbox_id);

  // --- Outbox (outbox.hpp). Items due now, oldest first, at most `limit`, marked in_flight in
  // one transaction before anything is sent.
  Result<std::vector<OutboxItem>> claim_outbox(std::size_t limit);
  // When the earliest item waiting for a retry (pending or unknown, not yet due) is due;
  // nullopt when none waits. An idle sender sleeps until then instead of polling.
  Result<std::optional<UtcTime>> next_outbox_retry();
  // Records what the ERP said about claimed items (and moves their portal objects), in one
  // transaction. An item an operator cancelled meanwhile stays cancelled.
  Result<void> finish_outbox(const std::vector<OutboxOutcome>& outcomes);
  // At start-up: items left in_flight by a dead process become unknown. Returns how many.
  Result<std::int64_t> recover_outbox();
  Result<std::vector<OutboxItem>> list_outbox(std::optional<OutboxStatus> status, std::size_t limit);
  Result<OutboxItem> outbox_item(std::int64_t id);
  // `arsync outbox retry` (to = kPending) and `cancel` (to = kCancelled); kConflict when the
  // item's state does not allow it.
  Result<OutboxItem> operate_outbox(std::int64_t id, OutboxStatus to);
  Result<OutboxCounts> outbox_counts();

 private:
  struct Impl;
  friend class PortalWriteTx;  // portal_writes.cpp: the steps every portal write shares
  explicit MirrorStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace arsync
