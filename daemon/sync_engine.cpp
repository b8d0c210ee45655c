#include "daemon/sync_engine.hpp"

#include <pthread.h>

#include <thread>
#include <variant>

#include "daemon/page_queue.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

struct MappedPage {
  PageWrite write;
  std::int64_t records = 0;
};

// What the reader hands the writer: a mapped page, or the error that ended the read.
using ReaderItem = std::variant<MappedPage, Error>;

// Maps every record of a page; a record that fails mapping or validation becomes a reject
// naming the field, the value and the mapping rule, and the rest of the page goes on. A record
// the mapping's when: excludes (a Xero bill in an invoices stream) is skipped, not rejected.
void map_records(const Mapping& mapping, std::vector<Record>& records, PageWrite& out) {
  out.entities.reserve(records.size());
  for (const Mapping::Lookup& l : mapping.lookups()) out.lookups.push_back({l.child, l.field, l.by});
  for (std::size_t i = 0; i < records.size(); ++i) {
    Record& record = records[i];
    auto entity = mapping.map_if(record);
    if (entity && !*entity) {  // the mapping's when: says this record is not its business
      record = Record{};
      continue;
    }
    std::optional<Error> problem;
    if (!entity) {
      problem = entity.error();
    } else if (auto valid = validate(**entity); !valid) {
      problem = valid.error();
      if (problem->where.empty()) problem->where = mapping.file();
    }
    if (!problem) {
      out.entities.push_back(std::move(**entity));
    } else {
      std::string key = mapping.record_key(record);
      if (key.empty()) key = "#" + std::to_string(i);
      out.rejects.push_back({std::move(key), std::move(record.raw), problem->message, problem->where});
    }
    // Freed as soon as it is mapped: a page's records and its entities never all coexist (a
    // dropdir file is one page, hundreds of MB of records for a large export).
    record = Record{};
  }
}

// What one run reads and how its pages are written.
struct ReadPlan {
  std::string cursor;             // pull: the committed cursor; reconcile and targeted: ""
  std::vector<std::string> ids;   // targeted: the records to read
  std::size_t ids_per_pull = 0;   // targeted: the connector's batch size
  bool commit_cursor = true;      // only a delta pull moves the stream's cursor
  std::int64_t run_id = 0;        // 0: no sync run is recorded
  std::int64_t seen_generation = 0;
};

// Pulls one request's pages to the end, mapping each. False when the run must end (an error
// or a stop was queued, or the writer closed the queue).
bool read_pages(const SyncTarget& target, const ReadPlan& plan, PullRequest request, std::stop_token stop,
                PageQueue<ReaderItem>& queue) {
  for (;;) {
    if (stop.stop_requested()) {
      queue.push(Error{ErrorKind::kTransient, "stopped before the stream was complete", {}});
      return false;
    }
    auto page = target.connector.pull(request);
    if (!page) {
      queue.push(page.error());
      return false;
    }
    MappedPage mapped;
    mapped.records = static_cast<std::int64_t>(page->records.size());
    mapped.write.source = target.source;
    mapped.write.stream = target.stream;
    if (plan.commit_cursor) mapped.write.cursor = page->cursor;
    mapped.write.continues = page->continues && !page->next_page_token.empty();
    mapped.write.run_id = plan.run_id;
    mapped.write.seen_generation = plan.seen_generation;
    mapped.write.seen_entity = &target.mapping.entity();
    map_records(target.mapping, page->records, mapped.write);
    bool last = page->next_page_token.empty();
    if (!queue.push(std::move(mapped))) return false;
    if (last) return true;
    request.page_token = std::move(page->next_page_token);
  }
}

// The reader: every page of the plan (the delta or the whole stream, or each batch of ids).
void read_stream(const SyncTarget& target, const ReadPlan& plan, std::stop_token stop,
                 PageQueue<ReaderItem>& queue) {
  pthread_setname_np(pthread_self(), "arsync-reader");  // tells the two apart in top -H and perf
  if (plan.ids.empty()) {
    read_pages(target, plan, PullRequest{target.stream, plan.cursor, {}, {}}, stop, queue);
  } else {
    for (std::size_t at = 0; at < plan.ids.size(); at += plan.ids_per_pull) {
      auto end = plan.ids.begin() + static_cast<std::ptrdiff_t>(std::min(plan.ids.size(), at + plan.ids_per_pull));
      std::vector<std::string> batch(plan.ids.begin() + static_cast<std::ptrdiff_t>(at), end);
      if (!read_pages(target, plan, PullRequest{target.stream, plan.cursor, {}, std::move(batch)}, stop, queue))
        break;
    }
  }
  queue.close();
}

// Commits the plan's pages as the reader produces them; stats.error says why it stopped early.
// `keyless` counts rejects with no record id (a reconcile must not sweep after those).
void write_pages(MirrorStore& store, const SyncTarget& target, const ReadPlan& plan, std::stop_token stop,
                 const ProgressFn& progress, StreamStats& stats, std::int64_t& keyless) {
  auto started = std::chrono::steady_clock::now();
  PageQueue<ReaderItem> queue(2);
  std::stop_source reader_stop;
  std::stop_callback forward(stop, [&] { reader_stop.request_stop(); });
  std::jthread reader([&] { read_stream(target, plan, reader_stop.get_token(), queue); });

  while (auto item = queue.pop()) {
    if (auto* error = std::get_if<Error>(&*item)) {
      stats.error = *error;
      break;
    }
    // A page that continues into the next (one file read in parts) is written with those that
    // follow it in ONE transaction; they count as one page here.
    std::int64_t part_records = 0, part_rejected = 0, part_keyless = 0;
    std::optional<MappedPage> page = std::move(std::get<MappedPage>(*item));
    bool first = true;
    auto next = [&]() -> Result<const PageWrite*> {
      if (!first) {
        auto following = queue.pop();
        if (!following) return fail(ErrorKind::kTransient, "the read ended in the middle of a file; nothing of it was committed", target.source);
        if (auto* error = std::get_if<Error>(&*following)) return fail(*error);
        page = std::move(std::get<MappedPage>(*following));
      }
      first = false;
      part_records += page->records;
      part_rejected += static_cast<std::int64_t>(page->write.rejects.size());
      for (const RejectRow& r : page->write.rejects) part_keyless += r.record_key.starts_with("#") ? 1 : 0;
      return &page->write;
    };
    auto outcome = page->write.continues ? store.apply_pages(next) : store.apply_page(**next());
    if (!outcome) {
      stats.error = outcome.error();
      break;
    }
    if (page->write.cursor) target.connector.committed(*page->write.cursor);
    keyless += part_keyless;
    stats.pages += 1;
    stats.records += part_records;
    stats.inserted += outcome->inserted;
    stats.updated += outcome->updated;
    stats.unchanged += outcome->unchanged;
    stats.rejected += part_rejected + static_cast<std::int64_t>(outcome->rejects.size());
    stats.elapsed = std::chrono::steady_clock::now() - started;
    if (progress) progress(stats);
  }
  reader_stop.request_stop();
  queue.close();
  reader.join();
  stats.elapsed = std::chrono::steady_clock::now() - started;
}

// A run cut short by a stop request (SIGTERM, reload) is interrupted, not failed: nothing is
// wrong with the ERP, and the next run resumes from the last committed page.
void finish(MirrorStore& store, std::int64_t run_id, std::stop_token stop, StreamStats& stats) {
  RunOutcome outcome = !stats.error            ? RunOutcome::kSucceeded
                       : stop.stop_requested() ? RunOutcome::kInterrupted
                                               : RunOutcome::kFailed;
  auto finished = store.finish_run(run_id, outcome, stats.error ? stats.error->describe() : "");
  if (!finished && !stats.error) stats.error = finished.error();
}

void log_finished(const StreamStats& stats) {
  if (stats.error) {
    log(LogLevel::kError, "stream_failed",
        {{"connector", stats.source},
         {"stream", stats.stream},
         {"kind", to_string(stats.kind)},
         {"records", stats.records},
         {"error", stats.error->describe()}});
  } else {
    log(LogLevel::kInfo, "stream_finished",
        {{"connector", stats.source},
         {"stream", stats.stream},
         {"kind", to_string(stats.kind)},
         {"records", stats.records},
         {"inserted", stats.inserted},
         {"updated", stats.updated},
         {"rejected", stats.rejected},
         {"tombstoned", stats.tombstoned}});
  }
}

}  // namespace

const char* to_string(RunKind kind) {
  switch (kind) {
    case RunKind::kPull:
      return "pull";
    case RunKind::kReconcile:
      return "reconcile";
    case RunKind::kTargeted:
      return "targeted";
  }
  return "?";
}

StreamStats sync_stream(MirrorStore& store, const SyncTarget& target, std::stop_token stop,
                        const ProgressFn& progress) {
  StreamStats stats{target.source, target.stream};
  auto cursor = store.cursor(target.source, target.stream);
  auto run_id = store.begin_run(target.source, target.stream);
  if (!cursor || !run_id) {
    stats.error = !cursor ? cursor.error() : run_id.error();
    return stats;
  }
  log(LogLevel::kInfo, "stream_started",
      {{"connector", target.source}, {"stream", target.stream}, {"cursor", cursor->value_or("")}});
  ReadPlan plan{cursor->value_or(""), {}, 0, true, *run_id, 0};
  std::int64_t keyless = 0;
  write_pages(store, target, plan, stop, progress, stats, keyless);
  finish(store, *run_id, stop, stats);
  log_finished(stats);
  return stats;
}

StreamStats reconcile_stream(MirrorStore& store, const SyncTarget& target, std::stop_token stop) {
  StreamStats stats{target.source, target.stream, RunKind::kReconcile};
  auto run = store.begin_reconcile(target.source, target.stream);
  if (!run) {
    stats.error = run.error();
    return stats;
  }
  log(LogLevel::kInfo, "reconcile_started",
      {{"connector", target.source}, {"stream", target.stream}, {"generation", run->run_id}});
  ReadPlan plan{"", {}, 0, false, run->run_id, run->run_id};
  std::int64_t keyless = 0;
  write_pages(store, target, plan, stop, {}, stats, keyless);
  // Sweep only after a scan that read everything: whatever it missed through an error, a stop
  // or a record it could not identify might still exist in the ERP.
  if (!stats.error && keyless > 0)
    stats.error = Error{ErrorKind::kInvalidInput,
                        std::to_string(keyless) + " record(s) had no id the mapping could read; nothing "
                        "was tombstoned (see `arsync rejects list`)",
                        target.mapping.file()};
  if (!stats.error) {
    auto swept = store.sweep_unseen(*run, target.source, target.mapping.entity());
    if (swept)
      stats.tombstoned = *swept;
    else
      stats.error = swept.error();
  }
  finish(store, run->run_id, stop, stats);
  log_finished(stats);
  return stats;
}

StreamStats pull_ids(MirrorStore& store, const SyncTarget& target, const std::vector<std::string>& ids,
                     std::stop_token stop) {
  StreamStats stats{target.source, target.stream, RunKind::kTargeted};
  if (ids.empty()) return stats;  // an empty read would be the whole stream
  std::size_t per_pull = target.connector.max_ids_per_pull(target.stream);
  if (per_pull == 0) {
    stats.error = Error{ErrorKind::kInvalidInput,
                        "connector " + target.source + " cannot read " + target.stream + " by id", {}};
    return stats;
  }
  ReadPlan plan{"", ids, per_pull, false, 0, 0};
  std::int64_t keyless = 0;
  write_pages(store, target, plan, stop, {}, stats, keyless);
  log_finished(stats);
  return stats;
}

}  // namespace arsync
