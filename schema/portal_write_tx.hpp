// PortalWriteTx: the steps every portal write shares inside its one transaction (private to
// schema/: portal_writes.cpp, portal_requests.cpp). Construct under the store's mutex; begin()
// opens the transaction and answers replays; commit() keeps the answer, advances the change
// sequence and commits; leaving the scope without commit() rolls everything back.
// Inside MirrorStore::group_portal_writes the "transaction" is a savepoint of the group's one
// transaction: commit() releases it into the group, which commits them all at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/mirror_store_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

// What a portal write needs to know of the customer and the invoices it names.
struct WriteCustomer {
  std::string source, erp_id, currency;
};

struct WriteInvoice {
  std::int64_t customer_id = 0;
  std::string source, erp_id, number, currency, status;
  std::int64_t total = 0, balance = 0, pending = 0;  // pending: portal payments not yet in the ERP
};

class PortalWriteTx {
 public:
  PortalWriteTx(MirrorStore::Impl& m, const ApiWrite& api) : m_(m), api_(api), seq_before_(m.last_seq) {}
  ~PortalWriteTx();
  PortalWriteTx(const PortalWriteTx&) = delete;
  PortalWriteTx& operator=(const PortalWriteTx&) = delete;

  // Begins the transaction; a replay (or a reused key) is answered from api_requests.
  Result<std::optional<PortalWriteResult>> begin();

  std::int64_t seq() const { return m_.last_seq + 1; }  // the change sequence of this write's rows
  const std::string& now() const { return now_; }
  bool can_push(std::string_view target) const;
  // The limit of `target`'s push mapping on `field`, or nullptr when it carries the field.
  const ApiWrite::CannotCarry* cannot_carry(std::string_view target, std::string_view field) const;

  Result<std::optional<WriteCustomer>> customer(std::int64_t id);
  Result<std::optional<WriteInvoice>> invoice(std::int64_t id);
  // Runs `sql` with values bound by `bind`; returns the new row's id.
  Result<std::int64_t> insert(std::string_view sql, const std::function<void(Statement&)>& bind,
                              std::string_view what);
  // Queues the object for the ERP; the key is its portal id.
  Result<std::int64_t> enqueue(std::string_view kind, const std::string& key, const std::string& target,
                               const std::string& payload, std::string_view object_table, std::int64_t object_id);
  // Binds who and when, the columns a portal object's INSERT ends with: created_by as ?first,
  // created_at and updated_at as ?first+1, updated_seq as ?first+2.
  void bind_stamp(Statement& st, int first) const;
  // Keeps the answer, advances the change sequence and commits.
  Result<PortalWriteResult> commit(std::int64_t outbox_id);
  // The same once the outbox item is queued: a failed enqueue is the write's failure.
  Result<PortalWriteResult> commit(const Result<std::int64_t>& outbox_item) {
    if (!outbox_item) return fail(outbox_item.error());
    return commit(*outbox_item);
  }

  // The frame every portal write shares: the mirror must be writable, a replayed or reused
  // Idempotency-Key is answered from api_requests, and otherwise `body(tx)` validates and
  // writes inside the open transaction (ending with tx.commit()). Call with the store's mutex held.
  template <class Body>
  static Result<PortalWriteResult> run(MirrorStore::Impl& m, const ApiWrite& api, std::string_view what, Body body) {
    if (auto ok = m.writable(what); !ok) return fail(ok.error());
    // SQLite rolls the whole transaction back on some errors (disk full, I/O): a later write of
    // the group must not then run outside it, committing on its own.
    if (m.grouped && !m.db.in_transaction())
      return fail(ErrorKind::kIo, "cannot " + std::string(what) + ": an earlier write of its group commit failed and "
                                  "the group's transaction was rolled back; send the request again", m.db.path());
    PortalWriteTx tx(m, api);
    auto replay = tx.begin();
    if (!replay) return fail(replay.error());
    if (*replay) return std::move(**replay);
    return body(tx);
  }

 private:
  MirrorStore::Impl& m_;
  const ApiWrite& api_;
  const std::int64_t seq_before_;
  const std::string now_ = now_iso8601();
  std::optional<Transaction> tx_;
  bool committed_ = false;
};

PortalWriteResult invalid_write(std::vector<FieldError> errors);
// "12.50 USD"
std::string money_text(std::int64_t minor, const std::string& currency);

}  // namespace arsync
