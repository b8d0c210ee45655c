#include "daemon/commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "connectors/registry.hpp"
#include "daemon/config.hpp"
#include "daemon/generation.hpp"
#include "daemon/status_view.hpp"
#include "daemon/sync_engine.hpp"
#include "daemon/text_table.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

namespace fs = std::filesystem;

void print_problems(const std::vector<Error>& problems) {
  for (const Error& e : problems) std::cerr << e.describe() << '\n';
}

// Loads config, mappings and webhook schemes, printing every problem found.
std::shared_ptr<const Generation> load_or_report(const fs::path& file) {
  auto generation = load_generation(file);
  if (!generation) {
    print_problems(generation.error());
    std::cerr << "arsync: " << generation.error().size() << " problem(s) in " << file.string()
              << " or its mappings\n";
    return nullptr;
  }
  return std::move(*generation);
}

std::unique_ptr<MirrorStore> open_mirror(const Config& config, OpenOptions options = {}) {
  auto store = MirrorStore::open(config.mirror, options);
  if (!store) {
    std::cerr << "arsync: cannot open the mirror: " << store.error().describe() << '\n';
    return nullptr;
  }
  return std::move(*store);
}

std::string rate(std::int64_t count, std::chrono::steady_clock::duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f/s", static_cast<double>(count) / seconds);
  return buf;
}

void print_progress(const StreamStats& s) {
  std::fprintf(stderr, "\r  %-12s %10lld records  %8s  ", s.stream.c_str(), static_cast<long long>(s.records),
               rate(s.records, s.elapsed).c_str());
}

void print_summary(const std::vector<StreamStats>& results, std::chrono::steady_clock::duration elapsed,
                   const Config& config, MirrorStore& store) {
  std::int64_t records = 0, rejected = 0;
  TextTable table({{"connector"}, {"stream"}, {"records", true}, {"inserted", true}, {"updated", true},
                   {"unchanged", true}, {"rejected", true}, {"rate", true}});
  for (const StreamStats& s : results)
    table.add({s.source, s.stream, std::to_string(s.records), std::to_string(s.inserted), std::to_string(s.updated),
               std::to_string(s.unchanged), std::to_string(s.rejected), rate(s.records, s.elapsed)});
  std::printf("\n%s\n", table.header().c_str());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const StreamStats& s = results[i];
    std::string tombstoned =
        s.kind == RunKind::kReconcile && !s.error ? "  " + std::to_string(s.tombstoned) + " tombstoned" : "";
    std::printf("%s%s%s\n", table.line(i).c_str(), s.error ? "  FAILED" : "", tombstoned.c_str());
    records += s.records;
    rejected += s.rejected;
  }
  double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("\n%lld records in %.2f s (%s); %lld rejected\n", static_cast<long long>(records), seconds,
              rate(records, elapsed).c_str(), static_cast<long long>(rejected));
  for (const StreamStats& s : results)
    if (s.error)
      std::printf("  %s/%s failed: %s\n", s.source.c_str(), s.stream.c_str(), s.error->describe().c_str());

  if (auto status = store.status()) {
    std::printf("\nmirror %s:\n ", config.mirror.string().c_str());
    for (const auto& table : status->tables)
      std::printf(" %s %lld", table.table.c_str(), static_cast<long long>(table.rows));
    std::printf("\n  open rejects: %lld\n", static_cast<long long>(status->open_rejects));
  }
  std::printf("\nLook further:\n  arsync --config %s status\n", config.file.string().c_str());
  std::printf(
      "  sqlite3 %s \"SELECT status, currency, count(*), sum(balance) FROM invoices GROUP BY 1, 2\"\n",
      config.mirror.string().c_str());
  if (rejected > 0)
    std::printf(
        "  sqlite3 %s \"SELECT stream, record_key, error, location FROM rejects WHERE resolved_at IS "
        "NULL\"\n",
        config.mirror.string().c_str());
}

}  // namespace

int run_sync_once(const SyncOnceOptions& options, std::stop_token stop) {
  auto generation = load_or_report(options.config);
  if (!generation) return kExitUsage;
  const Config* config = &generation->config;
  if (options.connector && !config->find_connector(*options.connector)) {
    std::cerr << "arsync: no connector named '" << *options.connector << "' in " << options.config.string()
              << '\n';
    return kExitUsage;
  }
  auto store = open_mirror(*config);
  if (!store) return kExitMirror;

  bool tty = isatty(STDERR_FILENO) && !options.quiet;
  auto started = std::chrono::steady_clock::now();
  std::vector<StreamStats> results;
  ConnectorContext context;
  context.stop = stop;
  for (const ConnectorEntry& entry : config->connectors) {
    if (options.connector && entry.config.name != *options.connector) continue;
    auto connector = entry.spec->create(entry.config, context);
    if (!connector) {
      std::cerr << "arsync: connector " << entry.config.name << ": " << connector.error().describe() << '\n';
      return kExitUsage;
    }
    for (const StreamEntry& stream : entry.streams) {
      if (options.stream && stream.name != *options.stream) continue;
      if (options.reconcile && stream.reconcile.count() == 0) {
        if (!options.stream) continue;
        std::cerr << "arsync: " << entry.config.name << "/" << stream.name
                  << " has no reconcile schedule; add `reconcile: 24h` (or another interval) to the stream in "
                  << options.config.string() << " once a full read of it lists every record the ERP still has\n";
        return kExitUsage;
      }
      SyncTarget target{**connector, generation->mapping(stream), entry.config.name, stream.name};
      results.push_back(options.reconcile
                            ? reconcile_stream(*store, target, stop)
                            : sync_stream(*store, target, stop, tty ? ProgressFn(print_progress) : ProgressFn()));
      if (tty) std::fputc('\n', stderr);
      if (stop.stop_requested()) break;
    }
  }
  if (options.stream && results.empty()) {
    std::cerr << "arsync: no stream named '" << *options.stream << "'\n";
    return kExitUsage;
  }
  if (options.reconcile && results.empty()) {
    std::cerr << "arsync: no stream has a reconcile schedule (`reconcile:` in " << options.config.string()
              << "): nothing to reconcile\n";
    return kExitUsage;
  }
  if (!options.quiet) print_summary(results, std::chrono::steady_clock::now() - started, *config, *store);
  for (const StreamStats& s : results)
    if (s.error) return s.error->kind == ErrorKind::kIo ? kExitMirror : kExitSyncFailed;
  return kExitOk;
}

int run_status(const fs::path& config_file, bool json) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  const Config* config = &generation->config;
  if (!fs::exists(config->mirror)) {
    std::cerr << "arsync: no mirror at " << config->mirror.string() << " yet (run `arsync sync --once`)\n";
    return kExitMirror;
  }
  auto store = open_mirror(*config, {.read_only = true});
  if (!store) return kExitMirror;
  auto status = store->status();
  if (!status) {
    std::cerr << "arsync: " << status.error().describe() << '\n';
    return kExitMirror;
  }
  print_status(*status, *config, quarantined_items(*config), json);
  return kExitOk;
}

int run_check(const fs::path& config_file) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  const Config& config = generation->config;
  std::size_t streams = 0, push_streams = 0;
  for (const ConnectorEntry& entry : config.connectors)
    streams += entry.streams.size(), push_streams += entry.push_streams.size();
  std::cout << config_file.string() << ": ok (" << config.connectors.size() << " connector(s), " << streams
            << " stream(s), " << push_streams << " push-only stream(s), " << generation->mappings.size() << " mapping(s), " << generation->schemes.size()
            << " webhook scheme(s))\n";
  return kExitOk;
}

int run_migrate(const fs::path& config_file) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  const Config* config = &generation->config;
  auto store = open_mirror(*config);  // opening applies pending migrations
  if (!store) return kExitMirror;
  auto status = store->status();
  std::cout << "mirror " << config->mirror.string() << " is at schema version "
            << (status ? status->schema_version : 0) << '\n';
  return kExitOk;
}

int run_resync(const fs::path& config_file, const std::string& connector, const std::string& stream) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  const Config* config = &generation->config;
  auto store = open_mirror(*config);
  if (!store) return kExitMirror;
  if (auto reset = store->reset_cursor(connector, stream); !reset) {
    std::cerr << "arsync: " << reset.error().describe() << '\n';
    return kExitMirror;
  }
  std::cout << connector << "/" << stream << ": cursor cleared; the next sync reads the whole stream\n";
  return kExitOk;
}

int run_outbox_list(const fs::path& config_file, const std::optional<std::string>& status, std::size_t limit) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  std::optional<OutboxStatus> wanted;
  if (status) {
    wanted = outbox_status_from(*status);
    if (!wanted) {
      std::cerr << "arsync: unknown outbox state '" << *status
                << "' (pending, in_flight, done, failed, unknown, cancelled)\n";
      return kExitUsage;
    }
  }
  auto store = open_mirror(generation->config, {.read_only = true});
  if (!store) return kExitMirror;
  auto items = store->list_outbox(wanted, limit);
  if (!items) {
    std::cerr << "arsync: " << items.error().describe() << '\n';
    return kExitMirror;
  }
  std::printf("%-8s %-10s %-15s %-12s %-8s %-30s %s\n", "ID", "STATE", "KIND", "CONNECTOR", "TRIES", "KEY",
              "ERP REF / LAST ERROR");
  for (const OutboxItem& item : *items) {
    std::string detail = !item.erp_ref.empty() ? item.erp_ref
                         : item.next_attempt_at.empty() ? item.last_error
                                                        : item.last_error + " (next " + item.next_attempt_at + ")";
    // A resolved conflict is worth an operator's eye even when the item is done.
    if (!item.conflict.empty() && detail.find(item.conflict) == std::string::npos)
      detail += (detail.empty() ? "conflict: " : " | conflict: ") + item.conflict;
    std::printf("%-8lld %-10s %-15s %-12s %-8lld %-30s %s\n", static_cast<long long>(item.id), to_string(item.status),
                item.kind.c_str(), item.target.c_str(), static_cast<long long>(item.attempts),
                item.idempotency_key.c_str(), detail.c_str());
  }
  return kExitOk;
}

int run_outbox_change(const fs::path& config_file, std::int64_t id, bool retry) {
  auto generation = load_or_report(config_file);
  if (!generation) return kExitUsage;
  auto store = open_mirror(generation->config);
  if (!store) return kExitMirror;
  auto item = store->operate_outbox(id, retry ? OutboxStatus::kPending : OutboxStatus::kCancelled);
  if (!item) {
    std::cerr << "arsync: " << item.error().describe() << '\n';
    return item.error().kind == ErrorKind::kIo ? kExitMirror : kExitUsage;
  }
  std::cout << "outbox item " << id << " is now " << to_string(item->status)
            << (item->status == OutboxStatus::kUnknown ? ": the ERP is asked whether it has it before any re-send"
                : retry ? ": the running daemon sends it again shortly"
                        : "")
            << '\n';
  return kExitOk;
}

}  // namespace arsync
