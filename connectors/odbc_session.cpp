#include "connectors/odbc_session.hpp"

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cstring>

namespace arsync {
namespace {

static_assert(sizeof(SQLLEN) == sizeof(std::int64_t) && sizeof(SQLULEN) == sizeof(std::uint64_t),
              "unixODBC must be built with 64-bit SQLLEN (Debian's is)");

bool ok(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whether a SQLSTATE says "try again later, probably on a new connection".
bool transient_state(std::string_view state) {
  return starts_with(state, "08") || state == "HYT00" || state == "HYT01" || state == "40001" ||
         state == "40P01" || starts_with(state, "57P") || starts_with(state, "53");
}

// Bytes a value of this SQL type needs as text, from the driver's column size (0 = unknown).
std::size_t text_width(SQLSMALLINT type, SQLULEN size, std::size_t max_cell_bytes) {
  std::size_t need = 0;
  switch (type) {
    case SQL_BIT:
      need = 1;
      break;
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      need = 20;
      break;
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE:
      need = 32;
      break;
    case SQL_NUMERIC:
    case SQL_DECIMAL:
      need = size ? size + 2 : 64;
      break;  // sign and point
    case SQL_TYPE_DATE:
      need = 10;
      break;
    case SQL_TYPE_TIME:
    case SQL_TYPE_TIMESTAMP:
    case SQL_GUID:
      need = 40;
      break;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY:
      need = size ? 2 * size : max_cell_bytes;
      break;
    default:
      need = size ? 4 * size : max_cell_bytes;  // characters → UTF-8 bytes, at most 4 each
  }
  return std::clamp<std::size_t>(need, 1, max_cell_bytes) + 1;
}

}  // namespace

std::string redact_connection_string(std::string_view text) {
  std::string out(text);
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view key : {"pwd=", "password="}) {
    for (auto at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
      if (at > 0 && lower[at - 1] != ';' && lower[at - 1] != ' ') continue;
      auto start = at + key.size();
      std::size_t end = start;
      if (end < out.size() && out[end] == '{') {  // braced: "}}" is an escaped '}'
        for (++end; end < out.size(); ++end)
          if (out[end] == '}' && !(end + 1 < out.size() && out[end + 1] == '}'))
            break;
          else if (out[end] == '}')
            ++end;
        end = std::min(end + 1, out.size());
      } else {
        end = std::min(out.find(';', start), out.size());
      }
      out.replace(start, end - start, "***");
      lower.replace(start, end - start, "***");
    }
  }
  return out;
}

Result<std::unique_ptr<OdbcSession>> OdbcSession::connect(const std::string& connection_string,
                                                          std::string secret,
                                                          std::chrono::seconds login_timeout) {
  std::unique_ptr<OdbcSession> session(new OdbcSession());
  session->secret_ = std::move(secret);
  if (!ok(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &session->env_)))
    return fail(ErrorKind::kIo, "cannot allocate an ODBC environment (is unixODBC installed?)");
  SQLSetEnvAttr(session->env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  if (!ok(SQLAllocHandle(SQL_HANDLE_DBC, session->env_, &session->dbc_)))
    return fail(session->diagnose(SQL_HANDLE_ENV, session->env_, "allocating a connection"));
  auto seconds = static_cast<SQLULEN>(login_timeout.count());
  SQLSetConnectAttr(session->dbc_, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  SQLSetConnectAttr(session->dbc_, SQL_ATTR_CONNECTION_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  std::vector<SQLCHAR> in(connection_string.begin(), connection_string.end());
  in.push_back(0);
  SQLCHAR out[1024];
  SQLSMALLINT out_length = 0;
  SQLRETURN rc = SQLDriverConnect(session->dbc_, nullptr, in.data(), SQL_NTS, out, sizeof out, &out_length,
                                  SQL_DRIVER_NOPROMPT);
  if (!ok(rc)) {
    Error e = session->diagnose(SQL_HANDLE_DBC, session->dbc_, "connecting");
    // A refused or unreachable server is worth retrying; a wrong password or DSN is not.
    return fail(e);
  }
  session->connected_ = true;
  return session;
}

OdbcSession::~OdbcSession() {
  if (connected_) SQLDisconnect(dbc_);
  if (dbc_) SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
  if (env_) SQLFreeHandle(SQL_HANDLE_ENV, env_);
}

bool OdbcSession::alive() const {
  SQLUINTEGER dead = SQL_CD_FALSE;
  if (!ok(SQLGetConnectAttr(dbc_, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr))) return true;
  return dead != SQL_CD_TRUE;
}

std::string OdbcSession::driver_name() const {
  char name[256] = {};
  SQLSMALLINT length = 0;
  if (!ok(SQLGetInfo(dbc_, SQL_DRIVER_NAME, name, sizeof name, &length))) return "?";
  return name;
}

Error OdbcSession::diagnose(short handle_type, void* handle, std::string_view what) const {
  std::string message, first_state;
  for (SQLSMALLINT i = 1; i <= 5; ++i) {
    SQLCHAR state[6] = {}, text[1024] = {};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    if (!ok(SQLGetDiagRec(handle_type, handle, i, state, &native, text, sizeof text, &length))) break;
    std::string state_text(reinterpret_cast<char*>(state));
    if (first_state.empty()) first_state = state_text;
    if (!message.empty()) message += "; ";
    message += "[" + state_text + "] " + reinterpret_cast<char*>(text);
  }
  if (message.empty()) message = "the driver gave no diagnostics";
  if (!secret_.empty())
    for (auto at = message.find(secret_); at != std::string::npos; at = message.find(secret_, at))
      message.replace(at, secret_.size(), "***");
  message = redact_connection_string(message);
  bool transient = transient_state(first_state) || (connected_ && !alive());
  ErrorKind kind = transient                            ? ErrorKind::kTransient
                   : starts_with(first_state, "23") ? ErrorKind::kConflict
                                                      : ErrorKind::kPermanent;
  return {kind,
          std::string(what) + " failed: " + message,
          {}};
}

Result<void> OdbcSession::run(const std::string& sql) {
  SQLHSTMT stmt = nullptr;
  if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt)))
    return fail(diagnose(SQL_HANDLE_DBC, dbc_, "allocating a statement"));
  std::vector<SQLCHAR> text(sql.begin(), sql.end());
  text.push_back(0);
  SQLRETURN rc = SQLExecDirect(stmt, text.data(), SQL_NTS);
  Result<void> result;
  if (!ok(rc) && rc != SQL_NO_DATA) result = fail(diagnose(SQL_HANDLE_STMT, stmt, "running a statement"));
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  return result;
}

Result<std::unique_ptr<OdbcStatement>> OdbcSession::prepare(const std::string& sql,
                                                            std::chrono::seconds timeout) {
  SQLHSTMT stmt = nullptr;
  if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt)))
    return fail(diagnose(SQL_HANDLE_DBC, dbc_, "allocating a statement"));
  std::unique_ptr<OdbcStatement> statement(new OdbcStatement(*this, stmt));
  SQLSetStmtAttr(stmt, SQL_ATTR_QUERY_TIMEOUT,
                 reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(timeout.count())), 0);
  std::vector<SQLCHAR> text(sql.begin(), sql.end());
  text.push_back(0);
  if (!ok(SQLPrepare(stmt, text.data(), SQL_NTS)))
    return fail(diagnose(SQL_HANDLE_STMT, stmt, "preparing the query"));
  if (auto described = statement->describe_parameters(); !described) return fail(described.error());
  return statement;
}

Result<void> OdbcSession::begin() {
  if (!ok(SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0)))
    return fail(diagnose(SQL_HANDLE_DBC, dbc_, "starting a transaction"));
  return {};
}

Result<void> OdbcSession::commit() {
  Result<void> result;
  if (!ok(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT)))
    result = fail(diagnose(SQL_HANDLE_DBC, dbc_, "committing"));
  SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0);
  return result;
}

void OdbcSession::rollback() {
  SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK);
  SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), 0);
}

OdbcStatement::~OdbcStatement() {
  if (stmt_) SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
}

// The driver's idea of each parameter's type; drivers that cannot say (SQLite) get VARCHAR.
Result<void> OdbcStatement::describe_parameters() {
  SQLSMALLINT count = 0;
  if (!ok(SQLNumParams(stmt_, &count)))
    return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "counting parameters"));
  parameter_types_.assign(count, SQL_VARCHAR);
  for (SQLUSMALLINT i = 0; i < count; ++i) {
    SQLSMALLINT type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    if (ok(SQLDescribeParam(stmt_, i + 1, &type, &size, &digits, &nullable)) && type != SQL_UNKNOWN_TYPE)
      parameter_types_[i] = type;
  }
  return {};
}

Result<void> OdbcStatement::execute(const std::vector<std::optional<std::string>>& values,
                                    std::size_t block_rows, std::size_t max_cell_bytes) {
  if (auto ran = bind_and_execute(values); !ran) return fail(ran.error());
  open_ = true;
  return bind_columns(block_rows, max_cell_bytes);
}

Result<void> OdbcStatement::run(const std::vector<std::optional<std::string>>& values) {
  if (auto ran = bind_and_execute(values); !ran) return fail(ran.error());
  SQLSMALLINT columns = 0;
  if (ok(SQLNumResultCols(stmt_, &columns)) && columns > 0) SQLFreeStmt(stmt_, SQL_CLOSE);
  return {};
}

Result<void> OdbcStatement::bind_and_execute(const std::vector<std::optional<std::string>>& values) {
  close();
  if (values.size() != parameter_types_.size())
    return fail(ErrorKind::kInvalidInput, "the query has " + std::to_string(parameter_types_.size()) +
                                              " placeholders (?) but " + std::to_string(values.size()) +
                                              " values are bound");
  parameter_values_ = values;
  parameter_lengths_.assign(values.size(), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto& value = parameter_values_[i];
    parameter_lengths_[i] = value ? static_cast<SQLLEN>(value->size()) : SQL_NULL_DATA;
    SQLULEN size = value ? std::max<SQLULEN>(value->size(), 1) : 1;
    SQLPOINTER data = value ? value->data() : nullptr;
    SQLRETURN rc = SQLBindParameter(
        stmt_, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT, SQL_C_CHAR, parameter_types_[i], size,
        parameter_types_[i] == SQL_TYPE_TIMESTAMP ? 6 : 0, data,
        value ? static_cast<SQLLEN>(value->size()) : 0, reinterpret_cast<SQLLEN*>(&parameter_lengths_[i]));
    if (!ok(rc))
      return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "binding parameter " + std::to_string(i + 1)));
  }
  SQLRETURN rc = SQLExecute(stmt_);
  if (!ok(rc) && rc != SQL_NO_DATA)
    return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "executing the query"));
  return {};
}

Result<void> OdbcStatement::bind_columns(std::size_t block_rows, std::size_t max_cell_bytes) {
  SQLSMALLINT count = 0;
  if (!ok(SQLNumResultCols(stmt_, &count)))
    return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "describing the result"));
  if (count == 0) return fail(ErrorKind::kPermanent, "the query returns no columns (is it a SELECT?)");
  // Describe first: the block is sized so that its buffers stay within kBlockBudget (psqlODBC
  // declares every `text` column 8190 characters wide, so 1000 rows of a wide query would
  // otherwise take hundreds of MB).
  std::vector<Column> columns(count);
  std::size_t row_bytes = 0;
  for (SQLUSMALLINT i = 0; i < count; ++i) {
    SQLCHAR name[256] = {};
    SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
    SQLULEN size = 0;
    if (!ok(SQLDescribeCol(stmt_, i + 1, name, sizeof name, &name_length, &type, &size, &digits, &nullable)))
      return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "describing column " + std::to_string(i + 1)));
    columns[i] = {reinterpret_cast<char*>(name), type, text_width(type, size, max_cell_bytes)};
    row_bytes += columns[i].width + sizeof(SQLLEN);
  }
  constexpr std::size_t kBlockBudget = 8 << 20;
  block_rows = std::clamp<std::size_t>(kBlockBudget / row_bytes, 1, block_rows);
  columns_ = std::move(columns);
  buffers_.resize(count);
  lengths_.resize(count);
  block_rows_ = block_rows;
  SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_BIND_TYPE, SQL_BIND_BY_COLUMN, 0);
  SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(block_rows), 0);
  SQLSetStmtAttr(stmt_, SQL_ATTR_ROWS_FETCHED_PTR, &fetched_, 0);
  for (SQLUSMALLINT i = 0; i < count; ++i) {
    const Column& column = columns_[i];
    if (buffers_[i].size() < column.width * block_rows) buffers_[i].assign(column.width * block_rows, 0);
    lengths_[i].resize(block_rows);
    if (!ok(SQLBindCol(stmt_, i + 1, SQL_C_CHAR, buffers_[i].data(), static_cast<SQLLEN>(column.width),
                       reinterpret_cast<SQLLEN*>(lengths_[i].data()))))
      return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "binding column " + column.name));
  }
  return {};
}

Result<std::size_t> OdbcStatement::fetch() {
  if (!open_) return std::size_t{0};
  fetched_ = 0;
  SQLRETURN rc = SQLFetch(stmt_);
  if (rc == SQL_NO_DATA) {
    close();
    return std::size_t{0};
  }
  if (!ok(rc)) return fail(session_.diagnose(SQL_HANDLE_STMT, stmt_, "fetching rows"));
  if (rc == SQL_SUCCESS_WITH_INFO)
    if (auto checked = check_truncation(fetched_); !checked) return fail(checked.error());
  return static_cast<std::size_t>(fetched_);
}

Result<void> OdbcStatement::check_truncation(std::size_t rows) const {
  for (std::size_t c = 0; c < columns_.size(); ++c)
    for (std::size_t r = 0; r < rows; ++r) {
      std::int64_t length = lengths_[c][r];
      if (length == SQL_NULL_DATA) continue;
      if (length == SQL_NO_TOTAL || static_cast<std::size_t>(length) >= columns_[c].width)
        return fail(ErrorKind::kPermanent,
                    "column " + columns_[c].name + " holds a value longer than " +
                        std::to_string(columns_[c].width - 1) +
                        " bytes; raise the connector's max_cell_bytes or shorten it in the query");
    }
  return {};
}

void OdbcStatement::close() {
  if (open_) SQLFreeStmt(stmt_, SQL_CLOSE);
  open_ = false;
}

std::optional<std::string_view> OdbcStatement::cell(std::size_t row, std::size_t column) const {
  std::int64_t length = lengths_[column][row];
  if (length == SQL_NULL_DATA) return std::nullopt;
  const char* data = buffers_[column].data() + row * columns_[column].width;
  return std::string_view(data, static_cast<std::size_t>(length));
}

}  // namespace arsync
