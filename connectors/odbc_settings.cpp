#include "connectors/odbc_settings.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace arsync {
namespace {

constexpr OptionSpec kOwnOptions[] = {
    {"connection_string", OptionType::kSecret, "", false,
     "ODBC connection string, e.g. Driver={PostgreSQL Unicode};Server=...;Pwd=${ERP_DB_PASSWORD}"},
    {"dsn", OptionType::kString, "", false, "a DSN from odbc.ini (instead of connection_string)"},
    {"username", OptionType::kString, "", false, "user for dsn"},
    {"password", OptionType::kSecret, "", false, "password for dsn; use ${ENV} or a credential file"},
    {"fetch_size", OptionType::kInteger, "1000", false, "rows per page (fetched in blocks of up to 1000)"},
    {"timeout", OptionType::kDuration, "60s", false, "query timeout and login timeout"},
    {"overlap", OptionType::kDuration, "5s", false,
     "how far a run's first page reaches back before the cursor"},
    {"max_cell_bytes", OptionType::kInteger, "8192", false,
     "longest text value of one column (longer fails)"},
};
constexpr auto kOptions = join_options(kOwnOptions, kRetryOptions);

constexpr OptionSpec kStreamOptions[] = {
    {"query", OptionType::kString, "", true,
     "SELECT ... WHERE (modified, id) > (?, ?) ORDER BY modified, id; one ? per cursor_params entry"},
    {"cursor_columns", OptionType::kString, "", false, "result columns forming the cursor, e.g. modified,id"},
    {"cursor_params", OptionType::kString, "", false,
     "cursor column bound to each ?, in order (default cursor_columns)"},
    {"initial_cursor", OptionType::kString, "", false, "cursor values before the first run, comma-separated"},
    {"parent_key", OptionType::kString, "id", false, "column of a row that its children refer to"},
    {"child_name", OptionType::kString, "", false, "name of the nested child array, e.g. lines"},
    {"child_query", OptionType::kString, "", false,
     "SELECT ... WHERE invoice_id IN ({keys}) ORDER BY invoice_id, ..."},
    {"child_key", OptionType::kString, "", false,
     "column of a child row holding its parent's key, e.g. invoice_id"},
    {"child_batch", OptionType::kInteger, "500", false, "parent keys bound per child query"},
    {"lookup", OptionType::kString, "", false,
     "push: SELECT <ERP id> FROM ... WHERE <key column> = ? (the ? is the item's idempotency key); "
     "required for a stream whose mapping pushes"},
};

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    std::string item(text.substr(start, comma - start));
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    out.push_back(std::move(item));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

// ODBC connection-string value, braced when it holds a separator.
std::string attribute_value(const std::string& value) {
  if (value.find_first_of(";{}= ") == std::string::npos) return value;
  std::string out = "{";
  for (char c : value) out += c == '}' ? std::string("}}") : std::string(1, c);
  return out + "}";
}

Result<OdbcStreamSettings> read_stream(const std::string& connector, const StreamConfig& stream) {
  OptionReader so(stream.options, kStreamOptions);
  OdbcStreamSettings s;
  s.name = stream.name;
  s.query = so.string("query");
  s.cursor_columns = split_list(so.string("cursor_columns"));
  s.initial_cursor = split_list(so.string("initial_cursor"));
  auto bad = [&](std::string why) {
    return fail(ErrorKind::kInvalidInput, "stream " + connector + "/" + stream.name + ": " + why,
                stream.where);
  };
  auto params = split_list(so.string("cursor_params"));
  if (params.empty()) params = s.cursor_columns;
  for (const std::string& p : params) {
    auto it = std::find(s.cursor_columns.begin(), s.cursor_columns.end(), p);
    if (it == s.cursor_columns.end())
      return bad("cursor_params names '" + p + "', which is not in cursor_columns");
    s.cursor_params.push_back(static_cast<std::size_t>(it - s.cursor_columns.begin()));
  }
  if (!s.cursor_columns.empty() && s.initial_cursor.size() != s.cursor_columns.size())
    return bad("initial_cursor needs one value per cursor column (" +
               std::to_string(s.cursor_columns.size()) + ", comma-separated), e.g. \"1900-01-01 00:00:00,\"");
  s.parent_key = so.string("parent_key");
  s.child_name = so.string("child_name");
  s.child_query = so.string("child_query");
  s.child_key = so.string("child_key");
  s.lookup = so.string("lookup");
  s.child_batch = static_cast<std::size_t>(std::max<std::int64_t>(1, so.integer("child_batch")));
  bool any_child = !s.child_name.empty() || !s.child_query.empty() || !s.child_key.empty();
  if (any_child && (s.child_name.empty() || s.child_query.empty() || s.child_key.empty()))
    return bad("a child collection needs child_name, child_query and child_key together");
  if (any_child && s.child_query.find("{keys}") == std::string::npos)
    return bad("child_query must contain {keys} where the parent keys go: ... IN ({keys})");
  return s;
}

}  // namespace

std::span<const OptionSpec> odbc_options() { return kOptions; }
std::span<const OptionSpec> odbc_stream_options() { return kStreamOptions; }

Result<OdbcSettings> read_odbc_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  OdbcSettings s;
  std::string dsn = opt.string("dsn");
  s.connection_string = opt.string("connection_string");
  if (s.connection_string.empty() == dsn.empty())
    return fail(ErrorKind::kInvalidInput,
                "connector " + config.name + ": give either connection_string or dsn", config.where);
  if (!dsn.empty()) {
    s.secret = opt.string("password");
    s.connection_string = "DSN=" + attribute_value(dsn) + ";";
    if (!opt.string("username").empty())
      s.connection_string += "UID=" + attribute_value(opt.string("username")) + ";";
    if (!s.secret.empty()) s.connection_string += "PWD=" + attribute_value(s.secret) + ";";
  }
  s.fetch_size = static_cast<std::size_t>(std::max<std::int64_t>(1, opt.integer("fetch_size")));
  s.timeout = opt.duration("timeout");
  s.overlap = opt.duration("overlap");
  s.max_cell_bytes = static_cast<std::size_t>(std::max<std::int64_t>(16, opt.integer("max_cell_bytes")));
  s.retry = RetryPolicy::from_options(opt);
  for (const StreamConfig& stream : config.streams) {
    auto settings = read_stream(config.name, stream);
    if (!settings) return fail(settings.error());
    s.streams[stream.name] = std::move(*settings);
  }
  return s;
}

}  // namespace arsync
