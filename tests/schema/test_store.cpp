// MirrorStore: the page transaction (rows, rejects, run counters and cursor together),
// idempotent replays, child replacement, reference resolution, runs and status.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "schema/mirror_store.hpp"
#include "tests/schema/entity_fixture.hpp"
#include "tests/schema/mirror_fixture.hpp"
#include "tests/schema/sync_counter.hpp"

namespace fs = std::filesystem;
using namespace arsync;
using namespace arsync::test;

namespace {


// Customers C1..C3, committed.
void seed_customers(Mirror& m) {
  auto out = m.apply(page_of({customer("C1"), customer("C2"), customer("C3")}, "c-1", "customers"));
  REQUIRE(out.inserted == 3);
}

}  // namespace

TEST_CASE("a page's cursor is committed with its rows") {
  Mirror m;
  seed_customers(m);
  auto out = m.apply(page_of({invoice("I1", "C1"), invoice("I2", "C2")}, "2025-03-01T00:00:00.000Z"));
  CHECK(out.inserted == 2);
  CHECK(out.updated == 0);
  CHECK(out.rejects.empty());

  auto cursor = m.store->cursor("demo", "invoices");
  REQUIRE(cursor);
  CHECK(*cursor == std::optional<std::string>("2025-03-01T00:00:00.000Z"));
  CHECK(m.number("SELECT count(*) FROM invoices") == 2);
  CHECK(m.number("SELECT count(*) FROM invoice_lines") == 6);
  CHECK(m.text("SELECT customer_id = (SELECT id FROM customers WHERE erp_id = 'C2') FROM invoices WHERE "
               "erp_id = 'I2'") == "1");
  CHECK(m.text("SELECT total || ' ' || currency || ' ' || issue_date FROM invoices WHERE erp_id = 'I1'") ==
        "3000 USD 2025-03-01");
  CHECK(m.text("SELECT group_concat(line_no || ':' || quantity || ':' || unit_price || ':' || amount, ',') "
               "FROM invoice_lines WHERE invoice_id = (SELECT id FROM invoices WHERE erp_id = 'I1')") ==
        "1:2.5:4:1000,2:2.5:4:1000,3:2.5:4:1000");
  CHECK(m.text("SELECT name || ':' || is_primary || ':' || position FROM contacts") == "Ann Payable:1:0");
}

TEST_CASE("a page that fails mid-way leaves neither its rows nor its cursor") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1")}, "cursor-1"));
  const auto seq_before = m.number("SELECT last_seq FROM mirror_state");
  // RAISE(ROLLBACK) aborts the whole transaction from inside SQLite, as a full disk or an I/O
  // error would: the store must not go on writing the rest of the page into autocommit mode.
  RawDb(m.path).exec(
      "CREATE TRIGGER boom BEFORE INSERT ON invoices WHEN NEW.erp_id = 'BOOM' "
      "BEGIN SELECT RAISE(ROLLBACK, 'injected failure'); END");
  m.reopen();  // statements are prepared at open; the trigger must exist by then

  auto out = m.store->apply_page(
      page_of({invoice("I2", "C1"), invoice("BOOM", "C1"), invoice("I3", "C1")}, "cursor-2"));
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::kIo);
  CHECK(out.error().message.find("injected failure") != std::string::npos);
  CHECK(m.number("SELECT count(*) FROM invoices") == 1);
  CHECK(m.number("SELECT count(*) FROM invoice_lines") == 3);
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("cursor-1"));
  CHECK(m.number("SELECT last_seq FROM mirror_state") == seq_before);

  // The store is still usable, and the sequence continues from the committed value.
  auto retry = m.apply(page_of({invoice("I2", "C1"), invoice("I3", "C1")}, "cursor-2"));
  CHECK(retry.inserted == 2);
  CHECK(m.number("SELECT min(updated_seq) FROM invoices WHERE erp_id IN ('I2', 'I3')") == seq_before + 1);
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("cursor-2"));
}

TEST_CASE("replaying a page changes nothing") {
  Mirror m;
  seed_customers(m);
  const auto page = page_of({invoice("I1", "C1"), invoice("I2", "C2")}, "cursor-1");
  m.apply(page);
  const auto seqs = m.text("SELECT group_concat(updated_seq) FROM invoices");
  const auto last_seq = m.number("SELECT last_seq FROM mirror_state");
  const auto lines = m.text("SELECT group_concat(invoice_id || '/' || line_no) FROM invoice_lines");

  auto out = m.apply(page);
  CHECK(out.inserted == 0);
  CHECK(out.updated == 0);
  CHECK(out.unchanged == 2);
  CHECK(m.text("SELECT group_concat(updated_seq) FROM invoices") == seqs);
  CHECK(m.number("SELECT last_seq FROM mirror_state") == last_seq);
  CHECK(m.text("SELECT group_concat(invoice_id || '/' || line_no) FROM invoice_lines") == lines);
}

TEST_CASE("a decimal written with trailing zeros is the same content") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1")}));
  Entity same = invoice("I1", "C1");
  same.children[0][0].set("quantity", Decimal{250, 2});  // 2.50 == 2.5
  CHECK(m.apply(page_of({same})).unchanged == 1);
}

TEST_CASE("an update rewrites the row, replaces its children and takes a new updated_seq") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1", 3), invoice("I2", "C1", 1)}));
  const auto id = m.number("SELECT id FROM invoices WHERE erp_id = 'I1'");
  const auto seq = m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I1'");
  const auto other_seq = m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I2'");

  Entity changed = invoice("I1", "C2", 2);
  changed.set("status", std::string("partially_paid"));
  changed.set("balance", usd(500));
  auto out = m.apply(page_of({changed, invoice("I2", "C1", 1)}));
  CHECK(out.updated == 1);
  CHECK(out.unchanged == 1);
  CHECK(m.number("SELECT id FROM invoices WHERE erp_id = 'I1'") == id);  // same row
  CHECK(m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I1'") > seq);
  CHECK(m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I2'") == other_seq);
  CHECK(m.text("SELECT status || ':' || balance FROM invoices WHERE erp_id = 'I1'") == "partially_paid:500");
  CHECK(m.text("SELECT customer_id = (SELECT id FROM customers WHERE erp_id = 'C2') FROM invoices WHERE "
               "erp_id = 'I1'") == "1");
  CHECK(m.text("SELECT group_concat(line_no) FROM invoice_lines WHERE invoice_id = ?", {id}) ==
        "1,2");
}

TEST_CASE("an unknown customer makes that invoice a reject and the rest of the page lands") {
  Mirror m;
  seed_customers(m);
  PageWrite page =
      page_of({invoice("I1", "C1"), invoice("I2", "CUST-000999"), invoice("I3", "C3")}, "cursor-1");
  page.run_id = *m.store->begin_run("demo", "invoices");
  auto out = m.apply(page);
  CHECK(out.inserted == 2);
  REQUIRE(out.rejects.size() == 1);
  CHECK(out.rejects[0].record_key == "I2");
  CHECK(out.rejects[0].error == "unknown customer 'CUST-000999' (field customer)");
  CHECK(out.rejects[0].raw.find("\"erp_id\":\"I2\"") != std::string::npos);
  CHECK(out.rejects[0].raw.find("\"total\":{\"amount\":\"30.00\",\"currency\":\"USD\"}") !=
        std::string::npos);

  CHECK(m.text("SELECT group_concat(erp_id) FROM invoices ORDER BY erp_id") == "I1,I3");
  CHECK(m.text("SELECT source || '|' || stream || '|' || record_key || '|' || error || '|' || "
               "(run_id = " +
               std::to_string(page.run_id) + ") FROM rejects") ==
        "demo|invoices|I2|unknown customer 'CUST-000999' (field customer)|1");
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("cursor-1"));
}

TEST_CASE("an unknown invoice in a payment application rejects the payment, naming the application") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1")}));
  auto payment = [](const std::string& erp_id, const std::string& invoice_id) {
    Entity p(find_entity("payment"));
    p.set("erp_id", erp_id);
    p.set("customer", std::string("C1"));
    p.set("payment_date", std::string("2025-03-05"));
    p.set("currency", std::string("USD"));
    p.set("amount", usd(3000));
    p.set("unapplied", usd(1000));
    Entity a(find_entity("application"));
    a.set("invoice", invoice_id);
    a.set("amount", usd(2000));
    p.children[0].push_back(a);
    return p;
  };
  Entity bad = payment("P2", "I1");
  Entity second(find_entity("application"));
  second.set("invoice", std::string("I-404"));
  second.set("amount", usd(0));
  bad.children[0].push_back(second);

  auto out = m.apply(page_of({payment("P1", "I1"), bad}, {}, "payments"));
  CHECK(out.inserted == 1);
  REQUIRE(out.rejects.size() == 1);
  CHECK(out.rejects[0].error == "unknown invoice 'I-404' (field applications[1].invoice)");
  CHECK(m.text("SELECT amount || ' ' || currency || ' ' || (credit_memo_id IS NULL) || ' ' || "
               "(invoice_id = (SELECT id FROM invoices WHERE erp_id = 'I1')) FROM applications") ==
        "2000 USD 1 1");
}

TEST_CASE("a row that breaks a constraint is rejected on its own and the rest lands once") {
  Mirror m;
  seed_customers(m);
  m.refuse_invoice_named_refused();
  Entity dup_lines = invoice("I3", "C1");
  dup_lines.children[0][1].set("line_no", std::int64_t{1});  // the invoice row is written, then a line fails
  PageWrite page =
      page_of({invoice("I1", "C1"), invoice("REFUSED", "C1"), dup_lines, invoice("I4", "C1")}, "c-9");
  page.rejects.push_back(RejectRow{"I8", "{}", "from the mapping", ""});
  page.run_id = *m.store->begin_run("demo", "invoices");

  auto out = m.apply(page);
  CHECK(out.inserted == 2);
  REQUIRE(out.rejects.size() == 2);
  CHECK(out.rejects[0].record_key == "REFUSED");
  CHECK(out.rejects[0].error == "the mirror refused it: refused by trigger");
  CHECK(out.rejects[1].record_key == "I3");
  CHECK(out.rejects[1].error.find("UNIQUE constraint failed: invoice_lines") != std::string::npos);
  CHECK(m.text("SELECT group_concat(erp_id) FROM invoices") == "I1,I4");
  CHECK(m.number("SELECT count(*) FROM invoice_lines") == 6);
  // The page was written twice (optimistically, then isolated): its effects must land once.
  CHECK(m.number("SELECT count(*) FROM rejects") == 3);
  CHECK(m.text("SELECT pages || ':' || inserted || ':' || rejected FROM sync_runs") == "1:2:3");
  CHECK(m.number("SELECT last_seq FROM mirror_state") == 3 + 2);
  CHECK(m.number("SELECT max(updated_seq) FROM invoices") == 3 + 2);
}

TEST_CASE("an enumerated field outside the catalog's values is a reject naming them") {
  Mirror m;
  seed_customers(m);
  Entity bogus = invoice("I2", "C1");
  bogus.set("status", std::string("bogus"));
  auto out = m.apply(page_of({invoice("I1", "C1"), bogus}));
  CHECK(out.inserted == 1);
  REQUIRE(out.rejects.size() == 1);
  CHECK(out.rejects[0].error ==
        "field status: 'bogus' is not one of open, partially_paid, paid, void, disputed");
}

TEST_CASE("values the store cannot represent are rejects with the field named") {
  Mirror m;
  seed_customers(m);
  Entity euro = invoice("I1", "C1");
  euro.set("tax", Money{100, "EUR"});
  Entity euro_line = invoice("I2", "C1");
  euro_line.children[0][2].set("amount", Money{1000, "EUR"});
  Entity wrong_type = invoice("I3", "C1");
  wrong_type.set("issue_date", std::int64_t{20250301});
  Entity missing = invoice("I4", "C1");
  missing.set("total", std::monostate{});

  auto out = m.apply(page_of({euro, euro_line, wrong_type, missing}));
  REQUIRE(out.rejects.size() == 4);
  CHECK(out.rejects[0].error == "field tax is in EUR but the record's currency is USD");
  CHECK(out.rejects[1].error == "field lines[2].amount is in EUR but the record's currency is USD");
  CHECK(out.rejects[2].error == "field issue_date: expected date, got integer");
  CHECK(out.rejects[3].error == "required field total is missing");
  CHECK(m.number("SELECT count(*) FROM invoices") == 0);
}

TEST_CASE("a page mixing kinds writes customers before the invoices that reference them") {
  Mirror m;
  auto out = m.apply(page_of({invoice("I1", "C9"), customer("C9")}));
  CHECK(out.inserted == 2);
  CHECK(out.rejects.empty());
}

TEST_CASE("the same record twice in one page ends as its last version") {
  Mirror m;
  seed_customers(m);
  Entity later = invoice("I1", "C1");
  later.set("balance", usd(1));
  auto out = m.apply(page_of({invoice("I1", "C1"), later}));
  CHECK(out.inserted == 1);
  CHECK(out.updated == 1);
  CHECK(m.number("SELECT balance FROM invoices") == 1);
}

TEST_CASE("the page's own rejects are stored with every field") {
  Mirror m;
  PageWrite page = page_of({}, "cursor-7");
  page.rejects.push_back(RejectRow{"INV-9", R"({"Amount":"12,3.4"})", "amount: '12,3.4' is not a number",
                                   "mappings/invoices.yaml:14:9"});
  page.rejects.push_back(RejectRow{"#3", "<Invoice/>", "erp_id is missing", ""});
  auto out = m.apply(page);
  CHECK(out.rejects.empty());  // only rows the store itself refused
  CHECK(
      m.text(
          "SELECT source || '|' || stream || '|' || record_key || '|' || raw || '|' || error || '|' || "
          "location || '|' || (created_at LIKE '____-__-__T__:__:__.___Z') || '|' || (resolved_at IS NULL) "
          "FROM rejects WHERE record_key = 'INV-9'") ==
      R"(demo|invoices|INV-9|{"Amount":"12,3.4"}|amount: '12,3.4' is not a number|mappings/invoices.yaml:14:9|1|1)");
  CHECK(m.text("SELECT location IS NULL FROM rejects WHERE record_key = '#3'") == "1");
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("cursor-7"));
}

TEST_CASE("run counters accumulate over pages and the outcome is recorded") {
  Mirror m;
  seed_customers(m);
  auto run = m.store->begin_run("demo", "invoices");
  REQUIRE(run);
  PageWrite first = page_of({invoice("I1", "C1"), invoice("I2", "C1")});
  first.run_id = *run;
  first.rejects.push_back(RejectRow{"I9", "{}", "bad", ""});
  m.apply(first);
  PageWrite second = page_of({invoice("I1", "C1"), invoice("I3", "C404")});
  Entity changed = invoice("I2", "C1");
  changed.set("balance", usd(0));
  second.entities.push_back(changed);
  second.run_id = *run;
  m.apply(second);
  REQUIRE(m.store->finish_run(*run, RunOutcome::kSucceeded));

  auto status = m.store->status();
  REQUIRE(status);
  REQUIRE(status->last_runs.size() == 1);
  const RunSummary& r = status->last_runs[0];
  CHECK(r.id == *run);
  CHECK(r.outcome == RunOutcome::kSucceeded);
  CHECK(r.pages == 2);
  CHECK(r.inserted == 2);
  CHECK(r.updated == 1);
  CHECK(r.unchanged == 1);
  CHECK(r.rejected == 2);
  CHECK_FALSE(r.finished_at.empty());

  CHECK(m.store->finish_run(9999, RunOutcome::kFailed).error().kind == ErrorKind::kNotFound);
  PageWrite orphan = page_of({});
  orphan.run_id = 9999;
  CHECK_FALSE(m.store->apply_page(orphan));
}

TEST_CASE("with synchronous=FULL a run of one page costs one fsync: its start and end ride on the page") {
  SyncCounter counter;  // before the store: its connection goes through the counting VFS
  Mirror m;
  m.store.reset();
  m.store = m.open({.synchronous_full = true});
  seed_customers(m);
  const std::size_t before = counter.syncs();
  auto run = m.store->begin_run("demo", "invoices");
  REQUIRE(run);
  PageWrite page = page_of({invoice("I1", "C1")}, "cursor-1");
  page.run_id = *run;
  m.apply(page);
  REQUIRE(m.store->finish_run(*run, RunOutcome::kSucceeded));
  CHECK(counter.syncs() - before == 1);
  // The connection is back to FULL afterwards: a page alone still costs its own fsync.
  const std::size_t after_run = counter.syncs();
  m.apply(page_of({invoice("I2", "C1")}, "cursor-2"));
  CHECK(counter.syncs() - after_run == 1);
  m.store.reset();
  CHECK(m.text("SELECT outcome FROM sync_runs WHERE id = ?", {*run}) == "succeeded");
}

TEST_CASE("runs left running by a crashed process are marked interrupted at open") {
  Mirror m;
  auto crashed = m.store->begin_run("demo", "invoices");
  auto done = m.store->begin_run("demo", "customers");
  REQUIRE(m.store->finish_run(*done, RunOutcome::kFailed, "ERP said 500"));
  m.reopen();
  CHECK(m.text("SELECT outcome || ':' || (finished_at IS NOT NULL) FROM sync_runs WHERE id = ?", {*crashed}) == "interrupted:1");
  auto status = m.store->status();
  REQUIRE(status->last_runs.size() == 2);
  CHECK(status->last_runs[0].stream == "customers");
  CHECK(status->last_runs[0].outcome == RunOutcome::kFailed);
  CHECK(status->last_runs[0].error == "ERP said 500");
  CHECK(status->last_runs[1].outcome == RunOutcome::kInterrupted);
}

TEST_CASE("a run whose process is still alive is not marked interrupted by another open") {
  Mirror m;
  auto live = m.store->begin_run("demo", "invoices");
  auto dead = m.store->begin_run("demo", "payments");
  pid_t child = fork();
  if (child == 0) _exit(0);
  REQUIRE(waitpid(child, nullptr, 0) == child);
  RawDb raw(m.path);
  raw.exec("UPDATE sync_runs SET pid = ? WHERE id = ?", {getppid(), *live});
  raw.exec("UPDATE sync_runs SET pid = ? WHERE id = ?", {child, *dead});
  m.reopen();
  CHECK(m.text("SELECT outcome FROM sync_runs WHERE id = ?", {*live}) == "running");
  CHECK(m.text("SELECT outcome FROM sync_runs WHERE id = ?", {*dead}) == "interrupted");
}

TEST_CASE("a second writer is told another process holds the write lock") {
  Mirror m;
  auto second = m.open(OpenOptions{.busy_timeout_ms = 50});
  RawDb holder(m.path);
  holder.exec("BEGIN IMMEDIATE");
  auto out = second->apply_page(page_of({customer("C1")}, "c-1"));
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::kIo);
  CHECK(out.error().message.find("locked by another arsync process") != std::string::npos);
  CHECK(out.error().where == m.path.string());
  holder.exec("ROLLBACK");
  CHECK(second->apply_page(page_of({customer("C1")}, "c-1")).has_value());
}

TEST_CASE("a read-only store reads but refuses every write") {
  Mirror m;
  seed_customers(m);
  auto ro = m.open(OpenOptions{.read_only = true});
  CHECK(*ro->cursor("demo", "customers") == std::optional<std::string>("c-1"));
  auto status = ro->status();
  REQUIRE(status);
  CHECK(status->tables[0].rows == 3);

  auto page = ro->apply_page(page_of({customer("C4")}));
  REQUIRE_FALSE(page);
  CHECK(page.error().message.find("read-only") != std::string::npos);
  CHECK_FALSE(ro->begin_run("demo", "invoices"));
  CHECK_FALSE(ro->reset_cursor("demo", "customers"));
  CHECK_FALSE(ro->finish_run(1, RunOutcome::kFailed));
  CHECK(m.number("SELECT count(*) FROM customers") == 3);
}

TEST_CASE("updated_seq is monotone and survives reopening") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1"), invoice("I2", "C1")}));
  const auto high = m.number("SELECT max(updated_seq) FROM invoices");
  CHECK(high == 5);  // 3 customers, then 2 invoices
  CHECK(m.number("SELECT last_seq FROM mirror_state") == high);
  m.reopen();
  Entity changed = invoice("I1", "C1");
  changed.set("po_number", std::string("PO-1"));
  m.apply(page_of({changed, invoice("I3", "C1")}));
  CHECK(m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I1'") == high + 1);
  CHECK(m.number("SELECT updated_seq FROM invoices WHERE erp_id = 'I3'") == high + 2);
  CHECK(m.number("SELECT count(DISTINCT updated_seq) FROM (SELECT updated_seq FROM invoices UNION ALL "
                 "SELECT updated_seq FROM customers)") == 6);
}

TEST_CASE("resetting a cursor forgets it") {
  Mirror m;
  m.apply(page_of({}, "c-5"));
  REQUIRE(m.store->reset_cursor("demo", "invoices"));
  CHECK(*m.store->cursor("demo", "invoices") == std::nullopt);
  CHECK(*m.store->cursor("other", "invoices") == std::nullopt);
}

TEST_CASE("status reports live rows, cursors, last runs, open rejects and the schema version") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1", 2), invoice("I2", "C404")}, "i-1"));
  RawDb(m.path).exec("UPDATE customers SET deleted = 1 WHERE erp_id = 'C3'");
  auto status = m.store->status();
  REQUIRE(status);
  std::map<std::string, std::int64_t> rows;
  for (const auto& t : status->tables) rows[t.table] = t.rows;
  CHECK(rows.size() == all_entities().size());
  CHECK(rows["customers"] == 2);
  CHECK(rows["contacts"] == 2);  // C3's contact belongs to a tombstoned customer
  CHECK(rows["invoices"] == 1);
  CHECK(rows["invoice_lines"] == 2);
  CHECK(rows["payments"] == 0);
  CHECK(rows["applications"] == 0);
  REQUIRE(status->cursors.size() == 2);
  CHECK(status->cursors[0].stream == "customers");
  CHECK(status->cursors[1].cursor == "i-1");
  CHECK(status->open_rejects == 1);
  CHECK(status->schema_version >= 2);
  CHECK(status->last_runs.empty());
}

TEST_CASE("a reference the mapping gives by number is resolved by number, and only when unique") {
  Mirror m;
  Entity acme = customer("C-1", "Acme");
  acme.set("number", std::string("10000"));
  Entity beta = customer("C-2", "Beta");
  beta.set("number", std::string("20000"));
  Entity twin = customer("C-3", "Beta again");
  twin.set("number", std::string("20000"));  // the ERP let two customers share a number
  m.apply(page_of({acme, beta, twin}));

  PageWrite page = page_of({invoice("I-1", "10000"), invoice("I-2", "99999"), invoice("I-3", "20000")});
  page.lookups = {{"", "customer", "number"}};
  auto outcome = m.apply(page);
  CHECK(outcome.inserted == 1);
  REQUIRE(outcome.rejects.size() == 2);
  CHECK(outcome.rejects[0].error.find("unknown customer number '99999'") != std::string::npos);
  CHECK(outcome.rejects[1].error.find("more than one customer number '20000'") != std::string::npos);
  CHECK(m.text("SELECT c.erp_id FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.erp_id = 'I-1'") ==
        "C-1");

  SUBCASE("without the lookup the same value is an ERP id, and unknown") {
    auto plain = m.apply(page_of({invoice("I-4", "10000")}));
    REQUIRE(plain.rejects.size() == 1);
    CHECK(plain.rejects[0].error.find("unknown customer '10000'") != std::string::npos);
  }
  SUBCASE("a lookup by a field that is not text is refused with a reason") {
    PageWrite bad = page_of({invoice("I-5", "10000")});
    bad.lookups = {{"", "customer", "credit_limit"}};
    auto refused = m.apply(bad);
    REQUIRE(refused.rejects.size() == 1);
    CHECK(refused.rejects[0].error.find("not a text field") != std::string::npos);
  }
}

TEST_CASE("a document's bytes are stored as a BLOB, byte-exact, and an unchanged copy is not rewritten") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I1", "C1")}));
  const std::string octets("%PDF\0\xff\xfe\xe2\x28\xa1 end\0", 15);  // NULs and bytes that are not UTF-8
  Entity doc(find_entity("document"));
  doc.set("erp_id", std::string("I1"));
  doc.set("kind", std::string("invoice"));
  doc.set("invoice", std::string("I1"));
  doc.set("file_name", std::string("I1.pdf"));
  doc.set("media_type", std::string("application/pdf"));
  doc.set("byte_size", static_cast<std::int64_t>(octets.size()));
  doc.set("sha256", std::string(64, 'a'));
  doc.set("content", Bytes{octets});
  CHECK(m.apply(page_of({doc}, {}, "invoice_documents")).inserted == 1);
  CHECK(m.text("SELECT typeof(content) FROM documents") == "blob");
  CHECK(m.text("SELECT hex(content) FROM documents") == "25504446" "00FFFEE228A120656E6400");
  CHECK(m.apply(page_of({doc}, {}, "invoice_documents")).unchanged == 1);

  Entity as_text = doc;  // text where bytes belong is a reject, never written as TEXT
  as_text.set("content", octets);
  auto out = m.apply(page_of({as_text}, {}, "invoice_documents"));
  REQUIRE(out.rejects.size() == 1);
  CHECK(out.rejects[0].error == "field content: expected bytes, got text");
}
