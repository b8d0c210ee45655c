// WebhookIntake: takes ERP webhook deliveries from the HTTP server into the durable inbox.
//
// handle() runs on the event loop: the connector's scheme verifies the raw bytes (nothing is
// parsed before that), a challenge or rejection is answered at once, and an accepted delivery
// is queued for the committer thread. The committer writes everything queued in ONE
// transaction (a group commit: durability without an fsync per request) and only then answers
// each delivery, so a 2xx always means "stored"; a kill -9 after it loses nothing. A delivery
// already in the inbox (same event id) is answered 2xx and not stored twice.
//
// Thread-safe: handle() from the loop, stop() from anywhere.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
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
  void stop();

 private:
  struct Pending {
    InboxEvent event;
    int status;
    Respond respond;
  };
  void commit_loop(std::stop_token stop);
  void commit(std::deque<Pending> batch);

  // Constant after construction
  MirrorStore& store_;
  Metrics& metrics_;
  const std::function<void()> on_committed_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  std::jthread committer_;     // last: starts after everything above exists
};

}  // namespace arsync
