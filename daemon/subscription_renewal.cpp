#include "daemon/subscription_renewal.hpp"

#include <pthread.h>

#include <nlohmann/json.hpp>

#include "connectors/business_central_webhook.hpp"
#include "schema/log.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr auto kTimeout = std::chrono::seconds(30);

Result<json> call(HttpTransport& transport, const Subscription& s, HttpRequest request, const char* step) {
  request.url = s.url;
  request.headers.emplace_back("Accept", "application/json");
  if (!s.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + s.token);
  auto response = transport.send(request, kTimeout);
  if (!response) return fail(response.error().kind, std::string(step) + ": " + response.error().message, s.url);
  if (response->status < 200 || response->status >= 300) {
    ErrorKind kind = response->status == 429 || response->status >= 500 ? ErrorKind::kTransient
                     : response->status == 404                         ? ErrorKind::kNotFound
                                                                       : ErrorKind::kPermanent;
    std::string hint = kind == ErrorKind::kNotFound ? " (the subscription expired or was deleted: create it again)" : "";
    return fail(kind, std::string(step) + ": Business Central answered " + std::to_string(response->status) + hint +
                          ": " + response->body.substr(0, 300),
                s.url);
  }
  json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) return fail(ErrorKind::kTransient, std::string(step) + ": the answer is not a JSON object", s.url);
  return body;
}

std::string member(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<Subscription> subscriptions_to_renew(const Config& config) {
  std::vector<Subscription> out;
  const WebhookSchemeSpec& bc = business_central_webhook_spec();
  for (const ConnectorEntry& connector : config.connectors) {
    if (connector.webhook.scheme != bc.name) continue;
    OptionReader options(connector.webhook.options, bc.options);
    if (options.string("subscription_url").empty()) continue;
    Subscription s{connector.config.name,         options.string("subscription_url"), options.string("token"),
                   options.string("client_state"), options.duration("renew_every"),   options.duration("renew_retry"),
                   {}};
    if (s.token.empty())
      if (auto token = connector.config.options.find("token"); token != connector.config.options.end())
        s.token = token->second.text;
    if (auto verify = connector.config.options.find("verify_tls"); verify != connector.config.options.end())
      s.transport.verify_tls = verify->second.text != "false";
    if (auto ca = connector.config.options.find("ca_file"); ca != connector.config.options.end())
      s.transport.ca_file = ca->second.text;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::string> renew_subscription(HttpTransport& transport, const Subscription& s) {
  // The ETag changes with every renewal, so it is read right before the PATCH.
  auto current = call(transport, s, {"GET", {}, {}, {}}, "reading the subscription");
  if (!current) return fail(current.error());
  std::string etag = member(*current, "@odata.etag");
  json patch = {{"notificationUrl", member(*current, "notificationUrl")},
                {"resource", member(*current, "resource")},
                {"clientState", s.client_state}};
  HttpRequest request{"PATCH", {}, {{"Content-Type", "application/json"}, {"If-Match", etag.empty() ? "*" : etag}},
                      patch.dump()};
  auto renewed = call(transport, s, std::move(request), "renewing the subscription");
  if (!renewed) return fail(renewed.error());
  std::string expires = member(*renewed, "expirationDateTime");
  if (expires.empty())
    return fail(ErrorKind::kTransient, "the renewal's answer has no expirationDateTime", s.url);
  return expires;
}

SubscriptionRenewal::SubscriptionRenewal(std::vector<Subscription> subscriptions, Metrics& metrics)
    : subscriptions_(std::move(subscriptions)), metrics_(metrics), thread_([this](std::stop_token stop) { run(stop); }) {}

SubscriptionRenewal::~SubscriptionRenewal() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void SubscriptionRenewal::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bc-renewal");
  if (subscriptions_.empty()) return;
  std::vector<Steady::time_point> due(subscriptions_.size(), Steady::now());  // renew at start-up
  std::vector<int> failures(subscriptions_.size(), 0);
  auto transport = make_http_transport();
  HttpTransportOptions transport_options;
  while (!stop.stop_requested()) {
    std::size_t next = static_cast<std::size_t>(std::min_element(due.begin(), due.end()) - due.begin());
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, stop, due[next], [] { return false; }); stop.stop_requested()) return;
    }
    const Subscription& s = subscriptions_[next];
    if (s.transport.verify_tls != transport_options.verify_tls || s.transport.ca_file != transport_options.ca_file) {
      transport_options = s.transport;
      transport = make_http_transport(transport_options);
    }
    auto expires = renew_subscription(*transport, s);
    Labels labels{{"connector", s.connector}};
    if (expires) {
      failures[next] = 0;
      due[next] = Steady::now() + s.every;
      log(LogLevel::kInfo, "subscription_renewed", {{"connector", s.connector}, {"expires", *expires}});
      metrics_.add("arsync_subscription_renewals_total", {{"connector", s.connector}, {"outcome", "renewed"}});
      if (auto at = parse_iso8601(*expires))
        metrics_.set("arsync_subscription_expiry_timestamp_seconds", labels,
                     std::chrono::duration<double>(at->time_since_epoch()).count());
    } else {
      ++failures[next];
      auto delay = std::min<std::chrono::milliseconds>(s.retry * (1LL << std::min(failures[next] - 1, 16)), s.every);
      due[next] = Steady::now() + delay;
      log(LogLevel::kError, "subscription_renewal_failed",
          {{"connector", s.connector},
           {"attempt", failures[next]},
           {"retry_in_ms", static_cast<long long>(delay.count())},
           {"error", expires.error().describe()}});
      metrics_.add("arsync_subscription_renewals_total", {{"connector", s.connector}, {"outcome", "failed"}});
    }
  }
}

}  // namespace arsync
