// WebhookIntake: takes ERP webhook deliveries from the HTTP server into the durable inbox.
//
// handle() runs on the event loop: the connector's scheme verifies the raw bytes (nothing is
// parsed before that), a challenge or rejection is answered at once, and an accepted delivery
// is queued for the committer thread. The committer writes everything queued in ONE
// transaction (a group commit: durability without an fsync per request) and only then answers
// each delivery, so a 2xx always means "stored"; a kill -9 after it loses nothing. A delivery
// already in the inbox (same event id) is answered 2xx and not stored twice.
//
// The committer is also where the inbox processor's bookkeeping goes (finish()): marking
// deliveries processed rides on the next group commits instead of taking the write lock and an
// fsync of its own between them, which stalled the acks queued behind it.
//
// Thread-safe: handle() (on the HTTP server's threads), finish() and stop() from anywhere.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "connectors/webhook.hpp"
#include "daemon/http_server.hpp"
#include "daemon/metrics.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

class WebhookIntake {
 public:
  // `on_committed` is called (on the committer thread) after each group commit that stored new events.
  WebhookIntake(MirrorStore& store, Metrics& metrics, std::function<void()> on_committed);
  ~WebhookIntake();  // stop()s: what is queued is still committed and answered
  WebhookIntake(const WebhookIntake&) = delete;
  WebhookIntake& operator=(const WebhookIntake&) = delete;

  void handle(const std::string& connector, const WebhookScheme& scheme, const ServerRequest& request,
              Respond respond);
  // Marks the deliveries `ids` processed in the coming group commits, a slice of each (so a
  // large batch never holds back the acks committed beside it), and returns once all are
  // committed. After stop() it writes them itself.
  Result<void> finish(std::vector<std::int64_t> ids);
  void stop();

 private:
  struct Pending {
    InboxEvent event;
    int status;
    Respond respond;
  };
  // One finish() call: its ids are committed a slice at a time; `done` is set after the last.
  struct Finishing {
    std::vector<std::int64_t> ids;
    std::size_t next = 0;  // ids before it are in a commit already
    Result<void> outcome;  // the first failed slice's error, if any
    std::promise<Result<void>> done;
  };
  void commit_loop(std::stop_token stop);
  // Takes the next slice of finish() ids, at most `limit` (caller holds mutex_); `from` gets the
  // calls they belong to.
  std::vector<std::int64_t> take_finished(std::size_t limit, std::vector<std::shared_ptr<Finishing>>& from);
  void commit(std::deque<Pending> batch, const std::vector<std::int64_t>& finished,
              const std::vector<std::shared_ptr<Finishing>>& from);

  // Constant after construction
  MirrorStore& store_;
  Metrics& metrics_;
  const std::function<void()> on_committed_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Pending> queue_;                          // guarded by mutex_
  std::deque<std::shared_ptr<Finishing>> finishing_;   // guarded by mutex_
  bool closed_ = false;                                // the committer has ended; guarded by mutex_
  std::jthread committer_;                             // last: starts after everything above exists
};

}  // namespace arsync
