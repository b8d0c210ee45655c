#include "connectors/odbc_push.hpp"

namespace arsync {
namespace {

// Short for the messages: statement 2 of 3 (payments.yaml:41:9): INSERT INTO ar_application ...
std::string statement_name(const PushRequest& request, std::size_t index) {
  const SqlStatement& s = request.statements[index];
  std::string sql = s.sql.size() > 200 ? s.sql.substr(0, 200) + "..." : s.sql;
  return "statement " + std::to_string(index + 1) + " of " + std::to_string(request.statements.size()) +
         (s.where.empty() ? "" : " (" + s.where + ")") + ": " + sql;
}

PushResult outcome(PushStatus status, std::string message, std::string erp_ref = {}) {
  return {status, std::move(erp_ref), std::move(message), {}};
}

// One push, inside the transaction the caller opened; the caller rolls back on anything but
// kDelivered-and-committed.
class Attempt {
 public:
  Attempt(OdbcSession& session, const PushRequest& request, const OdbcPushTarget& target)
      : session_(session), request_(request), target_(target) {}

  PushResult run() {
    if (request_.statements.empty())
      return outcome(PushStatus::kReject, target_.where + ": the mapping's push: rendered no statement for item " +
                                              request_.idempotency_key);
    if (auto begun = session_.begin(); !begun) return before_sending(begun.error(), "starting a transaction");
    auto existing = odbc_lookup(session_, request_, target_);
    if (!existing) return before_sending(existing.error(), "looking the key up before writing");
    if (*existing) {
      session_.rollback();  // read only: nothing to keep
      return outcome(PushStatus::kDelivered, "already in the ERP (found by its key before writing)", **existing);
    }
    for (std::size_t i = 0; i < request_.statements.size(); ++i)
      if (auto ran = execute(i); !ran) return failed(ran.error(), statement_name(request_, i));
    auto written = odbc_lookup(session_, request_, target_);
    if (!written) return failed(written.error(), "looking the key up after writing");
    if (!*written) {
      session_.rollback();
      return outcome(PushStatus::kReject,
                     target_.where + ": the push statements ran, but lookup: finds no row for key " +
                         request_.idempotency_key +
                         "; rolled back. The statements must store the idempotency key where lookup: "
                         "searches, or a re-send could write the item twice");
    }
    if (auto committed = session_.commit(); !committed) return failed(committed.error(), "committing");
    return outcome(PushStatus::kDelivered, "", **written);
  }

 private:
  Result<void> execute(std::size_t index) {
    const SqlStatement& s = request_.statements[index];
    auto prepared = session_.prepare(s.sql, target_.timeout);
    if (!prepared) return fail(prepared.error());
    sent_ = true;  // from here the database may have acted on it
    return (*prepared)->run(s.params);
  }

  // Nothing was sent: safe to send again later, unless our own configuration is wrong.
  PushResult before_sending(const Error& e, std::string_view what) {
    session_.rollback();
    const std::string message = target_.where + ": " + std::string(what) + ": " + e.message;
    if (e.kind == ErrorKind::kTransient) return outcome(PushStatus::kRetry, message);
    return outcome(PushStatus::kReject, message + "; lookup: " + target_.lookup);
  }

  PushResult failed(const Error& e, const std::string& what) {
    session_.rollback();
    const std::string message = target_.where + ": " + what + ": " + e.message;
    if (e.kind == ErrorKind::kConflict) return resolve_conflict(message);
    if (e.kind == ErrorKind::kTransient && sent_) return outcome(PushStatus::kUnknown, message);
    if (e.kind == ErrorKind::kTransient) return outcome(PushStatus::kRetry, message);
    return outcome(PushStatus::kReject, message);
  }

  // A constraint refused a statement (or the commit): rolled back, so nothing of ours is in
  // the ERP. If the key is there anyway, another send of this item got there first.
  PushResult resolve_conflict(const std::string& message) {
    auto found = odbc_lookup(session_, request_, target_);
    if (!found) return outcome(PushStatus::kRetry, message + "; then the look-up failed: " + found.error().message);
    if (*found)
      return outcome(PushStatus::kDelivered, "already in the ERP (a constraint refused a second copy)", **found);
    return outcome(PushStatus::kReject, message);
  }

  OdbcSession& session_;
  const PushRequest& request_;
  const OdbcPushTarget& target_;
  bool sent_ = false;
};

}  // namespace

PushResult odbc_push(OdbcSession& session, const PushRequest& request, const OdbcPushTarget& target) {
  return Attempt(session, request, target).run();
}

Result<std::optional<std::string>> odbc_lookup(OdbcSession& session, const PushRequest& request,
                                               const OdbcPushTarget& target) {
  auto in_context = [&](Error e) {
    e.message = target.where + ": lookup: " + e.message + "; query: " + target.lookup;
    return fail(std::move(e));
  };
  auto statement = session.prepare(target.lookup, target.timeout);
  if (!statement) return in_context(statement.error());
  if (auto ran = (*statement)->execute({request.idempotency_key}, 1, 1024); !ran) return in_context(ran.error());
  auto rows = (*statement)->fetch();
  if (!rows) return in_context(rows.error());
  if (*rows == 0) return std::optional<std::string>();
  auto ref = (*statement)->cell(0, 0);
  std::optional<std::string> out(ref ? std::string(*ref) : std::string());
  (*statement)->close();
  return out;
}

}  // namespace arsync
