// postgres_process: a real, throw-away PostgreSQL 15 cluster for one test (the ODBC connector's
// tests and bench). initdb in a TempDir, postgres on 127.0.0.1 on a free port, the unix socket
// inside the temp dir, trust authentication; stopped (pg_ctl stop -m fast, then SIGKILL) and
// removed by the destructor.
// PostgreSQL refuses to run as root and CI runs as root: the data dir is chowned to the
// `postgres` user and every server binary runs through `runuser -u postgres --`. As a normal
// user the binaries run directly.
// Owned by the ODBC connector work (tests/support). Thread contract: owned by one test thread.
//
//   arsync::test::PostgresProcess pg;
//   pg.psql("CREATE TABLE t(id int)");
//   auto odbc = pg.connection_string();   // Driver={PostgreSQL Unicode};Server=127.0.0.1;...
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "tests/support/child_process.hpp"

namespace arsync::test {

class PostgresProcess {
 public:
  // Creates the cluster and database `database` (owner: role `arsync`, password `password`),
  // and starts the server. Throws std::runtime_error with the tool's output on failure.
  explicit PostgresProcess(std::string database = "erp", std::string password = "arsync-test-pw");
  ~PostgresProcess();
  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& database() const { return database_; }
  const std::string& password() const { return password_; }
  // A directory the server can read (for COPY ... FROM 'file').
  std::filesystem::path scratch() const { return dir_ / "scratch"; }
  // A psqlODBC connection string for role arsync; `extra` ("UseDeclareFetch=1;") is appended.
  std::string connection_string(std::string_view extra = {}) const;

  // Runs SQL (any number of statements) as the superuser in the test database with
  // ON_ERROR_STOP; returns psql's unaligned, tuples-only output. Throws on failure.
  // `values` are psql variables (-v name=value) that the SQL names as :'name': psql quotes each
  // as a literal, so no value is spliced into the SQL text.
  std::string psql(std::string_view sql, const std::map<std::string, std::string>& values = {}) const;

  // Stops and starts the server on the same port (every client connection dies).
  void restart();

 private:
  std::string psql_in(const std::string& database, std::string_view sql,
                      const std::map<std::string, std::string>& values) const;
  void run_tool(const std::string& tool, std::vector<std::string> args) const;
  void start();
  void stop();

  TempDir dir_;
  std::string database_, password_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace arsync::test
