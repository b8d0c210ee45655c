// ConnectorWorker: the thread that runs one connector's sync runs for `arsync run`.
//
// A connector instance is used by one thread at a time, so each connector gets one worker
// that runs its due streams one after another. A stream asked for while it is queued or
// running is not queued again: runs of one stream never overlap. Each finished run is
// reported through `on_done`, called on the worker thread (the daemon posts it to its loop).
//
// Thread-safe: request() and stop() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

#include "connectors/connector.hpp"
#include "daemon/sync_engine.hpp"

namespace arsync {

class ConnectorWorker {
 public:
  using DoneFn = std::function<void(const StreamStats&)>;

  // `mappings`: stream name -> its mapping (owned by the daemon's current generation).
  ConnectorWorker(std::string name, std::unique_ptr<Connector> connector,
                  std::map<std::string, const Mapping*> mappings, MirrorStore& store, DoneFn on_done);
  ~ConnectorWorker();  // stop()s and joins
  ConnectorWorker(const ConnectorWorker&) = delete;
  ConnectorWorker& operator=(const ConnectorWorker&) = delete;

  // Queues a run of `stream` unless one is queued or running. False for an unknown stream.
  bool request(const std::string& stream);
  // Asks the running sync to stop after its current page and drops queued runs; join() waits.
  void stop();
  void join();
  bool busy() const;

 private:
  void run(std::stop_token stop);

  // Constant after construction
  const std::string name_;
  const std::unique_ptr<Connector> connector_;
  const std::map<std::string, const Mapping*> mappings_;
  MirrorStore& store_;
  const DoneFn on_done_;

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::string> queue_;  // guarded by mutex_
  std::set<std::string> pending_;  // queued or running; guarded by mutex_
  std::jthread thread_;            // last: starts after everything above exists
};

}  // namespace arsync
