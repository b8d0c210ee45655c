// PortalWrites: the portal API's POST routes (DESIGN §1; docs/portal-api.md). The router
// (portal_api.hpp) authenticates the token and checks its write scope, then hands the request
// here with the token's name.
//
// handle() runs on the event loop and only parses: the request's shape is checked there (a
// 400 for unreadable JSON or a missing Idempotency-Key, a 422 listing every bad field). A
// well-formed write is queued for the writer thread, which stores it with its outbox item and
// its answer (schema/portal_write.hpp) and answers only once that is committed: a 201 means
// stored and queued for the ERP. The same Idempotency-Key again gets the same answer.
//
// Group commit (DESIGN §7): the writer takes everything queued meanwhile (up to kMaxGroup) and
// stores it as one group (MirrorStore::group_portal_writes): each write in its own savepoint,
// so a refused one gets its own 422 and undoes only itself, and one COMMIT, one fsync, for all.
// Then it answers them all; if that COMMIT fails, every write of the group gets a 503 and none
// of them was kept. Two requests with one key in a group: the second replays the first.
//
// Thread-safe: handle() from the loop, stop() from anywhere.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/generation.hpp"
#include "daemon/http_server.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

class PortalWrites {
 public:
  using CurrentGeneration = std::function<std::shared_ptr<const Generation>()>;

  // `on_queued` is called (on the writer thread) after a write added an outbox item.
  PortalWrites(MirrorStore& store, CurrentGeneration current, std::function<void()> on_queued);
  ~PortalWrites();  // stop()s: what was accepted is still committed and answered
  PortalWrites(const PortalWrites&) = delete;
  PortalWrites& operator=(const PortalWrites&) = delete;

  void handle(const ServerRequest& request, std::string_view principal, Respond respond);
  void stop();

 private:
  // A parsed write: runs the store call for it on the writer thread.
  using Commit = std::function<Result<PortalWriteResult>(MirrorStore&, const ApiWrite&)>;
  struct Job {
    ApiWrite api;
    Commit commit;
    Respond respond;
  };
  void write_loop(std::stop_token stop);
  void commit_group(std::vector<Job>& group);
  void answer(Job& job, Result<PortalWriteResult> result);

  // Constant after construction
  MirrorStore& store_;
  const CurrentGeneration current_;
  const std::function<void()> on_queued_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Job> queue_;  // guarded by mutex_
  std::jthread writer_;    // last: starts after everything above exists
};

}  // namespace arsync
