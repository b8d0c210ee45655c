#include "connectors/odbc_connector.hpp"

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <unordered_map>

#include "connectors/odbc_push.hpp"
#include "connectors/odbc_session.hpp"
#include "connectors/retry_policy.hpp"
#include "schema/entity_json.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

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

struct StreamSettings {
  std::string name, query;
  std::vector<std::string> cursor_columns;
  std::vector<std::size_t> cursor_params;  // index into cursor_columns per ?
  std::vector<std::string> initial_cursor;
  std::string parent_key, child_name, child_query, child_key;
  std::size_t child_batch = 500;
  std::string lookup;
};

struct Settings {
  std::string connection_string, secret;
  std::size_t fetch_size = 1000;
  std::chrono::milliseconds timeout{}, overlap{};
  std::size_t max_cell_bytes = 8192;
  RetryPolicy retry;
  std::map<std::string, StreamSettings, std::less<>> streams;
};

// ODBC connection-string value, braced when it holds a separator.
std::string attribute_value(const std::string& value) {
  if (value.find_first_of(";{}= ") == std::string::npos) return value;
  std::string out = "{";
  for (char c : value) out += c == '}' ? std::string("}}") : std::string(1, c);
  return out + "}";
}

Result<StreamSettings> read_stream(const std::string& connector, const StreamConfig& stream) {
  OptionReader so(stream.options, kStreamOptions);
  StreamSettings s;
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

Result<Settings> read_settings(const ConnectorConfig& config) {
  OptionReader opt(config.options, kOptions);
  Settings s;
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

// The stored cursor: a JSON array of the cursor values' exact text.
std::string encode_cursor(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, values[i]);
  }
  return out + "]";
}

Result<std::vector<std::string>> decode_cursor(std::string_view text, std::size_t expected) {
  auto bad = [&] {
    return fail(ErrorKind::kInvalidInput, "stored cursor " + std::string(text) + " is not a JSON array of " +
                                              std::to_string(expected) +
                                              " strings (was cursor_columns changed?)");
  };
  std::vector<std::string> values;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip();
  if (i >= text.size() || text[i++] != '[') return bad();
  for (;;) {
    skip();
    if (i < text.size() && text[i] == ']' && values.empty()) break;
    if (i >= text.size() || text[i++] != '"') return bad();
    std::string value;
    while (i < text.size() && text[i] != '"') {
      char c = text[i++];
      if (c == '\\' && i < text.size()) {
        char e = text[i++];
        if (e == 'u' && i + 4 <= text.size())
          value += static_cast<char>(std::stoi(std::string(text.substr(i, 4)), nullptr, 16)), i += 4;
        else
          value += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      } else {
        value += c;
      }
    }
    if (i++ >= text.size()) return bad();
    values.push_back(std::move(value));
    skip();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ']') break;
    return bad();
  }
  if (values.size() != expected) return bad();
  return values;
}

// `text` lowered by `overlap` if it reads as a timestamp, in the same shape (separator, zone,
// fraction digits) so the driver parses it as it parsed the original; otherwise unchanged.
std::string lowered(const std::string& text, std::chrono::milliseconds overlap) {
  if (overlap.count() <= 0 || text.size() < 19) return text;
  std::size_t zone = 19;
  if (zone < text.size() && text[zone] == '.')
    while (++zone < text.size() && text[zone] >= '0' && text[zone] <= '9') {
    }
  std::string z = text.substr(zone);
  if (z.size() == 3 && (z[0] == '+' || z[0] == '-')) z += ":00";  // psqlODBC's "+00"
  auto t = parse_iso8601(text.substr(0, zone) + (z.empty() ? "Z" : z));
  if (!t) return text;
  int digits = zone > 20 ? static_cast<int>(zone - 20) : 0;
  std::string out = format_iso8601(*t - overlap, digits);  // YYYY-MM-DDTHH:MM:SS[.fff]Z, UTC
  out[10] = text[10];
  out.pop_back();  // the Z
  return z.empty() ? out : out + "+00:00";
}

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

// Index of the result column `name` (drivers may fold case), or an error listing the columns.
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

// Row `row` of the current block as an object node.
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

// Per stream: its prepared statements and where its open result stands.
struct StreamState {
  std::unique_ptr<OdbcStatement> query, children;
  bool open = false;       // the run's result is open, positioned right after `last_token`
  std::string last_token;  // the page token the open result continues from
  std::vector<std::size_t> cursor_index;
  std::size_t parent_index = 0;
};

class OdbcConnector final : public Connector {
 public:
  OdbcConnector(std::string name, Settings settings, const ConnectorContext& context)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        context_(context),
        rng_(std::random_device{}()) {}

  Result<Page> pull(const PullRequest& request) override {
    auto it = settings_.streams.find(request.stream);
    if (it == settings_.streams.end())
      return fail(ErrorKind::kInvalidInput, "connector " + name_ + " has no stream '" + request.stream + "'");
    const StreamSettings& stream = it->second;
    auto from = start_values(stream, request);
    if (!from) return fail(from.error());
    Error last{ErrorKind::kTransient, "no attempt made", where(stream)};
    bool evicted_on_checkout = false;
    for (int attempt = 1; attempt <= settings_.retry.max_attempts; ++attempt) {
      if (attempt > 1 && !wait_before_retry(attempt - 1, last)) break;
      bool reused = session_ != nullptr;
      auto page = try_pull(stream, request, *from);
      if (page) return page;
      last = page.error();
      if (last.kind != ErrorKind::kTransient) {
        states_.erase(stream.name);
        return fail(last);
      }
      evict();  // the next attempt reconnects
      if (context_.stop.stop_requested()) break;
      // A pooled connection that died while idle is not the ERP being down: replace it at once.
      if (reused && !evicted_on_checkout) {
        evicted_on_checkout = true;
        --attempt;
        log(LogLevel::kInfo, "odbc_reconnect",
            {{"connector", name_}, {"stream", stream.name}, {"error", last.describe()}});
      }
    }
    if (context_.stop.stop_requested())
      return fail(ErrorKind::kTransient, "stopped while retrying", where(stream));
    last.message =
        "gave up after " + std::to_string(settings_.retry.max_attempts) + " attempts: " + last.message;
    return fail(last);
  }

  PushResult push(const PushRequest& request) override {
    auto target = push_target(request);
    if (!target) return {PushStatus::kReject, "", target.error().message, {}};
    if (auto connected = ensure_session(); !connected)
      return {PushStatus::kRetry, "", target->where + ": connecting: " + connected.error().message, {}};
    PushResult result = odbc_push(*session_, request, *target);
    if (result.status == PushStatus::kRetry || result.status == PushStatus::kUnknown) evict();
    return result;
  }

  Result<std::optional<std::string>> lookup(const PushRequest& request) override {
    auto target = push_target(request);
    if (!target) return fail(target.error());
    if (auto connected = ensure_session(); !connected)
      return fail(ErrorKind::kTransient, target->where + ": connecting: " + connected.error().message);
    auto found = odbc_lookup(*session_, request, *target);
    if (!found && found.error().kind == ErrorKind::kTransient) evict();
    return found;
  }

 private:
  std::string where(const StreamSettings& stream) const { return "connector " + name_ + "/" + stream.name; }

  Result<OdbcPushTarget> push_target(const PushRequest& request) const {
    auto it = settings_.streams.find(request.stream);
    if (it == settings_.streams.end())
      return fail(ErrorKind::kPermanent, "connector " + name_ + " has no stream '" + request.stream + "'");
    const std::string at = "connector " + name_ + " stream " + request.stream;
    if (it->second.lookup.empty())
      return fail(ErrorKind::kPermanent,
                  at + " pushes " + request.kind +
                      " items but has no lookup: (SELECT <ERP id> FROM ... WHERE <key column> = ?); without "
                      "it a re-send after a lost answer could write the item twice, so nothing is sent");
    return OdbcPushTarget{at, it->second.lookup, query_timeout()};
  }

  // The cursor values this pull binds: the previous page's last row, or the committed cursor
  // lowered by `overlap` for a run's first page, or initial_cursor before the first run.
  Result<std::vector<std::string>> start_values(const StreamSettings& stream,
                                                const PullRequest& request) const {
    if (stream.cursor_columns.empty()) return std::vector<std::string>{};
    if (!request.page_token.empty()) return decode_cursor(request.page_token, stream.cursor_columns.size());
    if (request.cursor.empty()) return stream.initial_cursor;
    auto values = decode_cursor(request.cursor, stream.cursor_columns.size());
    if (values) (*values)[0] = lowered((*values)[0], settings_.overlap);
    return values;
  }

  // Drops the connection and every statement on it (statements first).
  void evict() {
    states_.clear();
    session_.reset();
  }

  Result<void> ensure_session() {
    if (session_ && !session_->alive()) evict();  // validated on checkout
    if (session_) return {};
    auto login = std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout);
    auto session = OdbcSession::connect(settings_.connection_string, settings_.secret, login);
    if (!session) return fail(session.error());
    session_ = std::move(*session);
    return {};
  }

  Error in_context(Error e, const StreamSettings& stream, const std::string& sql) const {
    e.message = "connector " + name_ + " stream " + stream.name + ": " + e.message + "; query: " + sql;
    if (e.where.empty()) e.where = where(stream);
    return e;
  }

  std::chrono::seconds query_timeout() const {
    return std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout);
  }

  Result<Page> try_pull(const StreamSettings& stream, const PullRequest& request,
                        const std::vector<std::string>& from) {
    if (auto connected = ensure_session(); !connected)
      return fail(in_context(connected.error(), stream, "(connecting)"));
    StreamState& state = states_[stream.name];
    bool continues = state.open && !request.page_token.empty() && request.page_token == state.last_token;
    std::size_t skip = 0;
    if (!continues) {
      if (stream.cursor_columns.empty() && request.page_token.rfind("offset:", 0) == 0)
        skip = std::stoull(request.page_token.substr(7));
      if (auto started = execute(stream, state, from); !started) return fail(started.error());
    }
    auto page = read_page(stream, state, request, skip);
    if (!page) return fail(in_context(page.error(), stream, stream.query));
    return page;
  }

  Result<void> execute(const StreamSettings& stream, StreamState& state,
                       const std::vector<std::string>& from) {
    if (!state.query) {
      auto prepared = session_->prepare(stream.query, query_timeout());
      if (!prepared) return fail(in_context(prepared.error(), stream, stream.query));
      state.query = std::move(*prepared);
    }
    std::vector<std::optional<std::string>> values;
    for (std::size_t index : stream.cursor_params) values.emplace_back(from[index]);
    std::size_t block = std::min<std::size_t>(settings_.fetch_size, 1000);
    if (auto ran = state.query->execute(values, block, settings_.max_cell_bytes); !ran)
      return fail(in_context(ran.error(), stream, stream.query));
    state.open = true;
    state.cursor_index.clear();
    for (const std::string& column : stream.cursor_columns) {
      auto index = column_index(*state.query, column, "cursor column");
      if (!index) return fail(in_context(index.error(), stream, stream.query));
      state.cursor_index.push_back(*index);
    }
    if (!stream.child_name.empty()) {
      auto index = column_index(*state.query, stream.parent_key, "parent_key");
      if (!index) return fail(in_context(index.error(), stream, stream.query));
      state.parent_index = *index;
    }
    return {};
  }

  Result<Page> read_page(const StreamSettings& stream, StreamState& state, const PullRequest& request,
                         std::size_t skip);
  Result<void> attach_children(const StreamSettings& stream, StreamState& state, std::vector<Record>& records,
                               const std::vector<std::optional<std::string>>& keys);

  bool wait_before_retry(int failed_attempts, const Error& last) {
    auto delay = settings_.retry.backoff(failed_attempts, rng_);
    log(LogLevel::kWarn, "pull_retry",
        {{"connector", name_},
         {"attempt", failed_attempts + 1},
         {"delay_ms", delay.count()},
         {"error", last.describe()}});
    return context_.clock->sleep_for(delay, context_.stop);
  }

  // Constant after construction
  std::string name_;
  Settings settings_;
  ConnectorContext context_;

  // Touched only by the thread calling pull()
  std::mt19937_64 rng_;
  std::unique_ptr<OdbcSession> session_;
  // Declared after session_ so that its statements are freed before their connection.
  std::map<std::string, StreamState, std::less<>> states_;
};

// Reads up to fetch_size rows (whole blocks) from the open result into a page.
Result<Page> OdbcConnector::read_page(const StreamSettings& stream, StreamState& state,
                                      const PullRequest& request, std::size_t skip) {
  Page page;
  page.records.reserve(settings_.fetch_size);
  std::vector<std::optional<std::string>> keys;
  std::vector<std::string> last_cursor;
  std::size_t offset =
      request.page_token.rfind("offset:", 0) == 0 ? std::stoull(request.page_token.substr(7)) : 0;
  while (page.records.size() < settings_.fetch_size) {
    if (context_.stop.stop_requested()) return fail(ErrorKind::kTransient, "stopped during a page");
    auto rows = state.query->fetch();
    if (!rows) return fail(rows.error());
    if (*rows == 0) {
      state.open = false;
      break;
    }
    const OdbcStatement& q = *state.query;
    for (std::size_t r = 0; r < *rows; ++r) {
      if (skip > 0) {
        --skip;
        continue;
      }
      page.records.push_back({row_node(q, r), {}});
      if (!stream.child_name.empty()) {
        auto key = q.cell(r, state.parent_index);
        keys.push_back(key ? std::optional<std::string>(*key) : std::nullopt);
      }
    }
    if (*rows > 0 && !state.cursor_index.empty()) {
      last_cursor.clear();
      for (std::size_t i = 0; i < state.cursor_index.size(); ++i) {
        auto value = q.cell(*rows - 1, state.cursor_index[i]);
        if (!value)
          return fail(ErrorKind::kPermanent, "cursor column " + stream.cursor_columns[i] +
                                                 " is NULL in a row; the cursor must never be NULL "
                                                 "(COALESCE it in the query)");
        last_cursor.emplace_back(*value);
      }
    }
  }
  offset += page.records.size();
  if (!stream.child_name.empty())
    if (auto attached = attach_children(stream, state, page.records, keys); !attached)
      return fail(attached.error());
  for (Record& record : page.records) append_json(record.raw, record.root);

  std::string fallback = request.page_token.empty() ? request.cursor : request.page_token;
  if (stream.cursor_columns.empty()) {
    page.cursor = "";
    page.next_page_token = state.open ? "offset:" + std::to_string(offset) : "";
  } else {
    page.cursor = last_cursor.empty() ? fallback : encode_cursor(last_cursor);
    page.next_page_token = state.open ? page.cursor : "";
  }
  state.last_token = page.next_page_token;
  return page;
}

// Runs the child query for the page's parent keys, child_batch keys at a time, and nests each
// child row under its parent as an array named child_name.
Result<void> OdbcConnector::attach_children(const StreamSettings& stream, StreamState& state,
                                            std::vector<Record>& records,
                                            const std::vector<std::optional<std::string>>& keys) {
  auto child_error = [&](Error e) { return fail(in_context(std::move(e), stream, stream.child_query)); };
  if (!state.children) {
    std::string marks;
    for (std::size_t i = 0; i < stream.child_batch; ++i) marks += i ? ",?" : "?";
    std::string sql = stream.child_query;
    sql.replace(sql.find("{keys}"), 6, marks);
    auto prepared = session_->prepare(sql, query_timeout());
    if (!prepared) return child_error(prepared.error());
    state.children = std::move(*prepared);
  }
  std::vector<std::optional<std::string>> distinct;
  for (const auto& key : keys)
    if (key) distinct.push_back(key);
  std::unordered_map<std::string, std::vector<Node>> by_parent;
  for (std::size_t start = 0; start < distinct.size(); start += stream.child_batch) {
    std::vector<std::optional<std::string>> batch;
    for (std::size_t i = 0; i < stream.child_batch; ++i)
      batch.push_back(distinct[std::min(start + i, distinct.size() - 1)]);  // padded with the last key
    if (auto ran = state.children->execute(batch, 1000, settings_.max_cell_bytes); !ran)
      return child_error(ran.error());
    auto link = column_index(*state.children, stream.child_key, "child_key");
    if (!link) return child_error(link.error());
    for (;;) {
      if (context_.stop.stop_requested()) return fail(ErrorKind::kTransient, "stopped during a page");
      auto rows = state.children->fetch();
      if (!rows) return child_error(rows.error());
      if (*rows == 0) break;
      for (std::size_t r = 0; r < *rows; ++r)
        if (auto parent = state.children->cell(r, *link))
          by_parent[std::string(*parent)].push_back(row_node(*state.children, r));
    }
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    Node& array = records[i].root.add(stream.child_name, Node::Type::kArray);
    if (!keys[i]) continue;
    auto found = by_parent.find(*keys[i]);
    if (found == by_parent.end()) continue;
    array.reserve(found->second.size());
    for (Node& child : found->second) array.push(std::move(child));
  }
  return {};
}

Result<std::unique_ptr<Connector>> create(const ConnectorConfig& config, const ConnectorContext& context) {
  auto settings = read_settings(config);
  if (!settings) return fail(settings.error());
  return std::unique_ptr<Connector>(
      std::make_unique<OdbcConnector>(config.name, std::move(*settings), context));
}

constexpr ConnectorSpec kSpec{
    "odbc",
    "SQL databases through unixODBC: keyset-paged SELECT with a tie-safe (modified, id) cursor, child rows",
    kOptions,
    kStreamOptions,
    &create,
};

}  // namespace

const ConnectorSpec& odbc_spec() { return kSpec; }

}  // namespace arsync
