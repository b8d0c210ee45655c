// Test SQL follows the project rule: values are bound, never spliced into the text. SqlBinds are
// the values for a query's `?` placeholders, in order; bind_sqlite() binds them to a prepared
// SQLite statement. A table or column name cannot be bound: a test that puts one into SQL takes
// it through allowed_name(), from a fixed list, so a typo or a value never becomes SQL text.
// Header-only (the includer links SQLite). Thread contract: none (pure functions).
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace arsync::test {

using SqlValue = std::variant<std::int64_t, std::string>;
using SqlBinds = std::vector<SqlValue>;

// Binds `binds` to ?1..?n of `stmt`; throws (naming the query) when a value does not bind, e.g.
// more values than placeholders.
inline void bind_sqlite(sqlite3_stmt* stmt, const SqlBinds& binds) {
  for (std::size_t i = 0; i < binds.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    const int rc = std::holds_alternative<std::int64_t>(binds[i])
                       ? sqlite3_bind_int64(stmt, at, std::get<std::int64_t>(binds[i]))
                       : sqlite3_bind_text(stmt, at, std::get<std::string>(binds[i]).c_str(), -1, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK)
      throw std::runtime_error(std::string(sqlite3_sql(stmt)) + ": cannot bind value " + std::to_string(at) + ": " +
                               sqlite3_errstr(rc));
  }
}

// `name` when it is one of `allowed`; otherwise the test fails here, naming it.
inline std::string allowed_name(std::string_view name, std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
    FAIL("'" << std::string(name) << "' is not a table or column name this test may put into SQL");
  return std::string(name);
}

}  // namespace arsync::test
