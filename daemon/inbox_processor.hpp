// InboxProcessor: turns committed webhook deliveries into mirror changes, on its own thread.
//
// For each pending delivery it reads the events with the connector's scheme and finds each
// event's stream. A fat event (the record itself) is mapped, validated and written as a page
// whose transaction also marks the delivery processed. A thin event (ids only, as QuickBooks
// Online, Xero and Business Central send) triggers a pull of its stream: the delta read from
// the committed cursor brings the changed records, since their modification time moved.
// Events about entities no stream syncs are skipped. A delivery that cannot be read is retried
// a few times, then parked as failed for an operator.
//
// Thread-safe: wake() and stop() from anywhere.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "daemon/generation.hpp"
#include "daemon/metrics.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

class InboxProcessor {
 public:
  using CurrentGeneration = std::function<std::shared_ptr<const Generation>()>;
  // Asks for a pull of (connector, stream); called on the processor thread.
  using TriggerPull = std::function<void(const std::string& connector, const std::string& stream)>;

  InboxProcessor(MirrorStore& store, Metrics& metrics, CurrentGeneration current, TriggerPull trigger);
  ~InboxProcessor();
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  void wake();
  void stop();

 private:
  void run(std::stop_token stop);
  // Processes one delivery; returns true when it only triggered pulls or was skipped (nothing to
  // write), so the caller marks it processed together with others in one transaction.
  bool process(const Generation& generation, const InboxItem& item);

  // Constant after construction
  MirrorStore& store_;
  Metrics& metrics_;
  const CurrentGeneration current_;
  const TriggerPull trigger_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool woken_ = false;   // guarded by mutex_
  std::jthread thread_;  // last: starts after everything above exists
};

}  // namespace arsync
