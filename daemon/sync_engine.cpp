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
    if (entity && !*entity) continue;  // the mapping's when: says this record is not its business
    std::optional<Error> problem;
    if (!entity) {
      problem = entity.error();
    } else if (auto valid = validate(**entity); !valid) {
      problem = valid.error();
      if (problem->where.empty()) problem->where = mapping.file();
    }
    if (!problem) {
      out.entities.push_back(std::move(**entity));
      continue;
    }
    std::string key = mapping.record_key(record);
    if (key.empty()) key = "#" + std::to_string(i);
    out.rejects.push_back({std::move(key), std::move(record.raw), problem->message, problem->where});
  }
}

// The reader: pulls pages from the committed cursor to the end, mapping each.
void read_stream(const SyncTarget& target, std::string cursor, std::int64_t run_id, std::stop_token stop,
                 PageQueue<ReaderItem>& queue) {
  pthread_setname_np(pthread_self(), "arsync-reader");  // tells the two apart in top -H and perf
  PullRequest request{target.stream, std::move(cursor), {}};
  for (;;) {
    if (stop.stop_requested()) {
      queue.push(Error{ErrorKind::kTransient, "stopped before the stream was complete", {}});
      break;
    }
    auto page = target.connector.pull(request);
    if (!page) {
      queue.push(page.error());
      break;
    }
    MappedPage mapped;
    mapped.records = static_cast<std::int64_t>(page->records.size());
    mapped.write.source = target.source;
    mapped.write.stream = target.stream;
    mapped.write.cursor = page->cursor;
    mapped.write.run_id = run_id;
    map_records(target.mapping, page->records, mapped.write);
    bool last = page->next_page_token.empty();
    if (!queue.push(std::move(mapped)) || last) break;
    request.page_token = std::move(page->next_page_token);
  }
  queue.close();
}

}  // namespace

StreamStats sync_stream(MirrorStore& store, const SyncTarget& target, std::stop_token stop,
                        const ProgressFn& progress) {
  auto started = std::chrono::steady_clock::now();
  StreamStats stats{target.source, target.stream};
  auto cursor = store.cursor(target.source, target.stream);
  auto run_id = store.begin_run(target.source, target.stream);
  if (!cursor || !run_id) {
    stats.error = !cursor ? cursor.error() : run_id.error();
    return stats;
  }
  log(LogLevel::kInfo, "stream_started",
      {{"connector", target.source}, {"stream", target.stream}, {"cursor", cursor->value_or("")}});

  PageQueue<ReaderItem> queue(2);
  std::stop_source reader_stop;
  std::stop_callback forward(stop, [&] { reader_stop.request_stop(); });
  std::jthread reader(
      [&] { read_stream(target, cursor->value_or(""), *run_id, reader_stop.get_token(), queue); });

  while (auto item = queue.pop()) {
    if (auto* error = std::get_if<Error>(&*item)) {
      stats.error = *error;
      break;
    }
    auto& page = std::get<MappedPage>(*item);
    auto outcome = store.apply_page(page.write);
    if (!outcome) {
      stats.error = outcome.error();
      break;
    }
    if (page.write.cursor) target.connector.committed(*page.write.cursor);
    stats.pages += 1;
    stats.records += page.records;
    stats.inserted += outcome->inserted;
    stats.updated += outcome->updated;
    stats.unchanged += outcome->unchanged;
    stats.rejected += static_cast<std::int64_t>(page.write.rejects.size() + outcome->rejects.size());
    stats.elapsed = std::chrono::steady_clock::now() - started;
    if (progress) progress(stats);
  }
  reader_stop.request_stop();
  queue.close();
  reader.join();

  stats.elapsed = std::chrono::steady_clock::now() - started;
  // A run cut short by a stop request (SIGTERM, reload) is interrupted, not failed: nothing is
  // wrong with the ERP, and the next run resumes from the last committed page.
  RunOutcome outcome = !stats.error            ? RunOutcome::kSucceeded
                       : stop.stop_requested() ? RunOutcome::kInterrupted
                                               : RunOutcome::kFailed;
  auto finished = store.finish_run(*run_id, outcome, stats.error ? stats.error->describe() : "");
  if (!finished && !stats.error) stats.error = finished.error();
  if (stats.error) {
    log(LogLevel::kError, "stream_failed",
        {{"connector", target.source},
         {"stream", target.stream},
         {"records", stats.records},
         {"error", stats.error->describe()}});
  } else {
    log(LogLevel::kInfo, "stream_finished",
        {{"connector", target.source},
         {"stream", target.stream},
         {"records", stats.records},
         {"inserted", stats.inserted},
         {"updated", stats.updated},
         {"rejected", stats.rejected}});
  }
  return stats;
}

}  // namespace arsync
