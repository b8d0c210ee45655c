// The running daemon's signals (daemon_impl.hpp). SIGHUP: the new config and every mapping are
// validated before anything stops, and the running set is kept if any of it is wrong; else the
// workers finish their current page and the new generation starts. SIGTERM/SIGINT: stop
// accepting, let running syncs commit their page, answer the accepted webhooks, exit 0 — or
// give up after kStopGrace (runs left `running` are marked interrupted at the next start).
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <thread>

#include "daemon/commands.hpp"
#include "daemon/daemon_impl.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kStopGrace = 30s;

}  // namespace

void Daemon::watch_signals() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload();
      watch_signals();
    } else {
      shutdown();
    }
  });
}

void Daemon::reload() {
  if (draining_ || reloading_) return;
  notify_.reloading();
  auto next = load_generation(config_file_);
  if (!next) {
    for (const Error& e : next.error()) log(LogLevel::kError, "reload_refused", {{"problem", e.describe()}});
    notify_.status("reload refused (" + std::to_string(next.error().size()) +
                   " problem(s)); running set kept");
    notify_.ready("running; last reload refused");
    return;
  }
  reloading_ = true;
  retire_workers([this, next = std::move(*next)] {
    {
      std::lock_guard lock(generation_mutex_);
      generation_ = next;
    }
    portal_->set_tokens(next->config.portal.tokens);
    streams_.clear();
    reloading_ = false;
    start_workers();
    renewal_ = std::make_unique<SubscriptionRenewal>(subscriptions_to_renew(generation_->config), metrics_);
    log(LogLevel::kInfo, "reloaded", {{"streams", static_cast<long long>(streams_.size())}});
    notify_.ready("reloaded; syncing " + std::to_string(streams_.size()) + " stream(s)");
  });
}

void Daemon::shutdown() {
  if (draining_) return;
  draining_ = true;
  log(LogLevel::kInfo, "daemon_stopping");
  notify_.stopping("stopping: committing current pages");
  server_->stop();
  for (auto& [key, state] : streams_) {
    if (state.timer) state.timer->cancel();
    if (state.reconcile_timer) state.reconcile_timer->cancel();
  }
  auto grace = std::make_shared<asio::steady_timer>(io_, kStopGrace);
  grace->async_wait([](boost::system::error_code ec) {
    if (ec) return;
    log(LogLevel::kError, "stop_grace_exceeded", {{"seconds", static_cast<long long>(kStopGrace.count())}});
    std::_Exit(kExitOk);  // runs left `running` are marked interrupted at the next start
  });
  retire_workers([this, grace] {
    intake_->stop();  // commits and answers what it accepted
    portal_writes_->stop();
    outbox_->stop();  // records the outcome of what it is sending
    processor_->stop();
    renewal_.reset();
    grace->cancel();
    signals_.cancel();
    watchdog_.cancel();
    // Let the answers just posted be written before the loop ends.
    auto last = std::make_shared<asio::steady_timer>(io_, 100ms);
    last->async_wait([this, last](boost::system::error_code) { io_.stop(); });
  });
}

void Daemon::retire_workers(std::function<void()> then) {
  for (auto& [name, worker] : workers_) worker->stop();
  auto retired =
      std::make_shared<std::map<std::string, std::unique_ptr<ConnectorWorker>>>(std::move(workers_));
  workers_.clear();
  std::thread([this, retired, then = std::move(then)]() mutable {
    retired->clear();  // joins each worker after its current page
    asio::post(io_, std::move(then));
  }).detach();
}

}  // namespace arsync
