// odbc settings: the `odbc` connector's two option tables (connector and stream; they are what
// `arsync --help-config` prints) and their parsing, once at load time, into typed structs. The
// query/cursor contract the stream options describe is odbc_connector.hpp's.
//
// A connection given as dsn + username + password is turned into a connection string here;
// `secret` keeps the password so that OdbcSession can blank it from driver messages.
// Plain values; no thread contract.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "connectors/connector_spec.hpp"
#include "connectors/retry_policy.hpp"

namespace arsync {

struct OdbcStreamSettings {
  std::string name, query;
  std::vector<std::string> cursor_columns;
  std::vector<std::size_t> cursor_params;  // index into cursor_columns per ?
  std::vector<std::string> initial_cursor;
  std::string parent_key, child_name, child_query, child_key;
  std::size_t child_batch = 500;
  std::string lookup;
};

struct OdbcSettings {
  std::string connection_string, secret;
  std::size_t fetch_size = 1000;
  std::chrono::milliseconds timeout{}, overlap{};
  std::size_t max_cell_bytes = 8192;
  RetryPolicy retry;
  std::map<std::string, OdbcStreamSettings, std::less<>> streams;
};

std::span<const OptionSpec> odbc_options();
std::span<const OptionSpec> odbc_stream_options();

// `config`, already checked against the two tables, as settings; InvalidInput naming the
// connector or stream (and its config place) for combinations the schema cannot express
// (connection_string and dsn both or neither, a cursor_params entry not in cursor_columns,
// an initial_cursor of the wrong length, half a child collection).
Result<OdbcSettings> read_odbc_settings(const ConnectorConfig& config);

}  // namespace arsync
