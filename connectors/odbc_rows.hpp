// odbc rows: the rows of an OdbcStatement's current block as Records (odbc_connector.hpp's
// "Records": one object per row of column name -> the driver's exact text, NULL a null node,
// booleans "1"/"0"; `raw` the row as JSON).
//
// A column's node type follows the SQL type the driver describes (numbers stay numbers in
// `raw`), but its text is never converted: money keeps its decimals. Result column names are
// matched without case, since drivers fold unquoted identifiers (PostgreSQL to lower case,
// others to upper). Plain functions; the statement's thread contract applies.
#pragma once

#include <arsync/record.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "connectors/odbc_session.hpp"

namespace arsync {

// Index of the result column `name` (drivers may fold case), or an InvalidInput listing the
// columns; `role` ("cursor column", "parent_key") says which option named it.
Result<std::size_t> column_index(const OdbcStatement& statement, std::string_view name,
                                 std::string_view role);

// Row `row` of the current block as an object node.
Node row_node(const OdbcStatement& statement, std::size_t row);

// Appends `node` as JSON to `out` (a Record's `raw`).
void append_json(std::string& out, const Node& node);

}  // namespace arsync
