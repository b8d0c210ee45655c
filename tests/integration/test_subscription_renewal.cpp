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
#include <thread>
#include <utility>  // before Asio (platform-notes)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "daemon/subscription_renewal.hpp"
#include "tests/integration/support_daemon.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// BC's subscription endpoint for one subscription; answers 503 to the first `failures` requests.
class SubscriptionEndpoint {
 public:
  explicit SubscriptionEndpoint(int failures = 0) : failures_(failures) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~SubscriptionEndpoint() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
           "/api/v2.0/subscriptions('arsync-invoices')";
  }
  int renewals() const { return renewals_; }
  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      http::response<http::string_body> response = answer(request);
      response.keep_alive(false);
      response.prepare_payload();
      http::write(socket, response, ec);
    }
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    std::lock_guard lock(mutex_);
    std::string method(request.method_string());
    log_.push_back(method + " " + std::string(request[http::field::authorization]) + " " +
                   std::string(request[http::field::if_match]) + " " + request.body());
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    if (failures_ > 0) {
      --failures_;
      response.result(http::status::service_unavailable);
      return response;
    }
    if (std::string(request[http::field::authorization]) != "Bearer bc-token") {
      response.result(http::status::unauthorized);
      return response;
    }
    if (method == "PATCH") {
      json body = json::parse(request.body(), nullptr, false);
      if (std::string(request[http::field::if_match]) != etag() || !body.is_object() ||
          body.value("clientState", "") != "state-secret" || body.value("resource", "") != kResource) {
        response.result(http::status::precondition_failed);
        return response;
      }
      ++renewals_;
    }
    response.body() = json{{"@odata.etag", etag()},
                           {"subscriptionId", "arsync-invoices"},
                           {"notificationUrl", "https://arsync.example.com/webhooks/bc"},
                           {"resource", kResource},
                           {"expirationDateTime", "2026-01-0" + std::to_string(1 + renewals_) + "T10:00:00Z"}}
                          .dump();
    return response;
  }
  std::string etag() const { return "W/\"JzQ0O" + std::to_string(renewals_.load()) + "\""; }

  static constexpr const char* kResource = "api/v2.0/companies(c0ffee)/salesInvoices";
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::atomic<bool> stopping_{false};
  std::atomic<int> renewals_{0};
  int failures_;
  std::mutex mutex_;
  std::vector<std::string> log_;
  std::thread thread_;
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
