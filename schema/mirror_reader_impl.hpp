// The private state of a MirrorReader, shared by the files that implement it
// (mirror_reader.cpp: customers, invoices, documents; statement_query.cpp: statements and
// aging; change_feed.cpp: the change feed). Not part of the API.
#pragma once

#include <map>
#include <string>

#include "schema/mirror_reader.hpp"
#include "schema/sqlite_handle.hpp"

namespace arsync {

struct MirrorReader::Impl {
  // Declared first so it is closed after every statement.
  Database db;
  bool portal_payments = false;  // migration 006's tables are present
  std::map<std::string, Statement, std::less<>> statements;
  std::string feed_sql;  // the change feed's UNION over the tables present (change_feed.cpp)

  // The prepared statement for `sql`, prepared on first use and kept.
  Result<Statement*> stmt(std::string_view sql);
  // The SQL for "pending portal payment applications to invoice i", or "0" before 006.
  std::string pending_sql() const;

  Result<void> read_contacts(CustomerRow& customer);
  Result<void> read_lines(InvoiceDetail& detail);
  Result<void> read_applied(InvoiceDetail& detail);
  Result<void> read_disputes(InvoiceDetail& detail);
  Result<void> read_promises(InvoiceDetail& detail);
  Result<void> read_pending_payments(InvoiceDetail& detail);
};

// Reads every row of a statement into `out` with `read_row`; resets the statement after.
template <class Row, class ReadRow>
Result<void> read_rows(Database& db, Statement& s, std::vector<Row>& out, ReadRow read_row, std::string_view what) {
  StatementScope scope(s);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_row(s));
  if (rc != SQLITE_DONE) return fail(db.error(rc, what));
  return {};
}

inline std::optional<std::int64_t> column_opt_int(const Statement& s, int i) {
  if (s.column_null(i)) return std::nullopt;
  return s.column_int(i);
}

}  // namespace arsync
