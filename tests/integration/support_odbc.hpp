// ODBC integration-test support: the erp-sim company loaded into a real PostgreSQL AR database
// (tests/fixtures/odbc/ar_schema.sql), and an arsync deployment that reads it through the `odbc`
// connector with etc/mappings/examples/odbc/arsync.example.yaml — the example file itself, its
// ${...} knobs set through the environment. Owned by the ODBC connector work.
// Thread contract: one per test.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"
#include "tests/support/postgres_process.hpp"

namespace arsync::test {

// Creates the AR schema in `pg` and loads every customer, contact, invoice, line, payment,
// credit memo and application that `sim` serves (read page by page, numbers kept exact) with
// COPY. Returns the number of invoices loaded.
std::int64_t load_company(const PostgresProcess& pg, const ErpSimProcess& sim);

class OdbcDeployment {
 public:
  // `env` sets the example config's knobs, e.g. {"ODBC_FETCH_SIZE", "7"}, {"ODBC_OVERLAP", "0s"}.
  // With `top_extra` (more top-level YAML: server:, portal:, outbox:), the deployment runs a copy
  // of the example file with it appended, the mappings still the examples'.
  explicit OdbcDeployment(const PostgresProcess& pg, std::map<std::string, std::string> env = {},
                          const std::string& top_extra = {});

  std::filesystem::path mirror() const { return dir_ / "mirror.db"; }
  static std::filesystem::path example();  // the example file
  const std::filesystem::path& config() const { return config_; }

  SyncDeployment::Run run(std::vector<std::string> args,
                          std::chrono::milliseconds timeout = std::chrono::minutes(10)) const;
  std::unique_ptr<ChildProcess> start(std::vector<std::string> args) const;

 private:
  TempDir dir_;
  std::filesystem::path config_;
  std::vector<std::pair<std::string, std::string>> env_;
};

}  // namespace arsync::test
