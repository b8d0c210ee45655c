// Sync engine: runs one (connector, stream) from its committed cursor to the end of what the ERP
// has (DESIGN §4 "Pull").
//
// Two threads per running stream: a reader pulls and maps pages (network + JSON + mapping) one
// page ahead, and the calling thread — the mirror's single writer — commits each page with its
// rejects, run counters and cursor in one transaction. A crash at any point therefore replays
// at most the page that was being written, and replaying it changes nothing. The queue between
// them holds at most two pages, so memory stays flat whatever the stream's size.
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

struct StreamStats {
  std::string source, stream;
  std::int64_t records = 0, pages = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
  std::chrono::steady_clock::duration elapsed{};
  std::optional<Error> error;  // why the run stopped early; nullopt when it reached the end
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

}  // namespace arsync
