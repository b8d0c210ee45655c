// odbc push: one outbox item written to an ERP database exactly once, over an OdbcSession (the
// `odbc` connector's push() and lookup(); the statements come from the stream mapping's push:
// section, the look-up is the stream's `lookup:` option).
//
// The ERP stores the item's idempotency key (a column with a unique constraint, e.g.
// ar_payment.portal_key), and `lookup` finds the item by it:
//   SELECT id FROM ar_payment WHERE portal_key = ?        (one ?, bound to the key; the first
//                                                          column of the first row is the ERP's id)
// A push runs in ONE transaction (autocommit off, SQLEndTran):
//   1. look the key up: found -> nothing is written, the item is delivered (a re-send after an
//      unknown outcome, or a retry after a lost answer, finds its own row);
//   2. run the statements in order (a payment's row, then one per application);
//   3. look the key up again for the ERP's id; none -> the statements do not store the key where
//      `lookup` searches, which would break exactly-once: rolled back and rejected;
//   4. commit.
// Outcomes: a failure before anything was executed (connect, look-up) -> kRetry. SQLSTATE 23xxx
// (a constraint) -> rolled back and looked up outside the transaction: the key is there (a
// concurrent push of the same item won) -> kDelivered; else kReject naming the statement. A
// connection-class failure (08xxx, timeout, dead connection) once a statement was sent, or at
// commit -> kUnknown: the outbox looks the key up before any re-send. Other SQL errors (42xxx
// syntax, 22xxx data) -> rolled back, kReject naming the statement's place in the mapping file.
//
// Blocking: every call blocks on the database; the outbox worker calls them on its own
// threads, never on the event loop. Thread contract: the session's (one thread at a time).
#pragma once

#include <arsync/connector.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "connectors/odbc_session.hpp"

namespace arsync {

struct OdbcPushTarget {
  std::string where;   // "connector erpdb stream payments", for messages
  std::string lookup;  // SELECT <erp id> FROM ... WHERE <key column> = ?
  std::chrono::seconds timeout{60};
};

PushResult odbc_push(OdbcSession& session, const PushRequest& request, const OdbcPushTarget& target);

// The ERP's id of the item with the request's key, nullopt if the ERP has none; an Error
// (classified as OdbcSession's) when the database cannot be asked.
Result<std::optional<std::string>> odbc_lookup(OdbcSession& session, const PushRequest& request,
                                               const OdbcPushTarget& target);

}  // namespace arsync
