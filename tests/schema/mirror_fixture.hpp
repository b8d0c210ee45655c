// Fixtures for the schema tests: a scratch directory, a plain SQLite connection to look at (or
// sabotage) a mirror from outside the store, and a Mirror that opens a MirrorStore in one.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "schema/mirror_store.hpp"

namespace arsync::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "arsync-schema-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::filesystem::path& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~RawDb() { sqlite3_close(db); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  std::int64_t number(const std::string& sql) { return std::stoll(text(sql)); }
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

struct Mirror {
  TempDir dir;
  std::filesystem::path path = dir.path / "mirror.db";
  std::unique_ptr<MirrorStore> store = open();

  std::unique_ptr<MirrorStore> open(OpenOptions options = {}) {
    auto s = MirrorStore::open(path, options);
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().describe()));
    return std::move(*s);
  }
  void reopen() {
    store.reset();
    store = open();
  }
  PageOutcome apply(const PageWrite& page) {
    auto outcome = store->apply_page(page);
    REQUIRE_MESSAGE(outcome.has_value(), (outcome ? "" : outcome.error().describe()));
    return *outcome;
  }
  std::string text(const std::string& sql) { return RawDb(path).text(sql); }
  std::int64_t number(const std::string& sql) { return RawDb(path).number(sql); }
};

}  // namespace arsync::test
