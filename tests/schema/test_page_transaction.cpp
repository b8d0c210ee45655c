// MirrorStore::apply_pages: several pages in one transaction (a dropdir CSV file handed over in
// parts). They commit together with the last page's cursor, or nothing of them remains.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "schema/mirror_store.hpp"
#include "tests/schema/entity_fixture.hpp"
#include "tests/schema/mirror_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

void seed_customers(Mirror& m) {
  REQUIRE(m.apply(page_of({customer("C1"), customer("C2")}, "c-1", "customers")).inserted == 2);
}

// Hands out `pages` in turn, each but the last marked continues; then `then_error`, if set,
// instead of the last page.
struct Pages {
  std::vector<PageWrite> pages;
  std::optional<Error> error_after;  // given instead of the page after the first `error_at`
  std::size_t error_at = 0;
  std::size_t given = 0;

  Result<const PageWrite*> next() {
    if (error_after && given == error_at) return fail(*error_after);
    PageWrite& page = pages.at(given++);
    page.continues = given < pages.size();
    return &page;
  }
};

}  // namespace

TEST_CASE("pages of one transaction commit together, with the last page's cursor") {
  Mirror m;
  seed_customers(m);
  Pages p{{page_of({invoice("I1", "C1")}, "file-1"), page_of({invoice("I2", "C2")}, "file-1"),
           page_of({invoice("I3", "C1")}, "file-2")}};
  auto out = m.store->apply_pages([&] { return p.next(); });
  REQUIRE_MESSAGE(out, (out ? "" : out.error().describe()));
  CHECK(out->inserted == 3);
  CHECK(p.given == 3);
  CHECK(m.number("SELECT count(*) FROM invoices") == 3);
  CHECK(m.number("SELECT count(*) FROM invoice_lines") == 9);
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("file-2"));
}

TEST_CASE("an error after some pages leaves nothing of any of them, and the store goes on") {
  Mirror m;
  seed_customers(m);
  m.apply(page_of({invoice("I0", "C1")}, "file-0"));
  const auto seq_before = m.number("SELECT last_seq FROM mirror_state");
  Pages p{{page_of({invoice("I1", "C1")}, "file-0"), page_of({invoice("I2", "C2")}, "file-0"),
           page_of({invoice("I3", "C1")}, "file-1")},
          Error{ErrorKind::kTransient, "the reader stopped", {}},
          2};
  auto out = m.store->apply_pages([&] { return p.next(); });
  REQUIRE_FALSE(out);
  CHECK(out.error().message == "the reader stopped");
  CHECK(m.text("SELECT group_concat(erp_id) FROM invoices") == "I0");
  CHECK(m.number("SELECT count(*) FROM invoice_lines") == 3);
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("file-0"));
  CHECK(m.number("SELECT last_seq FROM mirror_state") == seq_before);

  // Read again from the start (as after a crash): each row once, the sequence unbroken.
  Pages again{{page_of({invoice("I1", "C1")}, "file-0"), page_of({invoice("I2", "C2")}, "file-0"),
               page_of({invoice("I3", "C1")}, "file-1")}};
  auto retry = m.store->apply_pages([&] { return again.next(); });
  REQUIRE(retry);
  CHECK(retry->inserted == 3);
  CHECK(m.number("SELECT count(*) FROM invoices") == 4);
  CHECK(m.number("SELECT min(updated_seq) FROM invoices WHERE erp_id <> 'I0'") == seq_before + 1);
  CHECK(*m.store->cursor("demo", "invoices") == std::optional<std::string>("file-1"));
}

TEST_CASE("a page that needs the isolated retry redoes only itself, and the pages before it stay") {
  Mirror m;
  seed_customers(m);
  m.refuse_invoice_named_refused();
  const auto seq_before = m.number("SELECT last_seq FROM mirror_state");
  Pages p{{page_of({invoice("I1", "C1")}, "file-1"),
           page_of({invoice("I2", "C1"), invoice("REFUSED", "C2"), invoice("I3", "C2")}, "file-1")}};
  const std::int64_t run = *m.store->begin_run("demo", "invoices");
  for (PageWrite& page : p.pages) page.run_id = run;
  auto out = m.store->apply_pages([&] { return p.next(); });
  REQUIRE(out);
  CHECK(out->inserted == 3);
  REQUIRE(out->rejects.size() == 1);
  CHECK(out->rejects[0].record_key == "REFUSED");
  CHECK(m.text("SELECT group_concat(erp_id) FROM (SELECT erp_id FROM invoices ORDER BY erp_id)") == "I1,I2,I3");
  CHECK(m.number("SELECT count(*) FROM rejects") == 1);
  CHECK(m.text("SELECT pages || ':' || inserted || ':' || rejected FROM sync_runs") == "2:3:1");
  CHECK(m.number("SELECT last_seq FROM mirror_state") == seq_before + 3);
}
