// The arsync commands behind the CLI (main.cpp parses arguments and calls one of these).
// Each returns the process exit code; messages go to stdout (results) and stderr (problems).
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>
#include <cstddef>
#include <cstdint>
#include <string>

namespace arsync {

// Documented in README.md ("Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitSyncFailed = 1,  // a stream could not be synced (ERP unreachable, refused, ...)
  kExitUsage = 2,       // bad command line, config or mapping
  kExitMirror = 3,      // the mirror could not be opened or written
};

struct SyncOnceOptions {
  std::filesystem::path config;
  std::optional<std::string> connector;  // only this connector
  std::optional<std::string> stream;     // only this stream
  bool quiet = false;                    // no summary
  // `arsync reconcile`: one reconcile pass (full key scan, tombstoning what the ERP no longer
  // has; sync_engine.hpp) of each selected stream that has a `reconcile:` schedule, instead of a
  // delta pull. Naming a stream without one is a usage error: its config never said a full scan
  // sees everything (a drop folder empties as it is read).
  bool reconcile = false;
};

int run_sync_once(const SyncOnceOptions& options, std::stop_token stop);
int run_status(const std::filesystem::path& config, bool json);
int run_check(const std::filesystem::path& config);
int run_migrate(const std::filesystem::path& config);
int run_resync(const std::filesystem::path& config, const std::string& connector, const std::string& stream);
// `arsync outbox list [--state S] [--limit N]`, `outbox retry ID`, `outbox cancel ID`.
int run_outbox_list(const std::filesystem::path& config, const std::optional<std::string>& state, std::size_t limit);
int run_outbox_change(const std::filesystem::path& config, std::int64_t id, bool retry);

}  // namespace arsync
