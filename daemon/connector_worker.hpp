// ConnectorWorker: the thread that runs one connector's sync runs for `arsync run`.
//
// A connector instance is used by one thread at a time, so each connector gets one worker
// that runs its due jobs one after another: delta pulls, reconcile passes and targeted reads
// of the ids thin webhooks named (sync_engine.hpp). A job asked for while the same job of the
// stream is queued or running is not queued again: runs never overlap, and ids asked for while
// a targeted read waits join it. Ids of a connector that cannot read by id, or more than
// kMaxWaitingIds waiting for one stream, turn into a delta pull of the stream instead. Each
// finished run is reported through `on_done`, called on the worker thread (the daemon posts it
// to its loop).
//
// Thread-safe: request(), request_ids() and stop() may be called from any thread.
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
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "daemon/sync_engine.hpp"

namespace arsync {

class ConnectorWorker {
 public:
  using DoneFn = std::function<void(const StreamStats&)>;
  static constexpr std::size_t kMaxWaitingIds = 1000;

  // `mappings`: stream name -> its mapping (owned by the daemon's current generation).
  ConnectorWorker(std::string name, std::unique_ptr<Connector> connector,
                  std::map<std::string, const Mapping*> mappings, MirrorStore& store, DoneFn on_done);
  ~ConnectorWorker();  // stop()s and joins
  ConnectorWorker(const ConnectorWorker&) = delete;
  ConnectorWorker& operator=(const ConnectorWorker&) = delete;

  // Queues a run of `stream` unless the same kind is queued or running. False for an unknown stream.
  bool request(const std::string& stream, RunKind kind = RunKind::kPull);
  // Queues a targeted read of `ids` of `stream` (see above). False for an unknown stream.
  bool request_ids(const std::string& stream, const std::vector<std::string>& ids);
  // Asks the running sync to stop after its current page and drops queued runs; join() waits.
  void stop();
  void join();
  bool busy() const;

 private:
  using Job = std::pair<std::string, RunKind>;
  bool enqueue(Job job);  // caller holds mutex_
  void run(std::stop_token stop);
  StreamStats run_job(const Job& job, std::stop_token stop);

  // Constant after construction
  const std::string name_;
  const std::unique_ptr<Connector> connector_;
  const std::map<std::string, const Mapping*> mappings_;
  MirrorStore& store_;
  const DoneFn on_done_;

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Job> queue_;                                // guarded by mutex_
  std::set<Job> pending_;                                // queued or running; guarded by mutex_
  std::map<std::string, std::set<std::string>> ids_;     // waiting targeted reads; guarded by mutex_
  std::jthread thread_;                                  // last: starts after everything above exists
};

}  // namespace arsync
