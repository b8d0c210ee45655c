#include "daemon/inbox_processor.hpp"

#include <map>

#include "mapping/json_reader.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

constexpr int kMaxAttempts = 5;
constexpr std::size_t kBatch = 1000;
// After a batch, let deliveries gather this long: under a webhook storm the processor then works
// in large batches (one coalesced read per stream) and leaves the cores and the write lock to
// ingest, which is what the ERP waits on. A lone delivery is still processed at once; in a storm
// a stream is read at most about once a second, which also keeps within ERP rate limits
// (QuickBooks Online: 500 requests a minute per company). At 50 ms, bench_webhooks ingested
// 10-25% fewer events/s (bench/README.md).
constexpr auto kGather = std::chrono::seconds(1);

}  // namespace

InboxProcessor::InboxProcessor(MirrorStore& store, Metrics& metrics, CurrentGeneration current,
                               TriggerPull trigger, FinishEvents finish)
    : store_(store),
      metrics_(metrics),
      current_(std::move(current)),
      trigger_(std::move(trigger)),
      finish_(finish ? std::move(finish)
                     : FinishEvents([this](std::vector<std::int64_t> ids) { return store_.finish_inbox_events(ids); })),
      thread_([this](std::stop_token stop) { run(stop); }) {}

InboxProcessor::~InboxProcessor() { stop(); }

void InboxProcessor::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  wake_.notify_all();
}

void InboxProcessor::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void InboxProcessor::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "inbox-process");
  while (!stop.stop_requested()) {
    auto pending = store_.pending_inbox(kBatch);
    if (!pending) log(LogLevel::kError, "inbox_read_failed", {{"error", pending.error().describe()}});
    auto generation = current_();
    if (pending && generation) {
      std::vector<std::int64_t> nothing_to_write;
      for (const InboxItem& item : *pending) {
        if (stop.stop_requested()) break;
        if (process(*generation, item)) nothing_to_write.push_back(item.id);
      }
      ask_for_reads();  // before the deliveries that asked are marked processed
      // One transaction for the lot: thin events are most of a busy ERP's traffic.
      if (auto done = finish_(std::move(nothing_to_write)); !done)
        log(LogLevel::kError, "inbox_finish_failed", {{"error", done.error().describe()}});
      if (stop.stop_requested()) return;
    }
    if (pending && pending->size() == kBatch) continue;  // more waiting
    if (pending && !pending->empty()) {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, stop, kGather, [] { return false; }); stop.stop_requested()) return;
    }
    std::unique_lock lock(mutex_);
    // A periodic look as well: events stored by an earlier process, or whose stream was busy.
    wake_.wait_for(lock, stop, std::chrono::seconds(5), [&] { return woken_; });
    woken_ = false;
  }
}

bool InboxProcessor::fail_item(const InboxItem& item, const std::string& why) {
  log(LogLevel::kWarn, "webhook_event_failed", {{"connector", item.source}, {"event", item.event_id}, {"error", why}});
  metrics_.add("arsync_webhook_events_total", {{"connector", item.source}, {"how", "failed"}});
  (void)store_.fail_inbox_event(item.id, why, kMaxAttempts);
  return false;
}

bool InboxProcessor::process(const Generation& generation, const InboxItem& item) {
  auto scheme = generation.schemes.find(item.source);
  if (scheme == generation.schemes.end())
    return fail_item(item, "connector '" + item.source + "' takes no webhooks now");
  auto events = scheme->second->read_events(item.body);
  if (!events) return fail_item(item, events.error().describe());

  std::map<const StreamEntry*, PageWrite> pages;
  std::map<const StreamEntry*, std::vector<std::string>> deletes;
  for (const WebhookEvent& event : *events) {
    const StreamEntry* stream = generation.stream_for_entity(item.source, event.entity);
    if (!stream) {
      metrics_.add("arsync_webhook_events_total", {{"connector", item.source}, {"how", "skipped"}});
      continue;
    }
    if (event.operation == "delete" && !event.erp_ids.empty()) {
      // A delta read never shows a delete: the ERP's word is the only news of it before a reconcile.
      auto& ids = deletes[stream];
      ids.insert(ids.end(), event.erp_ids.begin(), event.erp_ids.end());
      metrics_.add("arsync_webhook_events_total", {{"connector", item.source}, {"how", "tombstoned"}});
      continue;
    }
    if (event.payload.empty() || event.operation == "delete") {
      if (event.erp_ids.empty())
        pulls_.emplace(item.source, stream->name);
      else
        reads_[{item.source, stream->name}].insert(event.erp_ids.begin(), event.erp_ids.end());
      metrics_.add("arsync_webhook_events_total",
                   {{"connector", item.source}, {"how", event.erp_ids.empty() ? "pulled" : "targeted"}});
      continue;
    }
    PageWrite& page = pages[stream];
    const Mapping& mapping = generation.mapping(*stream);
    if (page.source.empty())
      for (const Mapping::Lookup& l : mapping.lookups()) page.lookups.push_back({l.child, l.field, l.by});
    page.source = item.source;
    page.stream = stream->name;
    auto root = parse_json(event.payload);
    Record record{root ? std::move(*root) : Node(), event.payload};
    auto entity = root ? mapping.map_if(record) : Result<std::optional<Entity>>(fail(root.error()));
    if (entity && !*entity) continue;  // excluded by the mapping's when:
    Result<void> valid = entity ? validate(**entity) : Result<void>(fail(entity.error()));
    if (valid) {
      page.entities.push_back(std::move(**entity));
    } else {
      std::string key = event.erp_ids.empty() ? event.event_id : event.erp_ids.front();
      page.rejects.push_back({key, event.payload, valid.error().message, valid.error().where});
    }
    metrics_.add("arsync_webhook_events_total", {{"connector", item.source}, {"how", "mapped"}});
  }
  if (pages.empty() && deletes.empty()) return true;
  return write(item, pages, deletes, generation);
}

void InboxProcessor::ask_for_reads() {
  for (const auto& [key, ids] : reads_) trigger_(key.first, key.second, {ids.begin(), ids.end()});
  for (const auto& [connector, stream] : pulls_) trigger_(connector, stream, {});
  reads_.clear();
  pulls_.clear();
}

bool InboxProcessor::write(const InboxItem& item, std::map<const StreamEntry*, PageWrite>& pages,
                           const std::map<const StreamEntry*, std::vector<std::string>>& deletes,
                           const Generation& generation) {
  // The delivery is marked processed with its last write: a crash before that replays it, and
  // replaying upserts and tombstones changes nothing.
  std::size_t left = pages.size() + deletes.size();
  for (auto& [stream, page] : pages) {
    if (--left == 0) page.inbox_done = {item.id};
    if (auto applied = store_.apply_page(page); !applied) return fail_item(item, applied.error().describe());
  }
  for (const auto& [stream, ids] : deletes) {
    std::vector<std::int64_t> done;
    if (--left == 0) done = {item.id};
    auto swept = store_.tombstone(item.source, generation.mapping(*stream).entity(), ids, done);
    if (!swept) return fail_item(item, swept.error().describe());
    metrics_.add("arsync_rows_tombstoned_total",
                 {{"connector", item.source}, {"stream", stream->name}, {"how", "webhook"}},
                 static_cast<double>(*swept));
    log(LogLevel::kInfo, "webhook_deleted",
        {{"connector", item.source}, {"stream", stream->name}, {"event", item.event_id}, {"tombstoned", *swept}});
  }
  return false;
}

}  // namespace arsync
