// webhook_emitter: see webhook_emitter.hpp.
#include "tools/erp-sim/webhook_emitter.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/sim_hash.hpp"
#include "tools/erp-sim/webhook_client.hpp"
#include "tools/erp-sim/written_json.hpp"

namespace arsync::sim {
namespace {

constexpr uint64_t kDuplicateStream = 700;
constexpr int kAttempts = 5;  // first try plus 4 retries: 50, 100, 200, 400 ms apart
constexpr auto kFirstBackoff = std::chrono::milliseconds(50);
constexpr auto kPostTimeout = std::chrono::seconds(10);

int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool parse_webhook_url(std::string_view url, WebhookSettings& settings) {
  constexpr std::string_view kPrefix = "http://127.0.0.1:";
  if (!url.starts_with(kPrefix)) return false;
  url.remove_prefix(kPrefix.size());
  const size_t slash = std::min(url.find('/'), url.size());
  uint16_t port = 0;
  const auto [end, ec] = std::from_chars(url.data(), url.data() + slash, port);
  if (ec != std::errc() || end != url.data() + slash || port == 0) return false;
  settings.port = port;
  settings.path = slash == url.size() ? "/" : std::string(url.substr(slash));
  return true;
}

int64_t parse_record_id(Collection collection, std::string_view wire_id) {
  const std::string expected_prefix = record_id(collection, 0);
  return parse_prefixed_number(std::string_view(expected_prefix).substr(0, expected_prefix.find('-') + 1), wire_id);
}

WebhookChange webhook_change(MutationAction action) {
  if (action == MutationAction::kAdd) return WebhookChange::kCreated;
  if (action == MutationAction::kDelete) return WebhookChange::kDeleted;
  return WebhookChange::kUpdated;
}

WebhookEmitter::WebhookEmitter(const Dataset& dataset, WebhookSettings settings, uint64_t seed)
    : dataset_(dataset),
      settings_(std::move(settings)),
      seed_(seed),
      id_prefix_("evt-" + std::to_string(unix_ms()) + "-"),
      worker_([this] { run(); }) {}

WebhookEmitter::~WebhookEmitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void WebhookEmitter::notify(Collection collection, const std::vector<std::string>& record_ids,
                            WebhookChange change) {
  std::vector<Delivery> batch;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& id : record_ids) {
      const uint64_t sequence = next_sequence_++;
      Delivery delivery;
      delivery.event =
          WebhookEventData{id_prefix_ + std::to_string(sequence), collection, id, change, 0, {}, sequence};
      // Which events are duplicated is a function of the seed and the event's sequence.
      delivery.duplicate = unit_interval(mix(seed_, kDuplicateStream, sequence)) < settings_.duplicate_rate;
      batch.push_back(std::move(delivery));
    }
    if (settings_.reorder) std::reverse(batch.begin(), batch.end());
    for (Delivery& delivery : batch) {
      sent_ += delivery.duplicate ? 2 : 1;
      duplicates_ += delivery.duplicate ? 1 : 0;
      queue_.push_back(std::move(delivery));
    }
  }
  wake_.notify_all();
}

WebhookCounters WebhookEmitter::counters() const {
  return WebhookCounters{sent_.load(), delivered_.load(), failed_.load(), duplicates_.load()};
}

void WebhookEmitter::run() {
  for (;;) {
    Delivery delivery;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      delivery = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(delivery);
  }
}

void WebhookEmitter::deliver(Delivery& delivery) {
  WebhookEventData& event = delivery.event;
  const int64_t id = parse_record_id(event.collection, event.record_id);
  std::string record;
  const auto modified = dataset_.write_one(event.collection, id, record);
  event.modified_ms = modified.value_or(0);
  const bool fat = !settings_.thin && (settings_.format == WebhookFormat::kHmacSha256 ||
                                       settings_.format == WebhookFormat::kStripe);
  if (fat) event.record_json = std::move(record);
  const std::string body = webhook_body(settings_.format, event);
  for (int copy = 0; copy < (delivery.duplicate ? 2 : 1); ++copy)
    (send_with_retries(body, event.event_id) ? delivered_ : failed_) += 1;
}

bool WebhookEmitter::send_with_retries(const std::string& body, const std::string& event_id) {
  auto backoff = kFirstBackoff;
  for (int attempt = 1;; ++attempt) {
    // Signed per attempt: Stripe's t= is the time of sending, as Stripe's own retries do.
    const WebhookHeaders headers =
        webhook_headers(settings_.format, settings_.secret, body, event_id, unix_ms() / 1000);
    const PostOutcome outcome = post_webhook(settings_.port, settings_.path, headers, body, kPostTimeout);
    if (outcome.answered && outcome.status >= 200 && outcome.status < 300) return true;
    if (outcome.answered && outcome.status < 500) return false;  // 4xx: resending will not help
    if (attempt == kAttempts) return false;
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return false;
    backoff *= 2;
  }
}

}  // namespace arsync::sim
