// arsync: the ERP <-> AR portal sync daemon's command line.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <stop_token>
#include <thread>

#include "daemon/api_tokens.hpp"
#include "daemon/commands.hpp"
#include "daemon/config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/mapping_preview.hpp"

namespace {

// SIGINT/SIGTERM request a stop: the current page is committed, then the command ends.
// Signals are blocked in every thread and taken by one waiting thread, so no handler runs
// async-signal-unsafe code.
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::jthread([this](std::stop_token done) {
      timespec tick{0, 200'000'000};
      while (!done.stop_requested()) {
        if (sigtimedwait(&set_, nullptr, &tick) <= 0) continue;
        if (source_.stop_requested()) std::_Exit(130);  // a second signal: the user will not wait
        std::cerr << "arsync: stopping after the current page (signal again to stop at once)\n";
        source_.request_stop();
      }
    });
  }
  std::stop_token token() const { return source_.get_token(); }

 private:
  sigset_t set_;
  std::stop_source source_;
  std::jthread waiter_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arsync: keeps an AR portal's SQLite mirror and the ERP in agreement"};
  app.require_subcommand(1);
  std::string config = arsync::default_config_path().string();
  app.add_option("-c,--config", config, "config file ($ARSYNC_CONFIG, else /etc/arsync/arsync.yaml)");

  auto* run_cmd = app.add_subcommand(
      "run", "run as a service: poll every stream, take webhooks, serve /healthz /readyz /metrics (systemd)");

  arsync::SyncOnceOptions sync;
  bool once = false;
  auto* sync_cmd = app.add_subcommand("sync", "pull every stream from its cursor to the end, then exit");
  sync_cmd->add_flag("--once", once, "run once and exit (the only mode of `sync`; `run` keeps syncing)")
      ->required();
  sync_cmd->add_option("--connector", sync.connector, "only this connector");
  sync_cmd->add_option("--stream", sync.stream, "only this stream");
  sync_cmd->add_flag("-q,--quiet", sync.quiet, "no summary");

  arsync::SyncOnceOptions reconcile{.reconcile = true};
  auto* reconcile_cmd = app.add_subcommand(
      "reconcile", "one reconcile pass now: read every key of the streams with reconcile:, tombstone the rest");
  reconcile_cmd->add_option("--connector", reconcile.connector, "only this connector");
  reconcile_cmd->add_option("--stream", reconcile.stream, "only this stream");
  reconcile_cmd->add_flag("-q,--quiet", reconcile.quiet, "no summary");

  bool status_json = false;
  auto* status_cmd = app.add_subcommand("status", "show cursors, last runs, row counts and open rejects");
  status_cmd->add_flag("--json", status_json, "machine-readable output");

  auto* check_cmd = app.add_subcommand("check", "validate the config and every mapping; list all problems");
  auto* migrate_cmd = app.add_subcommand("migrate", "create the mirror or bring its schema up to date");

  std::string resync_connector, resync_stream;
  auto* resync_cmd =
      app.add_subcommand("resync", "forget a stream's cursor so the next sync reads it all again");
  resync_cmd->add_option("connector", resync_connector)->required();
  resync_cmd->add_option("stream", resync_stream)->required();

  std::string preview_mapping, preview_sample, preview_format = "table", preview_records;
  auto* mapping_cmd = app.add_subcommand("mapping", "work with mapping files");
  auto* preview_cmd = mapping_cmd->add_subcommand(
      "preview", "map a sample ERP response with one mapping; print canonical records and rejects");
  preview_cmd->add_option("mapping", preview_mapping, "the mapping file")->required();
  preview_cmd->add_option("sample", preview_sample, "a sample response (JSON or XML) saved from the ERP")
      ->required();
  preview_cmd->add_option("--format", preview_format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  preview_cmd->add_option(
      "--records", preview_records,
      "where the records sit in the sample (default: the mapping's records:, else found)");
  mapping_cmd->require_subcommand(1);

  auto* token_cmd = app.add_subcommand("token", "portal API bearer tokens");
  auto* token_hash_cmd = token_cmd->add_subcommand(
      "hash", "read a token from stdin; print the sha256 to put in arsync.yaml's portal: tokens:");
  token_cmd->require_subcommand(1);
  std::optional<std::string> outbox_state;
  std::size_t outbox_limit = 50;
  std::int64_t outbox_id = 0;
  auto* outbox_cmd = app.add_subcommand("outbox", "portal writes on their way to the ERP");
  auto* outbox_list = outbox_cmd->add_subcommand("list", "list outbox items, newest first");
  outbox_list->add_option("--state", outbox_state, "only items in this state (pending, in_flight, done, failed, unknown, cancelled)");
  outbox_list->add_option("--limit", outbox_limit, "at most this many (default 50)");
  auto* outbox_retry = outbox_cmd->add_subcommand("retry", "send a failed item again (an unknown one is looked up first)");
  outbox_retry->add_option("id", outbox_id)->required();
  auto* outbox_cancel = outbox_cmd->add_subcommand("cancel", "give up on an item that is not in the ERP");
  outbox_cancel->add_option("id", outbox_id)->required();
  outbox_cmd->require_subcommand(1);

  auto* version_cmd = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : arsync::kExitUsage;
  }

  if (*version_cmd) {
    std::cout << "arsync 0.1.0\n";
    return arsync::kExitOk;
  }
  if (*token_hash_cmd) return arsync::run_token_hash(std::cin, std::cout);
  if (*run_cmd) return arsync::run_daemon(config);
  if (*preview_cmd)
    return arsync::run_mapping_preview(preview_mapping, preview_sample, preview_format, preview_records);
  if (*check_cmd) return arsync::run_check(config);
  if (*status_cmd) return arsync::run_status(config, status_json);
  if (*migrate_cmd) return arsync::run_migrate(config);
  if (*resync_cmd) return arsync::run_resync(config, resync_connector, resync_stream);
  if (*outbox_list) return arsync::run_outbox_list(config, outbox_state, outbox_limit);
  if (*outbox_retry || *outbox_cancel) return arsync::run_outbox_change(config, outbox_id, outbox_retry->parsed());
  SignalStop signals;
  arsync::SyncOnceOptions& once_options = *reconcile_cmd ? reconcile : sync;
  once_options.config = config;
  return arsync::run_sync_once(once_options, signals.token());
}
