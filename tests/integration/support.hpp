// Integration-test support: a scratch arsync deployment (config + mirror in a temp dir) pointed
// at a running erp-sim, a way to run the real `arsync` binary against it, and the check that
// the mirror holds exactly what erp-sim serves (counts and exact money sums per currency).
// Thread contract: one per test.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/erp_sim_process.hpp"
#include "tests/support/sql_binds.hpp"

namespace arsync::test {

// What `arsync run` needs beyond a one-shot sync.
struct DaemonSettings {
  std::string webhook_secret;  // non-empty: the connector takes hmac-sha256 webhooks
  std::string poll = "60s";    // every stream's poll interval
  std::string server_extra;    // more `server:` options, YAML lines indented by 2
  bool copy_mappings = false;  // mappings copied into the deployment, so a test can break them
  std::string stream_extra;    // more options for every stream, YAML lines indented by 8
  std::map<std::string, std::string> stream_options;  // stream -> more YAML options for it, indented by 8
  std::string top_extra;       // more top-level YAML (portal:, outbox:), lines not indented
};

class SyncDeployment {
 public:
  // Writes arsync.yaml for the demo mappings against `sim`; `connector_options` are added to
  // (or replace) the demo connector's options, e.g. {"backoff_base", "5ms"}.
  explicit SyncDeployment(const ErpSimProcess& sim, std::map<std::string, std::string> connector_options = {},
                          const DaemonSettings& daemon = {});
  // Where the stream's mapping file is (in the deployment when copied).
  std::filesystem::path mapping(const std::string& file) const;

  const std::filesystem::path& config() const { return config_; }
  std::filesystem::path mirror() const { return dir_ / "mirror.db"; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Runs `arsync --config <config> args...` to completion (or `timeout`, then fails the test).
  struct Run {
    ExitStatus status;
    std::string out, err;
  };
  Run run(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::minutes(5)) const;
  // Starts arsync without waiting, for crash tests.
  std::unique_ptr<ChildProcess> start(std::vector<std::string> args) const;

 private:
  TempDir dir_;
  std::filesystem::path config_;
  std::filesystem::path mappings_;
};

// Read-only queries on a mirror file; `binds` are the values of the query's `?` placeholders.
class MirrorQuery {
 public:
  explicit MirrorQuery(const std::filesystem::path& mirror);
  ~MirrorQuery();
  MirrorQuery(const MirrorQuery&) = delete;
  MirrorQuery& operator=(const MirrorQuery&) = delete;

  std::int64_t scalar(const std::string& sql, const SqlBinds& binds = {}) const;
  // Rows of (text key, integer value): e.g. SELECT currency, sum(total) ... GROUP BY currency.
  std::map<std::string, std::int64_t> pairs(const std::string& sql, const SqlBinds& binds = {}) const;
  std::string text(const std::string& sql, const SqlBinds& binds = {}) const;

 private:
  ::sqlite3_stmt* prepare(const std::string& sql, const SqlBinds& binds) const;

  ::sqlite3* db_ = nullptr;
};

// Checks (doctest CHECKs) that the mirror holds exactly what `sim` serves now: per entity the
// row count, per currency the money sums, the line/contact/application counts, no duplicate
// natural keys, and SQLite's integrity check.
void check_mirror_matches_sim(const std::filesystem::path& mirror, const ErpSimProcess& sim);

}  // namespace arsync::test
