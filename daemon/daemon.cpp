#include "daemon/daemon.hpp"

#include <boost/asio/post.hpp>
#include <iostream>

#include "connectors/registry.hpp"
#include "daemon/commands.hpp"
#include "daemon/daemon_impl.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

}  // namespace

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

void Daemon::keep_watchdog() {
  auto interval = notify_.watchdog_interval();
  if (!interval) return;
  notify_.watchdog();
  watchdog_.expires_after(*interval);
  watchdog_.async_wait([this](boost::system::error_code ec) {
    if (!ec) keep_watchdog();
  });
}

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
