// Fixtures for the schema tests: a scratch directory, and a Mirror that opens a MirrorStore in
// one (RawDb, tests/support/raw_db.hpp, looks at it from outside the store).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "schema/mirror_store.hpp"
#include "tests/support/raw_db.hpp"

namespace arsync::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "arsync-schema-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
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
  // A constraint the store's own checks do not know: inserting the invoice with erp_id
  // 'REFUSED' fails on the row's first statement. Reopens the store to see the trigger.
  void refuse_invoice_named_refused() {
    RawDb(path).exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON invoices WHEN NEW.erp_id = 'REFUSED' "
        "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END");
    reopen();
  }
  PageOutcome apply(const PageWrite& page) {
    auto outcome = store->apply_page(page);
    REQUIRE_MESSAGE(outcome.has_value(), (outcome ? "" : outcome.error().describe()));
    return *outcome;
  }
  std::string text(const std::string& sql, const SqlBinds& binds = {}) { return RawDb(path).text(sql, binds); }
  std::int64_t number(const std::string& sql, const SqlBinds& binds = {}) { return RawDb(path).number(sql, binds); }
};

}  // namespace arsync::test
