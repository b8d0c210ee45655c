// The private state of the running daemon (daemon.hpp), shared by the files that implement it:
// daemon.cpp (start-up, the loop, the HTTP routes), daemon_schedule.cpp (when each stream runs:
// poll, jitter, backoff, reconcile), daemon_metrics.cpp (the metrics it declares, updates and
// serves) and daemon_signals.cpp (SIGHUP reload, SIGTERM drain). Not part of the API.
//
// Thread contract: everything is touched on the loop thread (io_) except what a member's
// comment names: handle() and handle_webhook() run on the HTTP server's threads, which read
// draining_ and, through current(), generation_.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "daemon/connector_worker.hpp"
#include "daemon/generation.hpp"
#include "daemon/http_server.hpp"
#include "daemon/inbox_processor.hpp"
#include "daemon/metrics.hpp"
#include "daemon/outbox_worker.hpp"
#include "daemon/portal_api.hpp"
#include "daemon/portal_writes.hpp"
#include "daemon/service_notify.hpp"
#include "daemon/subscription_renewal.hpp"
#include "daemon/webhook_intake.hpp"

namespace arsync {

class Daemon {
 public:
  Daemon(std::filesystem::path config_file, std::shared_ptr<const Generation> generation,
         std::unique_ptr<MirrorStore> store)
      : config_file_(std::move(config_file)), generation_(std::move(generation)), store_(std::move(store)) {}

  int run();

 private:
  struct StreamState {
    std::unique_ptr<boost::asio::steady_timer> timer;
    int failures = 0;
    std::unique_ptr<boost::asio::steady_timer> reconcile_timer;  // null unless the stream has reconcile:
    int reconcile_failures = 0;
  };

  void declare_metrics();
  void start_workers();
  void start_outbox();
  void schedule(const std::string& connector, const std::string& stream, std::chrono::milliseconds delay);
  void schedule_reconcile(const std::string& connector, const StreamEntry& stream);
  void on_run_done(const StreamStats& stats);
  void on_reconcile_done(const StreamStats& stats, const StreamEntry& stream);
  void record_run_metrics(const StreamStats& stats);
  void trigger(const std::string& connector, const std::string& stream, RunKind kind = RunKind::kPull);
  void trigger_ids(const std::string& connector, const std::string& stream, const std::vector<std::string>& ids);
  // Called on the HTTP server's threads (see handle()).
  void handle(ServerRequest request, Respond respond);
  void handle_webhook(const std::string& path, const ServerRequest& request, Respond respond);
  // The other routes, on the loop thread.
  void handle_on_loop(const std::string& path, const std::string& route, const ServerRequest& request,
                      Respond respond);
  ServerResponse metrics_page();
  void watch_signals();
  void reload();
  void shutdown();
  // Stops the workers on a helper thread (a sync may need a moment to commit its page, and the
  // loop must keep answering meanwhile), then runs `then` on the loop.
  void retire_workers(std::function<void()> then);
  void keep_watchdog();

  // Constant after construction
  const std::filesystem::path config_file_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  // Touched only on the loop thread (generation_ is read by other threads through current())
  boost::asio::io_context io_;
  std::shared_ptr<const Generation> generation_;
  mutable std::mutex generation_mutex_;
  std::unique_ptr<MirrorStore> store_;
  Metrics metrics_;
  ServiceNotify notify_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<WebhookIntake> intake_;
  std::unique_ptr<PortalApi> portal_;
  std::unique_ptr<InboxProcessor> processor_;
  std::unique_ptr<SubscriptionRenewal> renewal_;
  std::unique_ptr<OutboxWorker> outbox_;
  std::unique_ptr<PortalWrites> portal_writes_;
  std::map<std::string, std::unique_ptr<ConnectorWorker>> workers_;
  std::map<std::pair<std::string, std::string>, StreamState> streams_;
  boost::asio::signal_set signals_{io_, SIGINT, SIGTERM, SIGHUP};
  boost::asio::steady_timer watchdog_{io_};
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<bool> draining_ = false;  // also read by the HTTP server's threads
  bool reloading_ = false;

  std::shared_ptr<const Generation> current() const {
    std::lock_guard lock(generation_mutex_);
    return generation_;
  }
};

}  // namespace arsync
