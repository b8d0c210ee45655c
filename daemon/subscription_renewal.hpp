// SubscriptionRenewal: keeps Business Central webhook subscriptions alive for `arsync run`.
//
// BC deletes a webhook subscription three days after it was created or last renewed; renewing
// is a PATCH of the subscription carrying its current ETag (If-Match). For every connector
// whose business-central webhook names a `subscription_url`, this renews at start-up and then
// every `renew_every` (48 h by default): GET the subscription (its @odata.etag, notificationUrl
// and resource), then PATCH it with those and the clientState, through the connectors' HTTP
// transport. A failure is logged and retried after `renew_retry`, doubling, never later than
// the next regular renewal; /metrics shows every attempt's outcome and the expiry BC reported.
// Secrets (token, clientState) are never logged.
//
// Owner: the daemon; one thread, started by the constructor, stopped and joined by the
// destructor. Thread-safe by construction: nothing is shared but Metrics (itself thread-safe).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "connectors/http_transport.hpp"
#include "daemon/config.hpp"
#include "daemon/metrics.hpp"

namespace arsync {

struct Subscription {
  std::string connector;
  std::string url;           // the subscription resource
  std::string token;         // bearer token; "" = none
  std::string client_state;  // sent with the renewal, as BC expects the full subscription
  std::chrono::milliseconds every{};
  std::chrono::milliseconds retry{};
  HttpTransportOptions transport;
};

// The subscriptions `config` asks to keep alive (business-central webhooks with a subscription_url).
std::vector<Subscription> subscriptions_to_renew(const Config& config);

// One renewal; the new expirationDateTime on success. Exposed for tests.
Result<std::string> renew_subscription(HttpTransport& transport, const Subscription& subscription);

class SubscriptionRenewal {
 public:
  SubscriptionRenewal(std::vector<Subscription> subscriptions, Metrics& metrics);
  ~SubscriptionRenewal();
  SubscriptionRenewal(const SubscriptionRenewal&) = delete;
  SubscriptionRenewal& operator=(const SubscriptionRenewal&) = delete;

 private:
  void run(std::stop_token stop);

  // Constant after construction
  const std::vector<Subscription> subscriptions_;
  Metrics& metrics_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts after everything above exists
};

}  // namespace arsync
