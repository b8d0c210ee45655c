#include "tests/integration/support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>
#include <stdexcept>

#include "schema/money.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace arsync::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStreams[][3] = {
    {"customers", "customers", "customers.yaml"},
    {"invoices", "invoices", "invoices.yaml"},
    {"credit_memos", "creditMemos", "credit_memos.yaml"},
    {"payments", "payments", "payments.yaml"},
};

// The demo's push-only streams (what the portal creates and the ERP only receives): no poll,
// no stream_extra (reconcile: would refuse them), each looked up by its key.
constexpr const char* kPushStreams[][3] = {
    {"disputes", "disputes", "disputes.yaml"},
    {"promises_to_pay", "promisesToPay", "promises_to_pay.yaml"},
    {"messages", "messages", "messages.yaml"},
    {"credit_requests", "creditRequests", "credit_requests.yaml"},
};

// A stats sum object {"USD":"123.45",...} as minor units per currency.
std::map<std::string, std::int64_t> sums(const nlohmann::json& object) {
  std::map<std::string, std::int64_t> out;
  for (auto& [currency, value] : object.items()) {
    auto exponent = currency_exponent(currency);
    REQUIRE(exponent);
    out[currency] = decimal_to_minor(value.get<std::string>(), *exponent);
  }
  return out;
}

std::int64_t count(const nlohmann::json& value) {
  return is_exact_number(value) ? exact_integer(value) : value.get<std::int64_t>();
}

}  // namespace

SyncDeployment::SyncDeployment(const ErpSimProcess& sim, std::map<std::string, std::string> connector_options,
                               const DaemonSettings& daemon)
    : dir_("arsync-it"), config_(dir_ / "arsync.yaml") {
  std::map<std::string, std::string> options = {{"base_url", sim.base_url() + "/odata"},
                                                {"page_size", "500"},
                                                {"overlap", "5s"},
                                                {"timeout", "30s"},
                                                {"retries", "10"},
                                                {"backoff_base", "20ms"},
                                                {"backoff_max", "500ms"}};
  for (auto& [k, v] : connector_options) options[k] = v;
  mappings_ = fs::path(ARSYNC_SOURCE_DIR) / "etc/mappings/demo";
  if (daemon.copy_mappings) {
    fs::create_directories(dir_ / "mappings");
    for (auto& stream : kStreams) fs::copy_file(mappings_ / stream[2], dir_ / "mappings" / stream[2]);
    for (auto& stream : kPushStreams) fs::copy_file(mappings_ / stream[2], dir_ / "mappings" / stream[2]);
    mappings_ = dir_ / "mappings";
  }
  std::ofstream out(config_);
  out << "mirror: " << mirror().string() << "\n";
  out << "server:\n  listen: 127.0.0.1:0\n" << daemon.server_extra;
  out << "connectors:\n  - name: demo\n    type: json-http\n";
  for (auto& [k, v] : options) out << "    " << k << ": \"" << v << "\"\n";
  if (!daemon.webhook_secret.empty())
    out << "    webhook:\n      scheme: hmac-sha256\n      secret: \"" << daemon.webhook_secret << "\"\n";
  out << "    streams:\n";
  for (auto& stream : kStreams)
    out << "      - name: " << stream[0] << "\n        path: " << stream[1]
        << "\n        poll: " << daemon.poll << "\n        mapping: " << (mappings_ / stream[2]).string()
        << "\n"
        << daemon.stream_extra
        << (daemon.stream_options.contains(stream[0]) ? daemon.stream_options.at(stream[0]) : "");
  for (auto& stream : kPushStreams)
    out << "      - name: " << stream[0] << "\n        path: " << stream[1]
        << "\n        mapping: " << (mappings_ / stream[2]).string() << "\n        lookup: \"" << stream[1]
        << "?$filter=idempotencyKey eq '{key}'\"\n"
        << (daemon.stream_options.contains(stream[0]) ? daemon.stream_options.at(stream[0]) : "");
  out << daemon.top_extra;
}

fs::path SyncDeployment::mapping(const std::string& file) const { return mappings_ / file; }

std::unique_ptr<ChildProcess> SyncDeployment::start(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--config", config_.string()});
  return std::make_unique<ChildProcess>(ChildOptions{ARSYNC_BIN, std::move(args), {}, dir_.path()});
}

SyncDeployment::Run SyncDeployment::run(std::vector<std::string> args,
                                        std::chrono::milliseconds timeout) const {
  auto child = start(std::move(args));
  auto status = child->wait(timeout);
  if (!status) {
    child->kill(SIGKILL);
    FAIL("arsync did not finish in time; stderr:\n" << child->stderr_text());
  }
  return {*status, child->stdout_text(), child->stderr_text()};
}

MirrorQuery::MirrorQuery(const fs::path& mirror) {
  if (sqlite3_open_v2(mirror.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + mirror.string());
}

MirrorQuery::~MirrorQuery() { sqlite3_close(db_); }

sqlite3_stmt* MirrorQuery::prepare(const std::string& sql, const SqlBinds& binds) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
  try {
    bind_sqlite(stmt, binds);
  } catch (...) {
    sqlite3_finalize(stmt);
    throw;
  }
  return stmt;
}

std::int64_t MirrorQuery::scalar(const std::string& sql, const SqlBinds& binds) const {
  sqlite3_stmt* stmt = prepare(sql, binds);
  std::int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  return value;
}

std::string MirrorQuery::text(const std::string& sql, const SqlBinds& binds) const {
  sqlite3_stmt* stmt = prepare(sql, binds);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return value;
}

std::map<std::string, std::int64_t> MirrorQuery::pairs(const std::string& sql, const SqlBinds& binds) const {
  sqlite3_stmt* stmt = prepare(sql, binds);
  std::map<std::string, std::int64_t> out;
  while (sqlite3_step(stmt) == SQLITE_ROW)
    out[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] = sqlite3_column_int64(stmt, 1);
  sqlite3_finalize(stmt);
  return out;
}

void check_mirror_matches_sim(const fs::path& mirror, const ErpSimProcess& sim) {
  auto reply = http_request("GET", "127.0.0.1", sim.port(), "/admin/stats");
  REQUIRE(reply.status == 200);
  auto stats = parse_exact(reply.body);
  MirrorQuery q(mirror);
  auto live = [](const char* table) {
    return std::string("SELECT count(*) FROM ") + table + " WHERE deleted = 0";
  };
  auto by_currency = [](const char* column, const char* table) {
    return std::string("SELECT currency, sum(") + column + ") FROM " + table +
           " WHERE deleted = 0 GROUP BY currency";
  };

  CHECK(q.text("PRAGMA integrity_check") == "ok");
  CHECK(q.scalar(live("customers")) == count(stats["customers"]["count"]));
  // Children of a tombstoned row stay with it (a record that reappears gets them replaced).
  CHECK(q.scalar("SELECT count(*) FROM contacts JOIN customers c ON c.id = customer_id WHERE c.deleted = 0") ==
        count(stats["customers"]["contacts"]));
  CHECK(q.scalar(live("invoices")) == count(stats["invoices"]["count"]));
  CHECK(q.scalar("SELECT count(*) FROM invoice_lines JOIN invoices i ON i.id = invoice_id WHERE i.deleted = 0") ==
        count(stats["invoices"]["lines"]));
  CHECK(q.pairs(by_currency("total", "invoices")) == sums(stats["invoices"]["total"]));
  CHECK(q.pairs(by_currency("balance", "invoices")) == sums(stats["invoices"]["remaining"]));
  CHECK(q.scalar(live("payments")) == count(stats["payments"]["count"]));
  CHECK(q.pairs(by_currency("amount", "payments")) == sums(stats["payments"]["amount"]));
  CHECK(q.pairs(by_currency("unapplied", "payments")) == sums(stats["payments"]["unapplied"]));
  CHECK(q.scalar(live("credit_memos")) == count(stats["creditMemos"]["count"]));
  CHECK(q.pairs(by_currency("total", "credit_memos")) == sums(stats["creditMemos"]["total"]));
  CHECK(q.pairs(by_currency("remaining", "credit_memos")) == sums(stats["creditMemos"]["remaining"]));
  // The natural key is UNIQUE in the schema; this guards against a migration ever losing it.
  for (const char* table : {"customers", "invoices", "payments", "credit_memos"})
    CHECK(q.scalar(std::string("SELECT count(*) - count(DISTINCT source || '/' || erp_id) FROM ") + table) ==
          0);
}

}  // namespace arsync::test
