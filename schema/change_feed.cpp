// MirrorReader::changes: the change feed (DESIGN §4). Every entity table carries the mirror's
// one monotone updated_seq (handed out by the single writer in commit order) and an index on
// it, so the feed is a merge of index range scans: SQLite runs the UNION ALL ... ORDER BY as a
// MERGE of the per-table scans and stops at the LIMIT, whatever the tables' sizes.
//
// The set of tables is read from the schema at first use, so tables that later migrations add
// (the portal's payments, credit requests, profile changes) join the feed without a change
// here; a table's erp_id / portal_id / deleted columns are used when it has them.
#include <string>
#include <vector>

#include "schema/mirror_reader_impl.hpp"

namespace arsync {
namespace {

struct FeedTable {
  const char* table;
  const char* type;
};

// In the order a reader meets them when two share a seq (they never do: one seq per row write).
constexpr FeedTable kFeedTables[] = {
    {"customers", "customer"},
    {"invoices", "invoice"},
    {"credit_memos", "credit_memo"},
    {"payments", "payment"},
    {"disputes", "dispute"},
    {"promises_to_pay", "promise_to_pay"},
    {"messages", "message"},
    {"documents", "document"},
    {"portal_payments", "portal_payment"},
    {"credit_requests", "credit_request"},
    {"profile_changes", "profile_change"},
};

// Builds the feed's SQL from the tables present: one arm per table that has updated_seq.
Result<std::string> feed_sql(Database& db) {
  std::string sql;
  for (const FeedTable& t : kFeedTables) {
    auto info = db.prepare("SELECT name FROM pragma_table_info(?1)");
    if (!info) return fail(info.error());
    info->bind_text(1, t.table);
    bool seq = false, erp = false, portal = false, deleted = false;
    int rc;
    while ((rc = info->step()) == SQLITE_ROW) {
      std::string_view column = info->column_text(0);
      seq |= column == "updated_seq";
      erp |= column == "erp_id";
      portal |= column == "portal_id";
      deleted |= column == "deleted";
    }
    if (rc != SQLITE_DONE) return fail(db.error(rc, "cannot read the schema of " + std::string(t.table)));
    if (!seq) continue;
    if (!sql.empty()) sql += " UNION ALL ";
    sql += std::string("SELECT updated_seq, '") + t.type + "', id, " + (erp ? "erp_id" : "NULL") + ", " +
           (portal ? "portal_id" : "NULL") + ", " + (deleted ? "deleted" : "0") + " FROM " + t.table +
           " WHERE updated_seq > ?1";
  }
  return sql + " ORDER BY 1 LIMIT ?2";
}

}  // namespace

Result<ChangePage> MirrorReader::changes(std::int64_t after, int limit) {
  if (impl_->feed_sql.empty()) {
    auto sql = feed_sql(impl_->db);
    if (!sql) return fail(sql.error());
    impl_->feed_sql = std::move(*sql);
  }
  auto s = impl_->stmt(impl_->feed_sql);
  if (!s) return fail(s.error());
  Statement& q = **s;
  q.bind_int(1, after);
  q.bind_int(2, limit);
  ChangePage page;
  page.next = after;
  auto ok = read_rows(impl_->db, q, page.items,
                      [](const Statement& r) {
                        return ChangeItem{r.column_int(0), r.column_string(1), r.column_int(2),
                                          r.column_string(3), r.column_string(4), r.column_int(5) != 0};
                      },
                      "cannot read the change feed");
  if (!ok) return fail(ok.error());
  if (!page.items.empty()) page.next = page.items.back().seq;
  return page;
}

}  // namespace arsync
