// RawDb: a plain SQLite connection to look at (or sabotage) a mirror from outside the store, for
// the schema and integration tests. Values are bound (`binds`: the values of the `?`
// placeholders, tests/support/sql_binds.hpp). Header-only; the includer links SQLite.
// Thread contract: one per test thread.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "tests/support/sql_binds.hpp"

namespace arsync::test {

struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::filesystem::path& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~RawDb() { sqlite3_close(db); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Any number of statements, no values.
  void exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
  // One statement, `binds` the values of its `?` placeholders.
  void exec(const std::string& sql, const SqlBinds& binds) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    bind_sqlite(s, binds);
    const int rc = sqlite3_step(s);
    const std::string err = sqlite3_errmsg(db);
    sqlite3_finalize(s);
    INFO(sql << ": " << err);
    REQUIRE(rc == SQLITE_DONE);
  }
  // `binds`: the values of the query's `?` placeholders.
  std::string text(const std::string& sql, const SqlBinds& binds = {}) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    bind_sqlite(s, binds);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  std::int64_t number(const std::string& sql, const SqlBinds& binds = {}) { return std::stoll(text(sql, binds)); }
  // column name -> NOT NULL flag
  std::map<std::string, bool> columns(std::string_view table) {
    std::map<std::string, bool> out;
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT name, \"notnull\" FROM pragma_table_info(?1)", -1, &s, nullptr) ==
            SQLITE_OK);
    sqlite3_bind_text(s, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW)
      out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] = sqlite3_column_int(s, 1) != 0;
    sqlite3_finalize(s);
    return out;
  }
};

}  // namespace arsync::test
