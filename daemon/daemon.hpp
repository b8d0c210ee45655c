// Daemon: `arsync run`, the long-running service (DESIGN §7).
//
// One Boost.Asio event loop (the main thread) owns the timers, the HTTP server, signals and
// the systemd watchdog. Around it: one worker thread per connector running its streams' syncs
// (ConnectorWorker), the webhook committer (WebhookIntake) and the inbox processor. They all
// share the one mirror write connection (MirrorStore serialises it).
//
// Each stream is pulled at start, then every `poll` (plus up to 10% jitter so streams do not
// fire together); after a failed run it backs off exponentially (5 s doubling, at most 15 min).
// SIGHUP validates the config and every mapping first and keeps the running set if anything is
// wrong; SIGTERM stops accepting, lets running syncs commit their current page, answers the
// webhooks it has accepted, and exits 0.
#pragma once

#include <filesystem>

namespace arsync {

// Runs until SIGTERM/SIGINT; returns the process exit code (commands.hpp ExitCode).
int run_daemon(const std::filesystem::path& config_file);

}  // namespace arsync
