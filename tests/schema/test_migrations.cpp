// The migrated schema against the catalog, and the migration bookkeeping: the catalog and the
// SQL can never drift apart unnoticed, migrations apply once, and a mirror from another
// version of arsync is refused with an explanation.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>

#include "schema/catalog.hpp"
#include "schema/migrations.hpp"
#include "schema/mirror_store.hpp"
#include "tests/schema/mirror_fixture.hpp"

namespace fs = std::filesystem;
using namespace arsync;
using namespace arsync::test;

namespace {

std::string column_of(const FieldSpec& f) {
  return f.type == FieldType::kRef ? std::string(f.name) + "_id" : std::string(f.name);
}

void open_and_close(const fs::path& path) {
  auto store = MirrorStore::open(path);
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().describe()));
}

}  // namespace

TEST_CASE("migrations are numbered strictly increasing and named NNN_name") {
  REQUIRE_FALSE(kMigrations.empty());
  int previous = 0;
  for (const Migration& m : kMigrations) {
    CHECK(m.version > previous);
    CHECK(std::stoi(std::string(m.name.substr(0, 3))) == m.version);
    CHECK_FALSE(m.sql.empty());
    previous = m.version;
  }
}

TEST_CASE("every catalog field has its column, NOT NULL exactly when required") {
  TempDir dir;
  open_and_close(dir.path / "mirror.db");
  RawDb raw(dir.path / "mirror.db");
  for (const EntitySpec* spec : all_entities()) {
    auto columns = raw.columns(spec->table);
    INFO("table " << spec->table);
    REQUIRE_FALSE(columns.empty());
    for (const FieldSpec& f : spec->fields) {
      INFO("field " << f.name);
      REQUIRE(columns.contains(column_of(f)));
      CHECK(columns[column_of(f)] == f.required);
    }
    if (spec->top_level) {
      for (const char* c : {"id", "source", "row_hash", "updated_seq", "deleted", "sync_generation"})
        CHECK_MESSAGE(columns.contains(c), c);
      CHECK(columns["source"]);
    } else {
      CHECK(columns.contains("position"));
    }
    for (const ChildSpec& child : spec->children) {
      INFO("child " << child.name);
      CHECK(raw.columns(child.entity->table).contains(std::string(spec->name) + "_id"));
    }
  }
}

TEST_CASE("every enumerated catalog field is CHECKed with exactly the catalog's values") {
  TempDir dir;
  open_and_close(dir.path / "mirror.db");
  RawDb raw(dir.path / "mirror.db");
  for (const EntitySpec* spec : all_entities()) {
    const std::string sql =
        raw.text("SELECT sql FROM sqlite_master WHERE name = ?", {std::string(spec->table)});
    for (const FieldSpec& f : spec->fields) {
      if (f.allowed.empty()) continue;
      std::string list;
      for (std::string_view v : f.allowed) list += (list.empty() ? "'" : ", '") + std::string(v) + "'";
      INFO(spec->table << "." << f.name);
      CHECK(sql.find("CHECK (" + std::string(f.name) + " IN (" + list + "))") != std::string::npos);
    }
  }
}

TEST_CASE("the sync-state and portal tables exist") {
  TempDir dir;
  open_and_close(dir.path / "mirror.db");
  RawDb raw(dir.path / "mirror.db");
  for (const char* table :
       {"sync_cursors", "inbox", "outbox", "rejects", "sync_runs", "mirror_state", "schema_migrations",
        "disputes", "promises_to_pay", "promise_invoices", "messages", "documents", "applications",
        "portal_payments", "portal_payment_applications", "credit_requests", "profile_changes",
        "api_requests"}) {
    INFO(table);
    CHECK_FALSE(raw.columns(table).empty());
  }
  CHECK(raw.text("SELECT last_seq FROM mirror_state") == "0");
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
}

TEST_CASE("a migration that landed out of order is applied to a mirror that has later ones") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  {
    // As if 005 had been written on a branch that landed after a mirror reached the latest.
    RawDb raw(db);
    raw.exec("DROP INDEX customers_number; DROP INDEX invoices_number; DROP INDEX credit_memos_number;"
             "DELETE FROM schema_migrations WHERE version = 5");
  }
  open_and_close(db);
  RawDb raw(db);
  CHECK(raw.text("SELECT count(*) FROM schema_migrations WHERE version = 5") == "1");
  CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'invoices_number'") == "1");
}

TEST_CASE("re-opening a mirror applies no migration twice") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  std::string before;
  {
    RawDb raw(db);
    before = raw.text(
        "SELECT group_concat(version || ':' || name || ':' || applied_at, ',') FROM schema_migrations");
    CHECK(raw.text("SELECT count(*) FROM schema_migrations") == std::to_string(kMigrations.size()));
  }
  open_and_close(db);
  RawDb raw(db);
  CHECK(raw.text(
            "SELECT group_concat(version || ':' || name || ':' || applied_at, ',') FROM schema_migrations") ==
        before);
  auto store = MirrorStore::open(db);
  REQUIRE(store);
  auto status = (*store)->status();
  REQUIRE(status);
  CHECK(status->schema_version == kMigrations.back().version);
}

TEST_CASE("a mirror from a newer arsync is refused, read-write and read-only") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  RawDb(db).exec("INSERT INTO schema_migrations VALUES (999, '999_future', '2030-01-01T00:00:00.000Z')");
  for (bool read_only : {false, true}) {
    auto store = MirrorStore::open(db, OpenOptions{.read_only = read_only});
    REQUIRE_FALSE(store);
    CHECK(store.error().message.find("999 is newer than this arsync knows") != std::string::npos);
    CHECK(store.error().where == db.string());
  }
}

TEST_CASE("a read-only open of an older mirror asks for `arsync migrate` and changes nothing") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  {
    RawDb raw(db);  // a mirror left at migration 1 by an older arsync
    raw.exec(std::string(kMigrations.front().sql));
    raw.exec("INSERT INTO schema_migrations VALUES (1, ?, 'x')", {std::string(kMigrations.front().name)});
  }
  auto store = MirrorStore::open(db, OpenOptions{.read_only = true});
  REQUIRE_FALSE(store);
  CHECK(store.error().message.find("run `arsync migrate`") != std::string::npos);
  CHECK(RawDb(db).text("SELECT max(version) FROM schema_migrations") == "1");

  open_and_close(db);  // a read-write open migrates the rest
  CHECK(RawDb(db).text("SELECT max(version) FROM schema_migrations") ==
        std::to_string(kMigrations.back().version));
}

TEST_CASE("a mirror whose history names a migration differently is refused") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  RawDb(db).exec("UPDATE schema_migrations SET name = '001_other_branch' WHERE version = 1");
  auto store = MirrorStore::open(db);
  REQUIRE_FALSE(store);
  CHECK(store.error().message.find("001_other_branch") != std::string::npos);
}

TEST_CASE("opening in a missing directory fails clearly instead of creating it") {
  TempDir dir;
  auto store = MirrorStore::open(dir.path / "no-such-dir" / "mirror.db");
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == ErrorKind::kNotFound);
  CHECK(store.error().message.find("does not exist") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "no-such-dir"));
}

TEST_CASE("a read-only open of a missing mirror does not create one") {
  TempDir dir;
  auto store = MirrorStore::open(dir.path / "mirror.db", OpenOptions{.read_only = true});
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == ErrorKind::kNotFound);
  CHECK_FALSE(fs::exists(dir.path / "mirror.db"));
}

TEST_CASE("the invoice_aging view buckets open balances by days past due") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  RawDb raw(db);
  raw.exec(
      "INSERT INTO customers (source, erp_id, name, row_hash, updated_seq) VALUES ('demo', 'C1', 'Acme', 0, "
      "1)");
  // `due`: the due date's offset from today, as SQLite's date() modifier ("-10 days").
  auto add = [&](const char* erp_id, const char* due, std::int64_t balance, const char* status) {
    raw.exec("INSERT INTO invoices (source, erp_id, number, customer_id, issue_date, due_date, currency, "
             "total, balance, status, row_hash, updated_seq) "
             "VALUES ('demo', ?1, 'N', 1, date('now', '-200 days'), date('now', ?2), 'USD', 1000, ?3, ?4, 0, 1)",
             {erp_id, due, balance, status});
  };
  add("FUTURE", "+5 days", 1000, "open");
  add("D10", "-10 days", 1000, "open");
  add("D45", "-45 days", 500, "partially_paid");
  add("D75", "-75 days", 1000, "disputed");
  add("D120", "-120 days", 1000, "open");
  add("PAID", "-120 days", 0, "paid");
  add("VOID", "-120 days", 1000, "void");
  CHECK(raw.text("SELECT group_concat(erp_id || ':' || bucket || ':' || days_past_due, ',') FROM "
                 "(SELECT i.erp_id, a.bucket, a.days_past_due FROM invoice_aging a JOIN invoices i ON i.id = "
                 "a.invoice_id ORDER BY a.days_past_due)") ==
        "FUTURE:current:0,D10:1-30:10,D45:31-60:45,D75:61-90:75,D120:90+:120");
}

TEST_CASE("migration 014 turns document content stored as TEXT into a BLOB of the same bytes") {
  TempDir dir;
  const fs::path db = dir.path / "mirror.db";
  open_and_close(db);
  {
    // As an arsync before 014 wrote it: the bytes bound as TEXT (NUL and invalid UTF-8 included).
    RawDb raw(db);
    raw.exec("INSERT INTO documents (source, erp_id, kind, file_name, media_type, byte_size, sha256, content,"
             " updated_seq) VALUES ('erp', 'D1', 'invoice', 'D1.pdf', 'application/pdf', 6,"
             " printf('%064d', 0), CAST(X'25FF00E2410A' AS TEXT), 1);"
             "DELETE FROM schema_migrations WHERE version = 14");
    REQUIRE(raw.text("SELECT typeof(content) FROM documents") == "text");
  }
  open_and_close(db);
  RawDb raw(db);
  CHECK(raw.text("SELECT typeof(content) FROM documents") == "blob");
  CHECK(raw.text("SELECT hex(content) FROM documents") == "25FF00E2410A");
  CHECK(raw.text("SELECT length(content) = byte_size FROM documents") == "1");
}
