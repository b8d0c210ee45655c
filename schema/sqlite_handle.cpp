#include "schema/sqlite_handle.hpp"

#include <utility>

namespace arsync {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

std::string_view Statement::column_text(int i) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  if (!text) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))};
}

Result<Database> Database::open(const std::filesystem::path& path, int flags) {
  Database db;
  db.path_ = path.string();
  int rc = sqlite3_open_v2(db.path_.c_str(), &db.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = db.db_ ? db.error(rc, "cannot open the mirror")
                     : Error{ErrorKind::kIo, "cannot open the mirror: out of memory", db.path_};
    return fail(std::move(e));
  }
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Result<void> Database::exec(const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(error(rc, what));
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return fail(error(rc, "cannot prepare `" + std::string(sql) + "`"));
  return Statement(stmt);
}

Error Database::error(int rc, std::string_view what) const {
  std::string message(what);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    message +=
        ": the mirror is locked by another arsync process (only one may write at a time; "
        "stop the other process or open this one read-only)";
  } else {
    message += ": ";
    message += db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  }
  return Error{ErrorKind::kIo, std::move(message), path_};
}

Result<void> Database::run(Statement& s, std::string_view what) {
  StatementScope scope(s);
  int rc = s.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return fail(error(rc, what));
  return {};
}

Result<Transaction> Transaction::begin(Database& db, std::string_view what) {
  const std::string step = "cannot start the transaction to " + std::string(what);
  if (auto ok = db.exec("BEGIN IMMEDIATE", step); !ok) return fail(ok.error());
  return Transaction(db, false);
}

Result<Transaction> Transaction::savepoint(Database& db, std::string_view what) {
  if (!db.in_transaction())
    return fail(ErrorKind::kIo, "internal error: a savepoint to " + std::string(what) + " outside a transaction",
                db.path());
  const std::string step = "cannot start the savepoint to " + std::string(what);
  if (auto ok = db.exec("SAVEPOINT nested", step); !ok) return fail(ok.error());
  return Transaction(db, true);
}

Transaction::~Transaction() {
  if (!db_) return;
  // ROLLBACK TO leaves the savepoint open; RELEASE ends it. After an error that made SQLite roll
  // back the whole transaction both fail, harmlessly: there is nothing left to undo.
  if (nested_)
    (void)db_->exec("ROLLBACK TO nested; RELEASE nested", "cannot roll back to the savepoint");
  else
    (void)db_->exec("ROLLBACK", "cannot roll back");
}

Result<void> Transaction::commit(std::string_view what) {
  if (nested_) {
    auto ok = db_->exec("RELEASE nested", "cannot keep " + std::string(what));
    if (ok) db_ = nullptr;  // otherwise the destructor rolls the savepoint back
    return ok;
  }
  Database* db = std::exchange(db_, nullptr);
  if (auto ok = db->exec("COMMIT", "cannot commit " + std::string(what)); !ok) {
    (void)db->exec("ROLLBACK", "cannot roll back");
    return ok;
  }
  return {};
}

}  // namespace arsync
