#include "daemon/webhook_intake.hpp"

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

constexpr std::size_t kMaxBatch = 1024;
// Processed marks per group commit: a few hundred UPDATEs add well under a millisecond to the
// commit whose acks wait on it, and the processor's batch of 1000 is done in a few commits.
constexpr std::size_t kMaxFinishedPerCommit = 256;

// Headers kept with the raw event for operators: never signatures or authorization.
std::string kept_headers(const ServerRequest& request) {
  nlohmann::json kept = nlohmann::json::object();
  for (const auto& [name, value] : request.headers) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type" || lower == "user-agent" || lower == "content-length") kept[lower] = value;
  }
  return kept.dump();
}

// The inbox's dedupe key: the delivery id the ERP gave (a header, or the one event's id), else
// a digest of the raw body, so a byte-identical redelivery is still recognised.
std::string delivery_id(const WebhookCheck& check, const WebhookScheme& scheme, const std::string& body) {
  if (!check.event_id.empty()) return check.event_id;
  if (auto events = scheme.read_events(body); events && events->size() == 1 && !(*events)[0].event_id.empty())
    return (*events)[0].event_id;
  return "sha256:" + to_hex(sha256(body));
}

const char* verdict_name(WebhookVerdict verdict) {
  switch (verdict) {
    case WebhookVerdict::kAccept:
      return "accepted";
    case WebhookVerdict::kChallenge:
      return "challenge";
    case WebhookVerdict::kReject:
      return "rejected";
    case WebhookVerdict::kIgnore:
      return "ignored";
  }
  return "?";
}

}  // namespace

WebhookIntake::WebhookIntake(MirrorStore& store, Metrics& metrics, std::function<void()> on_committed)
    : store_(store),
      metrics_(metrics),
      on_committed_(std::move(on_committed)),
      committer_([this](std::stop_token stop) { commit_loop(stop); }) {}

WebhookIntake::~WebhookIntake() { stop(); }

void WebhookIntake::stop() {
  committer_.request_stop();
  if (committer_.joinable()) committer_.join();
}

void WebhookIntake::handle(const std::string& connector, const WebhookScheme& scheme,
                           const ServerRequest& request, Respond respond) {
  WebhookRequest raw{request.method, request.target, request.headers, request.body};
  WebhookCheck check = scheme.verify(raw, std::chrono::system_clock::now());
  if (check.verdict != WebhookVerdict::kAccept) {
    metrics_.add("arsync_webhook_deliveries_total",
                 {{"connector", connector}, {"outcome", verdict_name(check.verdict)}});
    if (check.verdict == WebhookVerdict::kReject)
      log(LogLevel::kWarn, "webhook_rejected",
          {{"connector", connector}, {"reason", check.reason}, {"remote", request.remote}});
    respond(ServerResponse{check.status, check.content_type, check.body, {}});
    return;
  }
  InboxEvent event{connector, delivery_id(check, scheme, request.body), kept_headers(request), request.body};
  std::lock_guard lock(mutex_);
  queue_.push_back({std::move(event), check.status, std::move(respond)});
  wake_.notify_all();
}

Result<void> WebhookIntake::finish(std::vector<std::int64_t> ids) {
  if (ids.empty()) return {};
  auto call = std::make_shared<Finishing>();
  call->ids = std::move(ids);
  std::future<Result<void>> done = call->done.get_future();
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      finishing_.push_back(call);
      queued = true;
    }
  }
  if (!queued) return store_.finish_inbox_events(call->ids);  // the committer has ended: nothing else writes
  wake_.notify_all();
  return done.get();
}

void WebhookIntake::commit_loop(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "inbox-commit");
  for (;;) {
    std::deque<Pending> batch;
    std::vector<std::int64_t> finished;
    std::vector<std::shared_ptr<Finishing>> from;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return !queue_.empty() || !finishing_.empty(); });
      if (queue_.empty() && finishing_.empty()) {  // stopped, and nothing left to commit
        closed_ = true;
        return;
      }
      // Everything that queued up while the last commit ran goes into this one.
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      finished = take_finished(kMaxFinishedPerCommit, from);
    }
    commit(std::move(batch), finished, from);
  }
}

std::vector<std::int64_t> WebhookIntake::take_finished(std::size_t limit,
                                                       std::vector<std::shared_ptr<Finishing>>& from) {
  std::vector<std::int64_t> ids;
  while (ids.size() < limit && !finishing_.empty()) {
    Finishing& call = *finishing_.front();
    std::size_t n = std::min(limit - ids.size(), call.ids.size() - call.next);
    ids.insert(ids.end(), call.ids.begin() + static_cast<std::ptrdiff_t>(call.next),
               call.ids.begin() + static_cast<std::ptrdiff_t>(call.next + n));
    call.next += n;
    from.push_back(finishing_.front());
    if (call.next == call.ids.size()) finishing_.pop_front();
  }
  return ids;
}

void WebhookIntake::commit(std::deque<Pending> batch, const std::vector<std::int64_t>& finished,
                           const std::vector<std::shared_ptr<Finishing>>& from) {
  std::vector<InboxEvent> events;
  events.reserve(batch.size());
  for (Pending& p : batch) events.push_back(std::move(p.event));
  auto stored = store_.add_inbox_events(events, finished);
  for (const auto& call : from) {
    if (!stored && call->outcome) call->outcome = fail(stored.error());
    if (call->next == call->ids.size()) call->done.set_value(std::move(call->outcome));  // its last slice
  }
  bool any_new = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::string& connector = events[i].source;
    if (!stored) {
      // Not stored: the ERP must send it again, so it must not get a 2xx.
      metrics_.add("arsync_webhook_deliveries_total", {{"connector", connector}, {"outcome", "error"}});
      batch[i].respond(ServerResponse{503, "text/plain", "could not store the event; send it again\n", {}});
      continue;
    }
    bool fresh = (*stored)[i];
    any_new |= fresh;
    metrics_.add("arsync_webhook_deliveries_total",
                 {{"connector", connector}, {"outcome", fresh ? "accepted" : "duplicate"}});
    batch[i].respond(ServerResponse{batch[i].status, "text/plain", "", {}});
  }
  if (!stored) log(LogLevel::kError, "inbox_commit_failed", {{"error", stored.error().describe()}});
  if (any_new && on_committed_) on_committed_();
}

}  // namespace arsync
