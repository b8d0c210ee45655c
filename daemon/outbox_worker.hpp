// OutboxWorker: delivers the outbox to the ERPs, exactly once (DESIGN §4 Push; states and
// the crash argument in schema/outbox.hpp).
//
// `concurrency` threads each claim a few due items (committed in_flight before anything is
// sent), render each through its target stream's push mapping, send it through their own
// connector instance (a connector is used by one thread at a time) with the item's
// idempotency key, and record all the outcomes of the batch in one transaction:
//   delivered -> done (with the ERP's id); retry (429, 503, 408) -> pending, not before the
//   ERP's Retry-After or an exponential backoff with full jitter; reject (4xx, an error in a
//   2xx body, a mapping that cannot render the item) -> failed, with the ERP's words for an
//   operator; no answer -> unknown.
// An unknown item is looked up in the ERP by its key before it may be sent again: found ->
// done; certainly absent -> sent; the ERP cannot tell -> stays unknown and is asked again later.
// A profile change is compared, just before it is sent, with what the ERP changed meanwhile
// (mapping/profile_conflict.hpp); the mapping's conflict policy decides, the outcome is recorded.
//
// Thread-safe: wake() and stop() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "connectors/connector_spec.hpp"
#include "connectors/retry_policy.hpp"
#include "daemon/generation.hpp"
#include "daemon/metrics.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

// The canonical entity an outbox item of `kind` is pushed as ("payment" -> "payment",
// "profile_change" -> "customer"); "" for a kind arsync does not push.
std::string_view push_entity(std::string_view kind);

class OutboxWorker {
 public:
  using CurrentGeneration = std::function<std::shared_ptr<const Generation>()>;

  OutboxWorker(MirrorStore& store, Metrics& metrics, CurrentGeneration current, ConnectorContext context,
               OutboxSettings settings = {});
  ~OutboxWorker();  // stop()s and joins: items being sent get their outcome recorded first
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // A new item was committed: look now.
  void wake();
  void stop();

 private:
  struct Lane;  // one sending thread's connectors and random numbers
  void run(std::stop_token stop, Lane& lane);
  std::chrono::steady_clock::time_point next_look(const Lane& lane);
  OutboxOutcome deliver(const OutboxItem& item, Lane& lane, std::stop_token stop);
  static Result<void> render(PushRequest& request, const Mapping& mapping, const Entity& entity);
  void record(const OutboxItem& item, const OutboxOutcome& outcome);

  // Constant after construction
  MirrorStore& store_;
  Metrics& metrics_;
  const CurrentGeneration current_;
  const ConnectorContext context_;
  const OutboxSettings settings_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::uint64_t wakes_ = 0;  // guarded by mutex_
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::jthread> threads_;  // last: start after everything above exists
};

}  // namespace arsync
