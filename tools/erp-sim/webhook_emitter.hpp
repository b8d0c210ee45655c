// webhook_emitter: erp-sim's outgoing webhooks (API.md "Webhooks"). After each /admin/mutate
// (and on POST /admin/webhooks/emit) the Api hands it the changed records; it queues one
// signed POST per record and returns at once. A worker thread renders each record (fat
// events: as /odata serves it at send time), signs it for the configured scheme and POSTs it
// to --webhook-url, retrying connection failures and 5xx with backoff; it can send a share of
// events twice (same event id and body) and send a batch in reverse order, to exercise a
// receiver's dedupe and ordering.
// Owned by main(). Thread-safe: notify() and counters() from any server thread; one worker
// thread, stopped and joined by the destructor (pending deliveries are dropped).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/webhook_message.hpp"

namespace arsync::sim {

struct WebhookSettings {
  uint16_t port = 0;  // from --webhook-url http://127.0.0.1:PORT/path; 0: webhooks off
  std::string path = "/";
  WebhookFormat format = WebhookFormat::kHmacSha256;
  std::string secret = "erp-sim-webhook-secret";
  double duplicate_rate = 0;  // share of events delivered twice
  bool reorder = false;       // deliver each batch in reverse order
  bool thin = false;          // ids only (hmac-sha256/stripe; qbo and xero are always thin)
  bool enabled() const { return port != 0; }
};

// Parses "http://127.0.0.1:PORT/path" into settings; false if it is any other shape.
bool parse_webhook_url(std::string_view url, WebhookSettings& settings);

struct WebhookCounters {
  int64_t sent = 0;        // deliveries queued, duplicates included (retries are not counted)
  int64_t delivered = 0;   // answered 2xx
  int64_t failed = 0;      // gave up: 4xx, or still failing after the last retry
  int64_t duplicates = 0;  // extra copies among `sent`
};

class WebhookEmitter {
 public:
  WebhookEmitter(const Dataset& dataset, WebhookSettings settings, uint64_t seed);
  ~WebhookEmitter();
  WebhookEmitter(const WebhookEmitter&) = delete;
  WebhookEmitter& operator=(const WebhookEmitter&) = delete;

  // Queues one event per record id (wire ids, as /admin/mutate returns them).
  void notify(Collection collection, const std::vector<std::string>& record_ids, WebhookChange change);
  void notify(Collection collection, const std::vector<std::string>& record_ids, bool created) {
    notify(collection, record_ids, created ? WebhookChange::kCreated : WebhookChange::kUpdated);
  }
  WebhookCounters counters() const;

 private:
  struct Delivery {
    WebhookEventData event;  // record_json still empty: rendered at send time
    bool duplicate = false;  // send the same body a second time
  };
  void run();
  void deliver(Delivery& delivery);
  bool send_with_retries(const std::string& body, const std::string& event_id);

  // Constant after construction
  const Dataset& dataset_;
  const WebhookSettings settings_;
  const uint64_t seed_;
  const std::string id_prefix_;  // "evt-<start ms>-": unique across runs

  std::mutex mutex_;
  std::condition_variable wake_;
  // Touched only under mutex_
  std::deque<Delivery> queue_;
  bool stopping_ = false;
  uint64_t next_sequence_ = 1;

  std::atomic<int64_t> sent_{0}, delivered_{0}, failed_{0}, duplicates_{0};
  std::thread worker_;  // last: starts after everything above exists
};

// "INV-0000042" -> 42 for `collection`; -1 if it is not that collection's id.
int64_t parse_record_id(Collection collection, std::string_view wire_id);

// What an /admin/mutate action notifies: add creates, delete deletes, the rest update.
WebhookChange webhook_change(MutationAction action);

}  // namespace arsync::sim
