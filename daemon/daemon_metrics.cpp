// The running daemon's metrics (daemon_impl.hpp): every series it exports is declared here with
// its help text, a finished run adds to them, and /metrics refreshes the gauges read from the
// mirror and the HTTP server before rendering. The loop thread calls all three.
#include "daemon/daemon_impl.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

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

}  // namespace arsync
