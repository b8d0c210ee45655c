// Business Central subscription renewal (DESIGN §4 webhooks; BC drops a subscription 3 days
// after its last renewal). BC's cloud cannot be reached from a test, so a small local server
// here stands in for its subscription endpoint: GET answers the subscription with an ETag,
// PATCH renews it only with the current ETag (If-Match) and the full subscription, as BC does.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>


#include "daemon/subscription_renewal.hpp"
#include "tests/integration/support_daemon.hpp"
#include "tests/integration/support_listener.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// BC's subscription endpoint for one subscription; answers 503 to the first `failures` requests.
class SubscriptionEndpoint {
 public:
  explicit SubscriptionEndpoint(int failures = 0)
      : failures_(failures), listener_([this](const ListenerRequest& r) { return answer(r); }) {}
  std::string url() const { return listener_.url("/api/v2.0/subscriptions('arsync-invoices')"); }
  int renewals() const { return renewals_; }
  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  ListenerResponse answer(const ListenerRequest& request) {
    std::lock_guard lock(mutex_);
    const std::string authorization = request.header("Authorization"), if_match = request.header("If-Match");
    log_.push_back(request.method + " " + authorization + " " + if_match + " " + request.body);
    if (failures_ > 0) {
      --failures_;
      return {503, "{}"};
    }
    if (authorization != "Bearer bc-token") return {401, "{}"};
    if (request.method == "PATCH") {
      json body = json::parse(request.body, nullptr, false);
      if (if_match != etag() || !body.is_object() || body.value("clientState", "") != "state-secret" ||
          body.value("resource", "") != kResource)
        return {412, "{}"};
      ++renewals_;
    }
    return {200, json{{"@odata.etag", etag()},
                      {"subscriptionId", "arsync-invoices"},
                      {"notificationUrl", "https://arsync.example.com/webhooks/bc"},
                      {"resource", kResource},
                      {"expirationDateTime", "2026-01-0" + std::to_string(1 + renewals_) + "T10:00:00Z"}}
                     .dump()};
  }
  std::string etag() const { return "W/\"JzQ0O" + std::to_string(renewals_.load()) + "\""; }

  static constexpr const char* kResource = "api/v2.0/companies(c0ffee)/salesInvoices";
  std::atomic<int> renewals_{0};
  int failures_;
  std::mutex mutex_;
  std::vector<std::string> log_;
  LoopbackListener listener_;  // last: serves once everything above exists
};

// Points the deployment's demo connector's webhooks at business-central with renewal options.
void use_business_central(const SyncDeployment& deployment, const std::string& options) {
  std::ifstream in(deployment.config());
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  const std::string anchor = "    type: json-http\n";
  config.insert(config.find(anchor) + anchor.size(),
                "    webhook:\n      scheme: business-central\n      client_state: state-secret\n" + options);
  std::ofstream(deployment.config()) << config;
}

}  // namespace

TEST_CASE("a renewal reads the subscription's ETag, then PATCHes it with If-Match and the clientState") {
  SubscriptionEndpoint bc;
  Subscription s{"bc", bc.url(), "bc-token", "state-secret", 48h, 30s, {}};
  auto transport = make_http_transport();
  auto expires = renew_subscription(*transport, s);
  INFO((expires ? "" : expires.error().describe()));
  REQUIRE(expires);
  CHECK(*expires == "2026-01-02T10:00:00Z");
  auto again = renew_subscription(*transport, s);  // the ETag moved: read again, not reused
  REQUIRE(again);
  CHECK(*again == "2026-01-03T10:00:00Z");
  auto log = bc.log();
  REQUIRE(log.size() == 4);
  CHECK(log[0].starts_with("GET Bearer bc-token"));
  CHECK(log[1].starts_with("PATCH Bearer bc-token W/\"JzQ0O0\" "));
  CHECK(log[3].starts_with("PATCH Bearer bc-token W/\"JzQ0O1\" "));

  Subscription wrong = s;
  wrong.client_state = "not-it";
  auto refused = renew_subscription(*transport, wrong);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kPermanent);
  CHECK(refused.error().message.find("412") != std::string::npos);
  CHECK(refused.error().describe().find("state-secret") == std::string::npos);
}

TEST_CASE("arsync run renews at start, retries a failed renewal with backoff, and shows both in /metrics") {
  ErpSimProcess sim({"--seed", "91", "--customers", "5", "--invoices", "10"});
  SubscriptionEndpoint bc(/*failures=*/2);
  SyncDeployment deployment(sim, {{"token", "bc-token"}, {"auth", "bearer"}}, {.poll = "1h"});
  use_business_central(deployment, "      subscription_url: \"" + bc.url() +
                                       "\"\n      renew_retry: 50ms\n      renew_every: 1s\n");
  Daemon daemon(deployment);
  wait_until([&] { return bc.renewals() >= 2; }, 60s, "two renewals");
  CHECK(daemon.logged("event=subscription_renewal_failed connector=demo attempt=2"));
  CHECK(daemon.logged("event=subscription_renewed connector=demo"));
  CHECK_FALSE(daemon.logged("bc-token"));
  CHECK_FALSE(daemon.logged("state-secret"));
  auto metrics = daemon.get("/metrics").body;
  CHECK(metrics.find("arsync_subscription_renewals_total{connector=\"demo\",outcome=\"failed\"} 2") !=
        std::string::npos);
  CHECK(metrics.find("arsync_subscription_renewals_total{connector=\"demo\",outcome=\"renewed\"}") !=
        std::string::npos);
  CHECK(metrics.find("arsync_subscription_expiry_timestamp_seconds{connector=\"demo\"} 176") !=
        std::string::npos);
  daemon.process->kill(SIGTERM);
  auto status = daemon.process->wait(30s);
  REQUIRE(status);
  CHECK(status->ok());
}
