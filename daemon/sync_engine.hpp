// Sync engine: runs one (connector, stream) from its committed cursor to the end of what the ERP
// has (DESIGN §4 "Pull").
//
// Two threads per running stream: a reader pulls and maps pages (network + JSON + mapping) one
// page ahead, and the calling thread — the mirror's single writer — commits each page with its
// rejects, run counters and cursor in one transaction. A crash at any point therefore replays
// at most the page that was being written, and replaying it changes nothing. The queue between
// them holds at most two pages, so memory stays flat whatever the stream's size.
//
// Three kinds of run share that machinery:
//   pull       the delta from the committed cursor; each page commits the new cursor with it.
//   reconcile  a full key scan (DESIGN §4 "Deletes"): the connector reads the stream from an
//              empty cursor, the stream's cursor is left alone, every row seen is stamped with
//              the run's generation, and only a scan that read to the end sweeps (tombstones)
//              the source's rows of that entity it did not see.
//   targeted   the records a thin webhook named, read by id in the connector's batch size;
//              the cursor moves neither way and no sync run is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "connectors/connector.hpp"
#include "mapping/mapping.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

enum class RunKind { kPull, kReconcile, kTargeted };
const char* to_string(RunKind kind);

struct StreamStats {
  std::string source, stream;
  RunKind kind = RunKind::kPull;
  std::int64_t tombstoned = 0;  // reconcile: rows the sweep tombstoned
  std::int64_t records = 0, pages = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
  std::chrono::steady_clock::duration elapsed{};
  std::optional<Error> error;  // why the run stopped early; nullopt when it reached the end
  // After a run of the daemon: how many items the connector has set aside for an operator
  // (Connector::quarantined(), e.g. dropdir's failed/ files); nullopt when not asked.
  std::optional<std::size_t> quarantined;
};

struct SyncTarget {
  Connector& connector;
  const Mapping& mapping;
  std::string source;  // the connector's name
  std::string stream;
};

// Called after each committed page, on the writer thread.
using ProgressFn = std::function<void(const StreamStats&)>;

StreamStats sync_stream(MirrorStore& store, const SyncTarget& target, std::stop_token stop,
                        const ProgressFn& progress = {});
StreamStats reconcile_stream(MirrorStore& store, const SyncTarget& target, std::stop_token stop);
// Requires target.connector.max_ids_per_pull(stream) > 0 (else the run fails with kInvalidInput).
StreamStats pull_ids(MirrorStore& store, const SyncTarget& target, const std::vector<std::string>& ids,
                     std::stop_token stop);

}  // namespace arsync
