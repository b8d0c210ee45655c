// Database and Statement: RAII owners of a sqlite3* connection and a sqlite3_stmt*, and the
// one place SQLite result codes become arsync Errors.
//
// Private to schema/ (the mirror store and its helpers); nothing outside schema/ includes it.
// A Database and its Statements belong to one thread (opened SQLITE_OPEN_NOMUTEX); statements
// must be destroyed before their database, which member order in the owners ensures.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace arsync {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;

  // Parameters are 1-based, as in SQLite. bind_text does NOT copy: the text must outlive the
  // next reset() (the callers bind values owned by the page being written).
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  void bind_int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  // Same lifetime rule as bind_text. An empty value binds a zero-length BLOB, not NULL.
  void bind_blob(int i, std::string_view v) {
    if (v.empty())
      sqlite3_bind_zeroblob(stmt_, i, 0);
    else
      sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }

  // SQLITE_ROW, SQLITE_DONE or an error code (extended codes are on).
  int step() { return sqlite3_step(stmt_); }
  // Ends the current execution (releasing its read snapshot) so the statement can be rerun.
  void reset() { sqlite3_reset(stmt_); }

  bool column_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  // Valid until the next step()/reset().
  std::string_view column_text(int i) const;
  std::string column_string(int i) const { return std::string(column_text(i)); }
  // A BLOB (or any value) as its bytes, NULs included. Valid until the next step()/reset().
  std::string_view column_blob(int i) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return data ? std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view();
  }

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope that uses it ends, whatever the exit path, so no statement
// keeps a read snapshot open (which would stall WAL checkpoints).
class StatementScope {
 public:
  explicit StatementScope(Statement& s) : s_(s) { s_.reset(); }
  ~StatementScope() { s_.reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Statement& s_;
};

class Database {
 public:
  // `flags` are sqlite3_open_v2 flags; SQLITE_OPEN_NOMUTEX is added.
  static Result<Database> open(const std::filesystem::path& path, int flags);

  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) { other.db_ = nullptr; }
  Database& operator=(Database&& other) noexcept;

  // Runs SQL text without values (pragmas, BEGIN/COMMIT, migrations). `what` names the step
  // for the error message.
  Result<void> exec(const char* sql, std::string_view what);
  Result<Statement> prepare(std::string_view sql);

  // Error{kIo, "<what>: <sqlite message>", <db path>}; SQLITE_BUSY says who holds the lock.
  Error error(int rc, std::string_view what) const;
  // Runs a statement expected to return no row. Resets it.
  Result<void> run(Statement& s, std::string_view what);

  bool in_transaction() const { return db_ && sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// One write transaction (BEGIN IMMEDIATE: takes the write lock up front, so it never fails
// half-way with SQLITE_BUSY on upgrade). Rolled back when it goes out of scope uncommitted, so
// every early return of a failed step leaves the mirror as it was.
//
// savepoint() is the nested form, inside a transaction already open: commit() releases it into
// that transaction (durable only with its COMMIT), and leaving the scope without commit() undoes
// only what was done since the savepoint began. Savepoints do not nest with each other here.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db, std::string_view what);
  static Result<Transaction> savepoint(Database& db, std::string_view what);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_), nested_(other.nested_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  Result<void> commit(std::string_view what);

 private:
  Transaction(Database& db, bool nested) : db_(&db), nested_(nested) {}
  Database* db_;  // null once committed or rolled back
  bool nested_;   // a savepoint
};

// True for the result codes that mean "this row breaks a constraint" (NOT NULL, CHECK, UNIQUE,
// FOREIGN KEY): a data problem of one record, not a failure of the mirror.
inline bool is_constraint(int rc) { return (rc & 0xff) == SQLITE_CONSTRAINT; }

}  // namespace arsync
