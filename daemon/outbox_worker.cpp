#include "daemon/outbox_worker.hpp"

#include <map>
#include <random>

#include "mapping/profile_conflict.hpp"
#include "schema/entity_json.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

std::string_view push_entity(std::string_view kind) {
  if (kind == "payment") return "payment";
  if (kind == "profile_change") return "customer";
  if (kind == "dispute" || kind == "promise_to_pay" || kind == "message" || kind == "credit_request") return kind;
  return "";
}

struct OutboxWorker::Lane {
  bool watches = false;  // the one sender that also looks every idle_poll (see next_look)
  std::shared_ptr<const Generation> generation;  // the one `connectors` were made from
  std::map<std::string, std::unique_ptr<Connector>, std::less<>> connectors;
  std::mt19937_64 rng{std::random_device{}()};

  // This lane's instance of `name`, made from the current generation (remade after a reload).
  Result<Connector*> connector(const std::shared_ptr<const Generation>& current, const std::string& name,
                               const ConnectorContext& context) {
    if (current != generation) {
      connectors.clear();
      generation = current;
    }
    if (auto found = connectors.find(name); found != connectors.end()) return found->second.get();
    const ConnectorEntry* entry = generation->config.find_connector(name);
    if (!entry) return fail(ErrorKind::kPermanent, "no connector '" + name + "' in the config");
    auto made = entry->spec->create(entry->config, context);
    if (!made) return fail(made.error());
    return connectors.emplace(name, std::move(*made)).first->second.get();
  }
};

OutboxWorker::OutboxWorker(MirrorStore& store, Metrics& metrics, CurrentGeneration current,
                           ConnectorContext context, OutboxSettings settings)
    : store_(store),
      metrics_(metrics),
      current_(std::move(current)),
      context_(std::move(context)),
      settings_(std::move(settings)) {
  for (int i = 0; i < settings_.concurrency; ++i) lanes_.push_back(std::make_unique<Lane>());
  if (!lanes_.empty()) lanes_.front()->watches = true;
  for (auto& lane : lanes_)
    threads_.emplace_back([this, lane = lane.get()](std::stop_token stop) { run(stop, *lane); });
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

void OutboxWorker::stop() {
  for (auto& thread : threads_) thread.request_stop();
  wake_.notify_all();
  threads_.clear();  // joins: a batch being sent is finished and recorded first
}

void OutboxWorker::run(std::stop_token stop, Lane& lane) {
  std::uint64_t seen = 0;
  while (!stop.stop_requested()) {
    auto items = store_.claim_outbox(settings_.batch);
    if (!items) {
      log(LogLevel::kError, "outbox_claim_failed", {{"error", items.error().describe()}});
    } else if (!items->empty()) {
      std::vector<OutboxOutcome> outcomes;
      // Once claimed, an item is delivered even while stopping: its in_flight state would
      // otherwise cost a look-up at the next start.
      for (const OutboxItem& item : *items) outcomes.push_back(deliver(item, lane, stop));
      if (auto ok = store_.finish_outbox(outcomes); !ok) {
        // The items stay in_flight and become unknown at the next start: looked up, not re-sent.
        log(LogLevel::kError, "outbox_record_failed", {{"error", ok.error().describe()}});
      } else {
        for (std::size_t i = 0; i < items->size(); ++i) record((*items)[i], outcomes[i]);
      }
      if (items->size() == settings_.batch) {  // more may be due right now: the others help
        wake();
        continue;
      }
    }
    const auto until = next_look(lane);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, stop, until, [&] { return wakes_ != seen; });
    seen = wakes_;
  }
}

// An idle sender sleeps until a new item wakes it (wake(), from the portal write that queued
// it) or the earliest retry is due. The watching sender also looks every idle_poll, for what
// another process changed (`arsync outbox retry` beside a running daemon). So an idle daemon's
// outbox costs one claim per idle_poll, not one per sender per second (bench/bench_idle.sh).
std::chrono::steady_clock::time_point OutboxWorker::next_look(const Lane& lane) {
  const auto now = std::chrono::steady_clock::now();
  auto until = now + (lane.watches ? settings_.idle_poll : std::chrono::hours(24));
  auto due = store_.next_outbox_retry();
  if (!due) {
    log(LogLevel::kError, "outbox_read_failed", {{"error", due.error().describe()}});
    return now + settings_.idle_poll;
  }
  if (*due) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(**due - std::chrono::system_clock::now());
    until = std::min(until, now + std::max(wait, std::chrono::milliseconds(0)));
  }
  return until;
}

OutboxOutcome OutboxWorker::deliver(const OutboxItem& item, Lane& lane, std::stop_token stop) {
  OutboxOutcome outcome{item.id};
  auto later = [&](OutboxStatus status, std::string error, std::optional<std::chrono::milliseconds> hint = {}) {
    const auto delay = hint ? settings_.retry.honour(*hint)
                            : settings_.retry.backoff(static_cast<int>(item.attempts), lane.rng);
    outcome.status = status;
    outcome.error = std::move(error);
    outcome.next_attempt_at = format_iso8601(std::chrono::system_clock::now() + delay, 3);
    return outcome;
  };
  auto parked = [&](std::string error) {
    outcome.status = OutboxStatus::kFailed;
    outcome.error = std::move(error);
    return outcome;
  };

  const std::shared_ptr<const Generation> generation = current_();
  const std::string_view entity = push_entity(item.kind);
  const StreamEntry* stream = generation->push_stream(item.target, entity);
  if (entity.empty() || !stream)
    return parked("connector '" + item.target + "' has no stream whose mapping pushes " +
                  (entity.empty() ? item.kind : std::string(entity)) + " items (was the config changed?)");
  const Mapping& mapping = generation->mapping(*stream);
  auto canonical = entity_from_json(mapping.entity(), item.payload);
  if (!canonical) return parked("the item's payload does not fit the mapping: " + canonical.error().describe());
  PushRequest request{.kind = item.kind, .idempotency_key = item.idempotency_key, .stream = stream->name};
  if (auto rendered = render(request, mapping, *canonical); !rendered) return parked(rendered.error().describe());
  ConnectorContext context = context_;
  context.stop = stop;
  auto connector = lane.connector(generation, item.target, context);
  if (!connector) return later(OutboxStatus::kPending, connector.error().describe());

  if (item.status == OutboxStatus::kUnknown) {
    auto found = (*connector)->lookup(request);
    if (!found) return later(OutboxStatus::kUnknown, "look-up failed: " + found.error().describe());
    if (*found) {
      outcome.status = OutboxStatus::kDone;
      outcome.erp_ref = **found;
      return outcome;
    }
  }
  // Only now, when it is certain to be sent: what the ERP changed meanwhile decides what to send.
  if (item.kind == "profile_change") {
    auto basis = store_.profile_change_basis(item.id);
    if (!basis) return later(OutboxStatus::kPending, "cannot read what the change was based on: " + basis.error().describe());
    const ConflictDecision decision = resolve_profile_conflicts(mapping.conflict_policy(), *basis, *canonical);
    outcome.conflict = decision.conflict;
    if (decision.action == ConflictDecision::Action::kNothingToSend) {
      outcome.status = OutboxStatus::kDone;
      return outcome;
    }
    if (decision.action == ConflictDecision::Action::kReject) return parked(decision.conflict);
    if (!decision.conflict.empty())
      if (auto rendered = render(request, mapping, *canonical); !rendered) return parked(rendered.error().describe());
  }
  PushResult result = (*connector)->push(request);
  switch (result.status) {
    case PushStatus::kDelivered:
      outcome.status = OutboxStatus::kDone;
      outcome.erp_ref = result.erp_ref;
      return outcome;
    case PushStatus::kReject: return parked(result.message);
    case PushStatus::kRetry: return later(OutboxStatus::kPending, result.message, result.retry_after);
    case PushStatus::kUnknown: return later(OutboxStatus::kUnknown, result.message);
  }
  return later(OutboxStatus::kUnknown, "unexpected push status");
}

// The ERP request for `entity` through the stream's push mapping. An item that changes an ERP
// record (a profile change's customer) names that record's ERP id (connector.hpp), e.g. for
// json-http's push_path customers('{erp_id}').
Result<void> OutboxWorker::render(PushRequest& request, const Mapping& mapping, const Entity& entity) {
  auto body = mapping.push(entity);
  if (!body) return fail(body.error());
  request.body = std::move(body->body);
  request.content_type = std::move(body->content_type);
  request.statements = std::move(body->statements);
  if (request.kind == "profile_change")
    if (const auto* erp_id = std::get_if<std::string>(&entity.get("erp_id"))) request.erp_id = *erp_id;
  return {};
}

void OutboxWorker::record(const OutboxItem& item, const OutboxOutcome& outcome) {
  metrics_.add("arsync_outbox_pushes_total",
               {{"connector", item.target}, {"kind", item.kind}, {"outcome", to_string(outcome.status)}});
  const LogLevel level = outcome.status == OutboxStatus::kFailed ? LogLevel::kError
                         : outcome.status == OutboxStatus::kDone ? LogLevel::kInfo
                                                                 : LogLevel::kWarn;
  log(level, "outbox_push",
      {{"connector", item.target},
       {"kind", item.kind},
       {"item", static_cast<long long>(item.id)},
       {"key", item.idempotency_key},
       {"outcome", to_string(outcome.status)},
       {"erp_ref", outcome.erp_ref},
       {"error", outcome.error}});
}

}  // namespace arsync
