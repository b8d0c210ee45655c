#include "connectors/odbc_rows.hpp"

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cctype>

#include "schema/entity_json.hpp"

namespace arsync {
namespace {

Node::Type node_type(short sql_type) {
  switch (sql_type) {
    case SQL_BIT:
      return Node::Type::kBool;
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
    case SQL_NUMERIC:
    case SQL_DECIMAL:
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE:
      return Node::Type::kNumber;
    default:
      return Node::Type::kString;
  }
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Result<std::size_t> column_index(const OdbcStatement& statement, std::string_view name,
                                 std::string_view role) {
  const auto& columns = statement.columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (same_name(columns[i].name, name)) return i;
  std::string names;
  for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.name;
  return fail(ErrorKind::kInvalidInput, std::string(role) + " '" + std::string(name) +
                                            "' is not a column of the result (" + names + ")");
}

Node row_node(const OdbcStatement& statement, std::size_t row) {
  Node node = Node::object();
  const auto& columns = statement.columns();
  node.reserve(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    auto cell = statement.cell(row, c);
    if (cell)
      node.add(columns[c].name, node_type(columns[c].sql_type), *cell);
    else
      node.add(columns[c].name, Node::Type::kNull);
  }
  return node;
}

void append_json(std::string& out, const Node& node) {
  switch (node.type()) {
    case Node::Type::kNull:
      out += "null";
      break;
    case Node::Type::kBool:
      out += node.text() == "1" || node.text() == "true" ? "true" : "false";
      break;
    case Node::Type::kNumber:
      out += node.text();
      break;
    case Node::Type::kString:
      append_json_string(out, node.text());
      break;
    case Node::Type::kObject:
    case Node::Type::kArray: {
      bool object = node.type() == Node::Type::kObject;
      out += object ? '{' : '[';
      bool first = true;
      for (const Node& child : node.children()) {
        if (!first) out += ',';
        first = false;
        if (object) append_json_string(out, child.name()), out += ':';
        append_json(out, child);
      }
      out += object ? '}' : ']';
    }
  }
}

}  // namespace arsync
