#include "daemon/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <iostream>
#include <random>
#include <thread>

#include "connectors/registry.hpp"
#include "daemon/commands.hpp"
#include "daemon/connector_worker.hpp"
#include "daemon/generation.hpp"
#include "daemon/http_server.hpp"
#include "daemon/inbox_processor.hpp"
#include "daemon/metrics.hpp"
#include "daemon/portal_api.hpp"
#include "daemon/outbox_worker.hpp"
#include "daemon/portal_writes.hpp"
#include "daemon/service_notify.hpp"
#include "daemon/subscription_renewal.hpp"
#include "daemon/webhook_intake.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 5s;
constexpr auto kMaxBackoff = std::chrono::minutes(15);
constexpr auto kStopGrace = 30s;

class Daemon {
 public:
  Daemon(std::filesystem::path config_file, std::shared_ptr<const Generation> generation,
         std::unique_ptr<MirrorStore> store)
      : config_file_(std::move(config_file)), generation_(std::move(generation)), store_(std::move(store)) {}

  int run();

 private:
  struct StreamState {
    std::unique_ptr<asio::steady_timer> timer;
    int failures = 0;
    std::unique_ptr<asio::steady_timer> reconcile_timer;  // null unless the stream has reconcile:
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
  asio::io_context io_;
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
  asio::signal_set signals_{io_, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer watchdog_{io_};
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<bool> draining_ = false;  // also read by the HTTP server's threads
  bool reloading_ = false;

  std::shared_ptr<const Generation> current() const {
    std::lock_guard lock(generation_mutex_);
    return generation_;
  }
};

int Daemon::run() {
  declare_metrics();
  start_outbox();
  portal_ = std::make_unique<PortalApi>(
      generation_->config.mirror, generation_->config.portal,
      [this](const ServerRequest& request, std::string_view principal, Respond respond) {
        if (draining_) return respond({503, "application/json", R"({"error":{"code":"ShuttingDown","message":"send it again shortly"}})", {{"Retry-After", "5"}}});
        portal_writes_->handle(request, principal, std::move(respond));
      });
  intake_ = std::make_unique<WebhookIntake>(*store_, metrics_, [this] { processor_->wake(); });
  processor_ = std::make_unique<InboxProcessor>(
      *store_, metrics_, [this] { return current(); },
      [this](const std::string& c, const std::string& s, const std::vector<std::string>& ids) {
        asio::post(io_, [this, c, s, ids] { ids.empty() ? trigger(c, s) : trigger_ids(c, s, ids); });
      },
      [this](std::vector<std::int64_t> ids) { return intake_->finish(std::move(ids)); });
  // Last of what requests reach: the server's threads call handle() as soon as it listens.
  server_ = std::make_unique<HttpServer>(
      generation_->config.server,
      [this](ServerRequest request, Respond respond) { handle(std::move(request), std::move(respond)); });
  auto port = server_->start();
  if (!port) {
    std::cerr << "arsync: " << port.error().describe() << '\n';
    return kExitUsage;
  }
  start_workers();
  renewal_ = std::make_unique<SubscriptionRenewal>(subscriptions_to_renew(generation_->config), metrics_);
  watch_signals();
  keep_watchdog();
  std::string listening = generation_->config.server.address + ":" + std::to_string(*port);
  log(LogLevel::kInfo, "daemon_ready",
      {{"listen", listening}, {"mirror", generation_->config.mirror.string()}});
  notify_.ready("syncing " + std::to_string(streams_.size()) + " stream(s); listening on " + listening);
  io_.run();
  server_.reset();  // its threads may still be in handle(): end them before what handle() uses
  log(LogLevel::kInfo, "daemon_stopped");
  return kExitOk;
}

void Daemon::declare_metrics() {
  using T = Metrics::Type;
  metrics_.declare("arsync_records_pulled_total", T::kCounter,
                   "Records pulled from the ERP, by connector and stream.");
  metrics_.declare("arsync_records_rejected_total", T::kCounter, "Records rejected (see the rejects table).");
  metrics_.declare("arsync_rows_written_total", T::kCounter, "Mirror rows inserted or updated.");
  metrics_.declare("arsync_sync_runs_total", T::kCounter,
                   "Sync runs by kind (pull, reconcile, targeted) and outcome (succeeded, failed, interrupted).");
  metrics_.declare("arsync_rows_tombstoned_total", T::kCounter,
                   "Mirror rows tombstoned, by how the delete was learnt (reconcile, webhook).");
  metrics_.declare("arsync_last_reconcile_timestamp_seconds", T::kGauge,
                   "When a stream's last reconcile pass succeeded (Unix time).");
  metrics_.declare("arsync_last_success_timestamp_seconds", T::kGauge,
                   "When a stream's last run succeeded (Unix time).");
  metrics_.declare("arsync_cursor_lag_seconds", T::kGauge,
                   "Now minus the stream's cursor (its newest ERP change).");
  metrics_.declare("arsync_sync_run_duration_seconds", T::kHistogram, "How long sync runs take.");
  metrics_.declare("arsync_inbox_depth", T::kGauge, "Webhook deliveries stored and not yet processed.");
  metrics_.declare(
      "arsync_webhook_deliveries_total", T::kCounter,
      "Webhook deliveries by connector and outcome (accepted, duplicate, rejected, challenge, ignored, "
      "error).");
  metrics_.declare("arsync_webhook_events_total", T::kCounter,
                   "Webhook events processed, by connector and how (mapped, pulled, skipped, failed).");
  metrics_.declare("arsync_quarantined_items", T::kGauge,
                   "Items a connector set aside for an operator (dropdir: files in failed/); see `arsync status`.");
  metrics_.declare("arsync_outbox_depth", T::kGauge,
                   "Outbox items by state (pending, in_flight, unknown, failed): portal writes not yet in the ERP.");
  metrics_.declare("arsync_outbox_pushes_total", T::kCounter,
                   "Outbox deliveries by connector, kind and outcome (done, pending = retry later, failed, unknown).");
  metrics_.declare("arsync_http_requests_total", T::kCounter, "HTTP requests by route and status.");
  metrics_.declare("arsync_http_request_duration_seconds", T::kHistogram, "HTTP request latency by route.");
  metrics_.declare("arsync_http_connections_refused_total", T::kCounter,
                   "Connections refused over max_connections.");
  metrics_.declare("arsync_http_timeouts_total", T::kCounter, "Slow clients cut off.");
  metrics_.declare("arsync_uptime_seconds", T::kGauge, "Seconds since the daemon started.");
  metrics_.declare("arsync_subscription_renewals_total", T::kCounter,
                   "Business Central webhook subscription renewals by connector and outcome (renewed, failed).");
  metrics_.declare("arsync_subscription_expiry_timestamp_seconds", T::kGauge,
                   "When Business Central said the connector's subscription expires (Unix time).");
}

void Daemon::start_workers() {
  ConnectorContext context;
  for (const ConnectorEntry& entry : generation_->config.connectors) {
    auto connector = entry.spec->create(entry.config, context);
    if (!connector) {
      log(LogLevel::kError, "connector_failed",
          {{"connector", entry.config.name}, {"error", connector.error().describe()}});
      continue;
    }
    std::map<std::string, const Mapping*> mappings;
    for (const StreamEntry& stream : entry.streams) mappings[stream.name] = &generation_->mapping(stream);
    workers_[entry.config.name] = std::make_unique<ConnectorWorker>(
        entry.config.name, std::move(*connector), std::move(mappings), *store_,
        [this](const StreamStats& stats) { asio::post(io_, [this, stats] { on_run_done(stats); }); });
    for (const StreamEntry& stream : entry.streams) {
      schedule(entry.config.name, stream.name, 0ms);
      if (stream.reconcile.count() > 0) schedule_reconcile(entry.config.name, stream);
    }
  }
}

// The next reconcile is due `reconcile` after the last successful one, so restarts do not
// rescan; a stream never reconciled is due now (queued behind its first pull).
void Daemon::schedule_reconcile(const std::string& connector, const StreamEntry& stream) {
  std::chrono::milliseconds delay{0};
  if (auto last = store_->last_reconciled(connector, stream.name); last && *last)
    if (auto at = parse_iso8601(**last)) {
      auto since = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() - *at);
      delay = std::max(std::chrono::milliseconds{0}, stream.reconcile - since);
    }
  StreamState& state = streams_[{connector, stream.name}];
  if (!state.reconcile_timer) state.reconcile_timer = std::make_unique<asio::steady_timer>(io_);
  state.reconcile_timer->expires_after(delay);
  state.reconcile_timer->async_wait([this, connector, name = stream.name](boost::system::error_code ec) {
    if (!ec && !draining_) trigger(connector, name, RunKind::kReconcile);
  });
}

// Items a dead process left in_flight become unknown (looked up before any re-send), then the
// worker starts delivering; portal writes wake it as they commit.
void Daemon::start_outbox() {
  if (auto recovered = store_->recover_outbox(); !recovered)
    log(LogLevel::kError, "outbox_recover_failed", {{"error", recovered.error().describe()}});
  else if (*recovered > 0)
    log(LogLevel::kWarn, "outbox_recovered", {{"unknown", static_cast<long long>(*recovered)}});
  outbox_ = std::make_unique<OutboxWorker>(*store_, metrics_, [this] { return current(); }, ConnectorContext{},
                                           generation_->config.outbox);
  portal_writes_ = std::make_unique<PortalWrites>(*store_, [this] { return current(); }, [this] { outbox_->wake(); });
}

void Daemon::schedule(const std::string& connector, const std::string& stream,
                      std::chrono::milliseconds delay) {
  StreamState& state = streams_[{connector, stream}];
  if (!state.timer) state.timer = std::make_unique<asio::steady_timer>(io_);
  state.timer->expires_after(delay);
  state.timer->async_wait([this, connector, stream](boost::system::error_code ec) {
    if (!ec && !draining_) trigger(connector, stream);
  });
}

void Daemon::trigger(const std::string& connector, const std::string& stream, RunKind kind) {
  if (draining_ || reloading_) return;
  if (auto worker = workers_.find(connector); worker != workers_.end()) worker->second->request(stream, kind);
}

void Daemon::trigger_ids(const std::string& connector, const std::string& stream,
                         const std::vector<std::string>& ids) {
  if (draining_ || reloading_) return;
  if (auto worker = workers_.find(connector); worker != workers_.end()) worker->second->request_ids(stream, ids);
}

void Daemon::on_run_done(const StreamStats& stats) {
  record_run_metrics(stats);
  if (draining_ || reloading_) return;
  const ConnectorEntry* connector = generation_->config.find_connector(stats.source);
  if (!connector) return;
  auto stream = std::find_if(connector->streams.begin(), connector->streams.end(),
                             [&](const StreamEntry& s) { return s.name == stats.stream; });
  if (stream == connector->streams.end()) return;
  if (stats.kind == RunKind::kReconcile) return on_reconcile_done(stats, *stream);
  if (stats.kind == RunKind::kTargeted) return;  // the poll schedule is the delta pull's
  StreamState& state = streams_[{stats.source, stats.stream}];
  std::chrono::milliseconds delay = stream->poll;
  if (stats.error) {
    ++state.failures;
    auto backoff = kFirstBackoff * (1LL << std::min(state.failures - 1, 10));
    delay = std::min<std::chrono::milliseconds>(backoff, kMaxBackoff);
  } else {
    state.failures = 0;
    std::uniform_int_distribution<long long> jitter(0, delay.count() / 10);
    delay += std::chrono::milliseconds{jitter(rng_)};
  }
  schedule(stats.source, stats.stream, delay);
  notify_.status(stats.source + "/" + stats.stream + (stats.error ? " failed; retrying" : " synced") +
                 "; next in " + std::to_string(delay.count() / 1000) + " s");
}

void Daemon::on_reconcile_done(const StreamStats& stats, const StreamEntry& stream) {
  StreamState& state = streams_[{stats.source, stats.stream}];
  if (!state.reconcile_timer) return;
  std::chrono::milliseconds delay = stream.reconcile;
  if (stats.error) {
    ++state.reconcile_failures;
    auto backoff = kFirstBackoff * (1LL << std::min(state.reconcile_failures - 1, 10));
    delay = std::min<std::chrono::milliseconds>({backoff, kMaxBackoff, stream.reconcile});
  } else {
    state.reconcile_failures = 0;
  }
  state.reconcile_timer->expires_after(delay);
  state.reconcile_timer->async_wait([this, connector = stats.source, name = stats.stream](boost::system::error_code ec) {
    if (!ec && !draining_) trigger(connector, name, RunKind::kReconcile);
  });
  notify_.status(stats.source + "/" + stats.stream +
                 (stats.error ? " reconcile failed; retrying" : " reconciled (" + std::to_string(stats.tombstoned) +
                                                                     " tombstoned)"));
}

void Daemon::record_run_metrics(const StreamStats& stats) {
  Labels labels{{"connector", stats.source}, {"stream", stats.stream}};
  if (stats.quarantined)
    metrics_.set("arsync_quarantined_items", {{"connector", stats.source}}, static_cast<double>(*stats.quarantined));
  metrics_.add("arsync_records_pulled_total", labels, static_cast<double>(stats.records));
  metrics_.add("arsync_records_rejected_total", labels, static_cast<double>(stats.rejected));
  metrics_.add("arsync_rows_written_total", labels, static_cast<double>(stats.inserted + stats.updated));
  const char* outcome = !stats.error ? "succeeded" : draining_ || reloading_ ? "interrupted" : "failed";
  Labels run_labels = labels;
  run_labels.emplace_back("kind", to_string(stats.kind));
  run_labels.emplace_back("outcome", outcome);
  metrics_.add("arsync_sync_runs_total", run_labels);
  metrics_.observe("arsync_sync_run_duration_seconds", labels,
                   std::chrono::duration<double>(stats.elapsed).count());
  auto now = std::chrono::system_clock::now();
  double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (stats.kind == RunKind::kReconcile) {
    if (stats.error) return;
    Labels how = labels;
    how.emplace_back("how", "reconcile");
    metrics_.add("arsync_rows_tombstoned_total", how, static_cast<double>(stats.tombstoned));
    return metrics_.set("arsync_last_reconcile_timestamp_seconds", labels, now_seconds);
  }
  if (stats.kind == RunKind::kTargeted) return;
  if (!stats.error) metrics_.set("arsync_last_success_timestamp_seconds", labels, now_seconds);
  if (auto cursor = store_->cursor(stats.source, stats.stream); cursor && *cursor)
    if (auto at = parse_iso8601(**cursor))
      metrics_.set("arsync_cursor_lag_seconds", labels, std::chrono::duration<double>(now - *at).count());
}

void Daemon::handle(ServerRequest request, Respond respond) {
  auto started = std::chrono::steady_clock::now();
  std::string path(request.path());
  std::string route = path.rfind("/webhooks/", 0) == 0 ? "/webhooks"
                      : path == "/v1" || path.rfind("/v1/", 0) == 0 ? "/v1"
                                                                    : path;
  // Count and time every answer, whichever thread gives it.
  Respond counted = [this, route, started, respond = std::move(respond)](ServerResponse response) {
    bool known = route == "/healthz" || route == "/readyz" || route == "/metrics" || route == "/webhooks" ||
                 route == "/v1";
    Labels labels{{"route", known ? route : "other"}};
    metrics_.observe("arsync_http_request_duration_seconds", labels,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    labels.emplace_back("status", std::to_string(response.status));
    metrics_.add("arsync_http_requests_total", labels);
    respond(std::move(response));
  };

  // Webhooks are verified and queued right on the server's threads (HMAC and parsing spread
  // over them; the intake is thread-safe); the other routes touch the loop's state, so they
  // go to the loop.
  if (route == "/webhooks") return handle_webhook(path, request, std::move(counted));
  asio::post(io_, [this, path, route, request = std::move(request), counted = std::move(counted)]() mutable {
    handle_on_loop(path, route, request, std::move(counted));
  });
}

void Daemon::handle_webhook(const std::string& path, const ServerRequest& request, Respond respond) {
  std::string connector = path.substr(std::string("/webhooks/").size());
  if (draining_)
    return respond({503, "text/plain", "shutting down; send it again later\n", {{"Retry-After", "5"}}});
  auto generation = current();  // keeps the scheme alive through verification (a reload may swap it)
  auto scheme = generation->schemes.find(connector);
  if (scheme == generation->schemes.end())
    return respond({404, "text/plain", "no connector '" + connector + "' takes webhooks here\n", {}});
  intake_->handle(connector, *scheme->second, request, std::move(respond));
}

void Daemon::handle_on_loop(const std::string& path, const std::string& route, const ServerRequest& request,
                            Respond counted) {
  if (path == "/healthz") return counted({200, "text/plain", "ok\n", {}});
  if (path == "/readyz") {
    bool ready = !draining_ && !workers_.empty();
    return counted({ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n", {}});
  }
  if (path == "/metrics") return counted(metrics_page());
  if (route == "/v1") return portal_->handle(request, std::move(counted));
  counted({404, "text/plain", "not found: try /healthz, /readyz, /metrics or /webhooks/CONNECTOR\n", {}});
}

ServerResponse Daemon::metrics_page() {
  if (auto depth = store_->inbox_depth()) metrics_.set("arsync_inbox_depth", {}, static_cast<double>(*depth));
  if (auto counts = store_->outbox_counts()) {
    metrics_.set("arsync_outbox_depth", {{"state", "pending"}}, static_cast<double>(counts->pending));
    metrics_.set("arsync_outbox_depth", {{"state", "in_flight"}}, static_cast<double>(counts->in_flight));
    metrics_.set("arsync_outbox_depth", {{"state", "unknown"}}, static_cast<double>(counts->unknown));
    metrics_.set("arsync_outbox_depth", {{"state", "failed"}}, static_cast<double>(counts->failed));
  }
  const ServerCounters& c = server_->counters();
  metrics_.set("arsync_http_connections_refused_total", {}, static_cast<double>(c.connections_refused));
  metrics_.set("arsync_http_timeouts_total", {}, static_cast<double>(c.timeouts));
  metrics_.set("arsync_uptime_seconds", {},
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render(), {}};
}

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

void Daemon::keep_watchdog() {
  auto interval = notify_.watchdog_interval();
  if (!interval) return;
  notify_.watchdog();
  watchdog_.expires_after(*interval);
  watchdog_.async_wait([this](boost::system::error_code ec) {
    if (!ec) keep_watchdog();
  });
}

}  // namespace

int run_daemon(const std::filesystem::path& config_file) {
  auto generation = load_generation(config_file);
  if (!generation) {
    for (const Error& e : generation.error()) std::cerr << e.describe() << '\n';
    return kExitUsage;
  }
  // A daemon acknowledges webhooks as stored: with synchronous=FULL a commit survives power
  // loss too, and group commits keep that from costing one fsync per request.
  auto store = MirrorStore::open((*generation)->config.mirror, {.synchronous_full = true});
  if (!store) {
    std::cerr << "arsync: cannot open the mirror: " << store.error().describe() << '\n';
    return kExitMirror;
  }
  Daemon daemon(config_file, std::move(*generation), std::move(*store));
  return daemon.run();
}

}  // namespace arsync
