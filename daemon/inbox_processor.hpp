// InboxProcessor: turns committed webhook deliveries into mirror changes, on its own thread.
//
// For each pending delivery it reads the events with the connector's scheme and finds each
// event's stream. A fat event (the record itself) is mapped, validated and written as a page
// whose transaction also marks the delivery processed. A delete event tombstones the rows it
// names at once, in the transaction that marks the delivery processed. A thin event (ids only,
// as QuickBooks Online, Xero and Business Central send) asks the connector's worker for a
// targeted read of those ids (the worker falls back to the stream's delta pull when the
// connector cannot read by id). The delivery is marked processed once the read is asked for:
// should the process die before the read, the stream's next delta pull still brings the
// records, since their modification time moved. Events about entities no stream syncs are
// skipped. A delivery that cannot be read is retried
// a few times, then parked as failed for an operator.
//
// Thread-safe: wake() and stop() from anywhere.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "daemon/generation.hpp"
#include "daemon/metrics.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

class InboxProcessor {
 public:
  using CurrentGeneration = std::function<std::shared_ptr<const Generation>()>;
  // Asks for a targeted read of `ids` of (connector, stream), or for its delta pull when `ids`
  // is empty; called on the processor thread.
  using TriggerPull = std::function<void(const std::string& connector, const std::string& stream,
                                         const std::vector<std::string>& ids)>;

  // Marks deliveries that had nothing to write processed; returns once that is committed. The
  // daemon passes WebhookIntake::finish (the group committer); unset, the store is written directly.
  using FinishEvents = std::function<Result<void>(std::vector<std::int64_t> ids)>;

  InboxProcessor(MirrorStore& store, Metrics& metrics, CurrentGeneration current, TriggerPull trigger,
                 FinishEvents finish = {});
  ~InboxProcessor();
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  void wake();
  void stop();

 private:
  void run(std::stop_token stop);
  // Processes one delivery; returns true when it only asked for reads or was skipped (nothing to
  // write), so the caller marks it processed together with others in one transaction.
  bool process(const Generation& generation, const InboxItem& item);
  // Asks the workers for the reads the batch's thin events named: one request per stream, not
  // one per event (a storm of thin events is mostly the same few streams).
  void ask_for_reads();
  // Records a failed attempt (parked as failed after a few); returns false.
  bool fail_item(const InboxItem& item, const std::string& why);
  // Writes a delivery's mapped pages and tombstones; the last write marks it processed.
  bool write(const InboxItem& item, std::map<const StreamEntry*, PageWrite>& pages,
             const std::map<const StreamEntry*, std::vector<std::string>>& deletes, const Generation& generation);

  // Constant after construction
  MirrorStore& store_;
  Metrics& metrics_;
  const CurrentGeneration current_;
  const TriggerPull trigger_;
  const FinishEvents finish_;

  // Touched only on the processor thread: the reads the current batch asks for, by (connector,
  // stream); an empty set asks for the stream's delta pull.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> reads_;
  std::set<std::pair<std::string, std::string>> pulls_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool woken_ = false;   // guarded by mutex_
  std::jthread thread_;  // last: starts after everything above exists
};

}  // namespace arsync
