// odbc: the built-in connector for ERP databases reached through unixODBC (PostgreSQL via
// psqlODBC, SQL Server via msodbcsql, SQLite via sqliteodbc, ...): pull and push.
//
// Connection: `connection_string` (a secret: write the password as ${ENV} or ${file:...}), or
// `dsn` + `username` + `password`. The connection string is never logged; driver messages
// have the password blanked.
//
// The query/cursor contract (keyset paging, tie-safe):
//   query:          SELECT ... FROM ar_invoice WHERE (modified, id) > (?, ?) ORDER BY modified, id
//   cursor_columns: modified,id        (result columns that make up the cursor, in ORDER BY order)
//   initial_cursor: 1900-01-01 00:00:00,     (values before the first run; "," separates them)
//   cursor_params:  (optional) which cursor column each ? receives, in order; default
//                   cursor_columns. For databases without row values write
//                   WHERE modified > ? OR (modified = ? AND id > ?) with cursor_params
//                   "modified,modified,id".
// The query must return rows in ascending cursor order, and (cursor_columns) must be unique
// per row (end with the primary key). The cursor of a page is the last row's cursor values, as
// a JSON array of their exact text (["2025-03-01 08:00:00.123","INV-0000042"]); the engine
// commits it with the page's rows, and the next pull binds it back. Because the comparison is
// strict on the whole tuple, a row that shares `modified` with the last row but has a greater
// id is still read, and the last row itself is not read again: no row is skipped, none
// repeated. The binding is text with the SQL type the driver describes for each ? (so
// PostgreSQL compares a timestamp as a timestamp); a driver that cannot describe parameters
// gets VARCHAR — cast there if needed (CAST(? AS timestamp)).
// `overlap` (default 5s): the first page of each run lowers the first cursor value by this
// much when it reads as a timestamp ("YYYY-MM-DD HH:MM:SS[.fff][zone]"), re-reading rows
// committed late or stamped by a skewed ERP clock; the mirror's idempotent upsert absorbs the
// re-read rows. Later pages of a run continue exactly after the previous page.
// Without cursor_columns every run reads the whole result (small master tables).
//
// Paging: a run executes the query once and streams it: each pull() fetches `fetch_size` rows
// in blocks (SQLBindCol + SQL_ATTR_ROW_ARRAY_SIZE), so a page costs no new query. If the
// statement was lost (reconnect, restart), the next pull re-executes from the page token,
// which is the last row's cursor. psqlODBC buffers a whole result in memory unless the
// connection string says UseDeclareFetch=1 (then it reads through a server-side cursor).
//
// Records: one per row, an object of column name → scalar text exactly as the driver renders
// it (numbers keep their decimals, NULL is a null node, booleans "1"/"0"); `raw` is the row as
// JSON. Child collections (invoice lines): `child_query` with `{keys}` where the page's parent
// keys go, e.g. SELECT ... FROM ar_invoice_line WHERE invoice_id IN ({keys}) ORDER BY
// invoice_id, line_no; `{keys}` becomes child_batch bound placeholders (the last batch padded
// with its last key, so one prepared statement serves every batch). Each child row is nested
// under the record whose `parent_key` column equals the child's `child_key` column, as an
// array named `child_name`, in the child query's order.
//
// Failures: connection-class SQLSTATEs (08xxx, HYT00, 57Pxx, ...) evict the connection and the
// pull is retried with exponential backoff (retries, backoff_base, backoff_max), resuming after
// the last row already returned; after `retries` attempts it fails kTransient. A connection
// found dead on checkout (a new run) is replaced at once. SQL errors (42xxx syntax or
// permission, 28xxx login) fail kPermanent, naming the connector, stream and query.
// Blocking: pull() blocks on the database; it checks the context's stop token between blocks
// and while backing off. `timeout` sets SQL_ATTR_QUERY_TIMEOUT and the login timeout.
//
// Push: a stream whose mapping has a `push:` section of `format: statement` writes outbox items
// with those statements (named :field parameters bound from the item's canonical fields; a
// list runs in order, `each:` once per child) in one ODBC transaction, and finds items by
// their idempotency key with the stream's `lookup:` SELECT — before writing (a re-send finds
// its own row), after writing (the ERP's id), and for the outbox's unknown items. The
// transaction, the outcomes and their SQLSTATE classes: connectors/odbc_push.hpp.
//
// Thread contract: one instance per (connector) used by one reader thread at a time, like
// every Connector; it owns its ODBC session.
#pragma once

#include "connectors/connector_spec.hpp"

namespace arsync {

const ConnectorSpec& odbc_spec();

}  // namespace arsync
