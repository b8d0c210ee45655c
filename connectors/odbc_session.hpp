// OdbcSession: one unixODBC connection and its statements, as RAII handles, with every driver
// diagnostic turned into a classified Error (the I/O half of the `odbc` connector; paging and
// the cursor text in odbc_connector.cpp and odbc_cursor.hpp).
//
// Classification (SQLSTATE, first record): 08xxx (connection), HYT00/HYT01 (timeout),
// 40001/40P01 (serialisation, deadlock), 57Pxx (server shutting down / backend terminated) and
// 53xxx (server out of resources) are kTransient, and so is any failure after which the driver
// reports SQL_ATTR_CONNECTION_DEAD (psqlODBC says HY000 for a socket the server closed).
// 23xxx (integrity constraint: unique, foreign key, check) is kConflict: a push decides by a
// look-up whether the row it collided with is its own. The rest — 42xxx syntax/permission,
// 28xxx login, 22xxx data, IM002 unknown DSN — is kPermanent.
// Messages carry "[SQLSTATE] driver text" and never the connection string: drivers do not echo
// it, and redact_secrets() blanks the password wherever it might appear anyway.
//
// Text only: every column is fetched as SQL_C_CHAR into column-wise bound buffers
// (SQL_ATTR_ROW_ARRAY_SIZE rows per SQLFetch), which drivers fill with the exact decimal text of
// NUMERIC/DECIMAL, so money never passes through a double. Parameters are bound as text too,
// with the SQL type the driver describes for them (SQLDescribeParam) so that PostgreSQL
// compares a bound timestamp as a timestamp.
//
// Thread contract: a session and its statements belong to one thread at a time (the stream's
// reader thread). Handles are freed in the destructors; copy and move are deleted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/result.hpp"

namespace arsync {

// Replaces the value of every PWD=/Pwd=/password= item of a connection string with "***".
std::string redact_connection_string(std::string_view text);

class OdbcStatement;

class OdbcSession {
 public:
  // Connects with SQLDriverConnect (no prompt). `secret` (the password) is blanked from any
  // message the driver produces.
  static Result<std::unique_ptr<OdbcSession>> connect(const std::string& connection_string,
                                                      std::string secret, std::chrono::seconds login_timeout);
  ~OdbcSession();
  OdbcSession(const OdbcSession&) = delete;
  OdbcSession& operator=(const OdbcSession&) = delete;
  OdbcSession(OdbcSession&&) = delete;
  OdbcSession& operator=(OdbcSession&&) = delete;

  // Whether the driver still believes in the connection (SQL_ATTR_CONNECTION_DEAD, a local
  // check with no round trip; drivers without it answer "alive").
  bool alive() const;
  // The driver's name (SQL_DRIVER_NAME), e.g. "psqlodbcw.so".
  std::string driver_name() const;

  // Runs a statement that returns no rows (DDL, INSERT without parameters), autocommitted.
  Result<void> run(const std::string& sql);

  Result<std::unique_ptr<OdbcStatement>> prepare(const std::string& sql, std::chrono::seconds query_timeout);

  // A transaction: autocommit off until commit() or rollback() (SQLEndTran), which turn it back
  // on. rollback() is best effort (a dead connection has rolled back already).
  Result<void> begin();
  Result<void> commit();
  void rollback();

  // Implementation detail shared with OdbcStatement: the diagnostics of a failed call as an
  // Error, classified as described above.
  Error diagnose(short handle_type, void* handle, std::string_view what) const;

 private:
  OdbcSession() = default;

  void* env_ = nullptr;  // SQLHENV
  void* dbc_ = nullptr;  // SQLHDBC
  bool connected_ = false;
  std::string secret_;
};

// A prepared statement with text parameters and a block of text result columns.
class OdbcStatement {
 public:
  ~OdbcStatement();
  OdbcStatement(const OdbcStatement&) = delete;
  OdbcStatement& operator=(const OdbcStatement&) = delete;
  OdbcStatement(OdbcStatement&&) = delete;
  OdbcStatement& operator=(OdbcStatement&&) = delete;

  struct Column {
    std::string name;
    short sql_type = 0;     // SQL_INTEGER, SQL_NUMERIC, SQL_VARCHAR, ...
    std::size_t width = 0;  // bytes per cell in the bound buffer, terminator included
  };

  std::size_t parameter_count() const { return parameter_types_.size(); }
  // Binds `values` (one per placeholder; nullopt = NULL) and executes; then binds the result
  // columns for blocks of `block_rows` rows, each cell at most `max_cell_bytes` long.
  Result<void> execute(const std::vector<std::optional<std::string>>& values, std::size_t block_rows,
                       std::size_t max_cell_bytes);
  // Binds `values` and executes a statement run for its effect (INSERT, UPDATE, CALL); a
  // result it returns anyway (SELECT proc(...)) is discarded.
  Result<void> run(const std::vector<std::optional<std::string>>& values);
  // Fetches the next block; 0 rows = the result is exhausted (the cursor is then closed).
  Result<std::size_t> fetch();
  // Closes an open result early (SQLCloseCursor), so the statement can be executed again.
  void close();

  const std::vector<Column>& columns() const { return columns_; }
  // Cell (row, column) of the current block; nullopt for SQL NULL. A value longer than its
  // column's buffer fails fetch() as kPermanent instead of arriving cut off.
  std::optional<std::string_view> cell(std::size_t row, std::size_t column) const;

 private:
  friend class OdbcSession;
  OdbcStatement(const OdbcSession& session, void* stmt) : session_(session), stmt_(stmt) {}
  Result<void> describe_parameters();
  Result<void> bind_and_execute(const std::vector<std::optional<std::string>>& values);
  Result<void> bind_columns(std::size_t block_rows, std::size_t max_cell_bytes);
  Result<void> check_truncation(std::size_t rows) const;

  const OdbcSession& session_;
  void* stmt_ = nullptr;  // SQLHSTMT
  std::vector<short> parameter_types_;
  std::vector<std::optional<std::string>> parameter_values_;  // kept alive until execution ends
  std::vector<std::int64_t> parameter_lengths_;
  std::vector<Column> columns_;
  std::vector<std::vector<char>> buffers_;          // one per column: width × block rows
  std::vector<std::vector<std::int64_t>> lengths_;  // one per column: SQLLEN indicator per row
  std::size_t block_rows_ = 0;
  std::uint64_t fetched_ = 0;  // SQLULEN, written by the driver on every fetch
  bool open_ = false;
};

}  // namespace arsync
