#include "connectors/odbc_connector.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>

#include "connectors/odbc_cursor.hpp"
#include "connectors/odbc_push.hpp"
#include "connectors/odbc_rows.hpp"
#include "connectors/odbc_session.hpp"
#include "connectors/odbc_settings.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

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
  OdbcConnector(std::string name, OdbcSettings settings, const ConnectorContext& context)
      : name_(std::move(name)),
        settings_(std::move(settings)),
        context_(context),
        rng_(std::random_device{}()) {}

  Result<Page> pull(const PullRequest& request) override {
    auto it = settings_.streams.find(request.stream);
    if (it == settings_.streams.end())
      return fail(ErrorKind::kInvalidInput, "connector " + name_ + " has no stream '" + request.stream + "'");
    const OdbcStreamSettings& stream = it->second;
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
  std::string where(const OdbcStreamSettings& stream) const {
    return "connector " + name_ + "/" + stream.name;
  }

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
  Result<std::vector<std::string>> start_values(const OdbcStreamSettings& stream,
                                                const PullRequest& request) const {
    if (stream.cursor_columns.empty()) return std::vector<std::string>{};
    if (!request.page_token.empty()) return decode_cursor(request.page_token, stream.cursor_columns.size());
    if (request.cursor.empty()) return stream.initial_cursor;
    auto values = decode_cursor(request.cursor, stream.cursor_columns.size());
    if (values) (*values)[0] = lowered_by_overlap((*values)[0], settings_.overlap);
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

  Error in_context(Error e, const OdbcStreamSettings& stream, const std::string& sql) const {
    e.message = "connector " + name_ + " stream " + stream.name + ": " + e.message + "; query: " + sql;
    if (e.where.empty()) e.where = where(stream);
    return e;
  }

  std::chrono::seconds query_timeout() const {
    return std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout);
  }

  Result<Page> try_pull(const OdbcStreamSettings& stream, const PullRequest& request,
                        const std::vector<std::string>& from) {
    if (auto connected = ensure_session(); !connected)
      return fail(in_context(connected.error(), stream, "(connecting)"));
    StreamState& state = states_[stream.name];
    bool continues = state.open && !request.page_token.empty() && request.page_token == state.last_token;
    std::size_t offset = 0;
    if (stream.cursor_columns.empty() && is_offset_token(request.page_token)) {
      auto rows = decode_offset_token(request.page_token);
      if (!rows) return fail(in_context(rows.error(), stream, stream.query));
      offset = *rows;
    }
    if (!continues)
      if (auto started = execute(stream, state, from); !started) return fail(started.error());
    // A continued result stands right after the token's rows; a re-executed one skips them.
    auto page = read_page(stream, state, request, offset, continues ? 0 : offset);
    if (!page) return fail(in_context(page.error(), stream, stream.query));
    return page;
  }

  Result<void> execute(const OdbcStreamSettings& stream, StreamState& state,
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

  Result<Page> read_page(const OdbcStreamSettings& stream, StreamState& state, const PullRequest& request,
                         std::size_t offset, std::size_t skip);
  Result<void> attach_children(const OdbcStreamSettings& stream, StreamState& state,
                               std::vector<Record>& records,
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
  OdbcSettings settings_;
  ConnectorContext context_;

  // Touched only by the thread calling pull()
  std::mt19937_64 rng_;
  std::unique_ptr<OdbcSession> session_;
  // Declared after session_ so that its statements are freed before their connection.
  std::map<std::string, StreamState, std::less<>> states_;
};

// Reads up to fetch_size rows (whole blocks) from the open result into a page, passing over its
// first `skip` rows; `offset` is how many rows earlier pages read (offset paging only).
Result<Page> OdbcConnector::read_page(const OdbcStreamSettings& stream, StreamState& state,
                                      const PullRequest& request, std::size_t offset, std::size_t skip) {
  Page page;
  page.records.reserve(settings_.fetch_size);
  std::vector<std::optional<std::string>> keys;
  std::vector<std::string> last_cursor;
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
    page.next_page_token = state.open ? std::string(kOffsetTokenPrefix) + std::to_string(offset) : "";
  } else {
    page.cursor = last_cursor.empty() ? fallback : encode_cursor(last_cursor);
    page.next_page_token = state.open ? page.cursor : "";
  }
  state.last_token = page.next_page_token;
  return page;
}

// Runs the child query for the page's parent keys, child_batch keys at a time, and nests each
// child row under its parent as an array named child_name.
Result<void> OdbcConnector::attach_children(const OdbcStreamSettings& stream, StreamState& state,
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
  auto settings = read_odbc_settings(config);
  if (!settings) return fail(settings.error());
  return std::unique_ptr<Connector>(
      std::make_unique<OdbcConnector>(config.name, std::move(*settings), context));
}

}  // namespace

const ConnectorSpec& odbc_spec() {
  static const ConnectorSpec spec{
      "odbc",
      "SQL databases through unixODBC: keyset-paged SELECT with a tie-safe (modified, id) cursor, child rows",
      odbc_options(),
      odbc_stream_options(),
      &create,
  };
  return spec;
}

}  // namespace arsync
