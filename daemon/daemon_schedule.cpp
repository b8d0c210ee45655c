// When each stream of the running daemon (daemon_impl.hpp) syncs: a pull at start and every
// `poll` plus up to 10% jitter (so streams configured alike do not fire together), exponential
// backoff after a failed run (5 s doubling, at most 15 min), and reconcile passes every
// `reconcile` counted from the last successful one (so a restart does not rescan).
// Everything here runs on the loop thread.
#include <boost/asio/post.hpp>
#include <algorithm>

#include "daemon/daemon_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 5s;
constexpr auto kMaxBackoff = std::chrono::minutes(15);

// The wait after the `failures`-th failure in a row (1 or more): 5 s doubling, at most 15 min.
std::chrono::milliseconds backoff_after(int failures) {
  auto backoff = kFirstBackoff * (1LL << std::min(failures - 1, 10));
  return std::min<std::chrono::milliseconds>(backoff, kMaxBackoff);
}

}  // namespace

void Daemon::schedule(const std::string& connector, const std::string& stream,
                      std::chrono::milliseconds delay) {
  StreamState& state = streams_[{connector, stream}];
  if (!state.timer) state.timer = std::make_unique<asio::steady_timer>(io_);
  state.timer->expires_after(delay);
  state.timer->async_wait([this, connector, stream](boost::system::error_code ec) {
    if (!ec && !draining_) trigger(connector, stream);
  });
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
    delay = backoff_after(++state.failures);
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
    delay = std::min(backoff_after(++state.reconcile_failures), delay);  // never later than the period
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

}  // namespace arsync
