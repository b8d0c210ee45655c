// erp-sim's webhook emitter against arsync's webhook schemes: the real erp-sim posts to a small
// recording HTTP listener in this test, and every delivery must pass the corresponding
// connectors/*_webhook scheme (same spec, two independent implementations) and read back as
// the records that changed. Also duplicates, reordering, thin vs fat, retries, counters.
#include <doctest/doctest.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>  // before Asio (platform-notes)

#include "connectors/webhook.hpp"
#include "tests/integration/support_listener.hpp"
#include "tests/support/erp_sim_process.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace arsync;
using namespace arsync::test;
using nlohmann::json;

// A loopback listener that records every request and answers it with status_for(index): 200
// unless a test scripts failures.
class Receiver {
 public:
  explicit Receiver(std::function<unsigned(size_t)> status_for = [](size_t) { return 200u; })
      : status_for_(std::move(status_for)), listener_([this](const ListenerRequest& r) { return record(r); }) {}

  std::string url(const std::string& path) const { return listener_.url(path); }

  // The requests so far, once at least `count` have arrived (fails the test after 30 s).
  std::vector<WebhookRequest> wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    const bool arrived =
        arrived_.wait_for(lock, std::chrono::seconds(30), [&] { return received_.size() >= count; });
    INFO("expected " << count << " requests, got " << received_.size());
    REQUIRE(arrived);
    return received_;
  }

 private:
  ListenerResponse record(const ListenerRequest& request) {
    size_t index;
    {
      std::lock_guard lock(mutex_);
      index = received_.size();
      received_.push_back({request.method, request.target, request.headers, request.body});
    }
    arrived_.notify_all();
    return {status_for_(index), "", "text/plain"};
  }

  std::function<unsigned(size_t)> status_for_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<WebhookRequest> received_;  // under mutex_
  LoopbackListener listener_;             // last: serves once everything above exists
};

std::unique_ptr<WebhookScheme> scheme(std::string_view name,
                                      const std::map<std::string, std::string>& options) {
  OptionValues values;
  for (const auto& [key, value] : options) values[key] = OptionValue{value, "test"};
  auto created = find_webhook_scheme(name)->create(values);
  REQUIRE(created.has_value());
  return std::move(*created);
}

json post_json(const ErpSimProcess& sim, const std::string& target, const std::string& body,
               unsigned status = 200) {
  const HttpReply reply = http_request("POST", "127.0.0.1", sim.port(), target, body);
  INFO(target << " -> " << reply.status << " " << reply.body);
  REQUIRE(reply.status == status);
  return json::parse(reply.body);
}

std::vector<std::string> mutate(const ErpSimProcess& sim, const std::string& action, int count) {
  return post_json(sim, "/admin/mutate",
                   R"({"collection":"invoices","action":")" + action + R"(","count":)" +
                       std::to_string(count) + "}")
      .at("ids")
      .get<std::vector<std::string>>();
}

// Waits until the sim has finished every queued delivery (sent == delivered + failed), then
// returns its counters.
json settled_counters(const ErpSimProcess& sim) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    const json counters = json::parse(http_request("GET", "127.0.0.1", sim.port(), "/admin/webhooks").body);
    if (counters["sent"] == counters["delivered"].get<int>() + counters["failed"].get<int>()) return counters;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition, not a timing guess
  }
}

WebhookEvent only_event(const Result<std::vector<WebhookEvent>>& events) {
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  return events->front();
}

}  // namespace

TEST_CASE("erp-sim's fat hmac-sha256 events pass arsync's scheme and carry the record /odata serves") {
  Receiver receiver;
  ErpSimProcess sim(
      {"--invoices", "200", "--webhook-url", receiver.url("/webhooks/erp"), "--webhook-secret", "k1"});
  const std::vector<std::string> ids = mutate(sim, "modify", 3);
  REQUIRE(ids.size() == 3);
  const auto requests = receiver.wait_for(3);
  const auto hmac = scheme("hmac-sha256", {{"secret", "k1"}, {"event_id_header", "X-Event-Id"}});
  const auto impostor = scheme("hmac-sha256", {{"secret", "k2"}});
  const json page =
      parse_exact(http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices?$top=20000").body);
  std::set<std::string> event_ids, record_ids;
  for (const WebhookRequest& request : requests) {
    CHECK(request.target == "/webhooks/erp");
    const WebhookCheck check = hmac->verify(request, std::chrono::system_clock::now());
    CHECK(check.verdict == WebhookVerdict::kAccept);
    CHECK(impostor->verify(request, std::chrono::system_clock::now()).verdict == WebhookVerdict::kReject);
    const WebhookEvent event = only_event(hmac->read_events(request.body));
    CHECK(event.event_id == check.event_id);
    CHECK(event.entity == "invoices");
    CHECK(event.operation == "update");
    REQUIRE(event.erp_ids.size() == 1);
    event_ids.insert(event.event_id);
    record_ids.insert(event.erp_ids[0]);
    // The payload is the record exactly as /odata serves it (numbers compared as source text).
    const json payload = parse_exact(event.payload);
    CHECK(payload.at("externalDocumentNumber").get<std::string>().starts_with("PO-R"));
    const auto served = std::find_if(page["value"].begin(), page["value"].end(),
                                     [&](const json& r) { return r["id"] == event.erp_ids[0]; });
    REQUIRE(served != page["value"].end());
    CHECK(payload == *served);
    CHECK(event.occurred_at == payload.at("lastModifiedDateTime").get<std::string>());
  }
  CHECK(event_ids.size() == 3);
  CHECK(record_ids == std::set<std::string>(ids.begin(), ids.end()));
  const json counters = settled_counters(sim);
  CHECK(counters["sent"] == 3);
  CHECK(counters["delivered"] == 3);
  CHECK(counters["failed"] == 0);
  CHECK(counters["duplicates"] == 0);
}

TEST_CASE("erp-sim's thin stripe events: duplicates repeat the event id, reorder reverses a batch") {
  Receiver receiver;
  ErpSimProcess sim({"--invoices", "50", "--webhook-url", receiver.url("/hooks"), "--webhook-scheme",
                     "stripe", "--webhook-secret", "whsec_sim", "--webhook-thin", "--webhook-duplicates", "1",
                     "--webhook-reorder"});
  const std::vector<std::string> ids = mutate(sim, "add", 3);
  REQUIRE(ids.size() == 3);
  const auto requests = receiver.wait_for(6);
  const auto stripe = scheme("stripe", {{"secret", "whsec_sim"}});
  std::vector<std::string> order, event_ids;
  for (const WebhookRequest& request : requests) {
    CHECK(stripe->verify(request, std::chrono::system_clock::now()).verdict == WebhookVerdict::kAccept);
    const WebhookEvent event = only_event(stripe->read_events(request.body));
    CHECK(event.operation == "create");
    CHECK(event.payload.empty());
    order.push_back(event.erp_ids.at(0));
    event_ids.push_back(event.event_id);
  }
  // Each event twice in a row (same id), the batch in reverse order.
  CHECK(order == std::vector<std::string>{ids[2], ids[2], ids[1], ids[1], ids[0], ids[0]});
  for (size_t i = 0; i < 6; i += 2) CHECK(event_ids[i] == event_ids[i + 1]);
  CHECK(std::set<std::string>(event_ids.begin(), event_ids.end()).size() == 3);
  const json counters = settled_counters(sim);
  CHECK(counters["sent"] == 6);
  CHECK(counters["delivered"] == 6);
  CHECK(counters["duplicates"] == 3);
}

TEST_CASE("erp-sim's qbo and xero notifications pass arsync's qbo and xero schemes") {
  const std::pair<std::string, std::string> kSchemes[] = {{"qbo", "verifier_token"}, {"xero", "webhook_key"}};
  for (const auto& [name, option] : kSchemes) {
    CAPTURE(name);
    Receiver receiver;
    ErpSimProcess sim({"--invoices", "20", "--webhook-url", receiver.url("/w"), "--webhook-scheme", name,
                       "--webhook-secret", "vendor-key"});
    post_json(sim, "/admin/webhooks/emit", R"({"collection":"invoices","ids":["INV-0000005"]})");
    const WebhookRequest request = receiver.wait_for(1).front();
    const auto vendor = scheme(name, {{option, "vendor-key"}});
    CHECK(vendor->verify(request, std::chrono::system_clock::now()).verdict == WebhookVerdict::kAccept);
    CHECK(scheme(name, {{option, "other"}})->verify(request, std::chrono::system_clock::now()).verdict ==
          WebhookVerdict::kReject);
    const WebhookEvent event = only_event(vendor->read_events(request.body));
    CHECK(event.erp_ids == std::vector<std::string>{"INV-0000005"});
    CHECK(event.entity == (name == "qbo" ? "Invoice" : "INVOICE"));
    CHECK(event.operation == "update");
    CHECK(event.payload.empty());
    CHECK(event.occurred_at.ends_with("Z"));
  }
}

TEST_CASE("erp-sim retries a 5xx with the same body, and gives up on a 4xx") {
  Receiver flaky([](size_t index) { return index < 2 ? 503u : 200u; });
  ErpSimProcess sim({"--invoices", "20", "--webhook-url", flaky.url("/w")});
  post_json(sim, "/admin/webhooks/emit", R"({"collection":"customers","ids":["CUST-000002"]})");
  const auto requests = flaky.wait_for(3);
  CHECK(requests[0].body == requests[1].body);
  CHECK(requests[1].body == requests[2].body);
  json counters = settled_counters(sim);
  CHECK(counters["delivered"] == 1);
  CHECK(counters["failed"] == 0);

  Receiver refusing([](size_t) { return 401u; });
  ErpSimProcess refused({"--invoices", "20", "--webhook-url", refusing.url("/w")});
  post_json(refused, "/admin/webhooks/emit", R"({"collection":"invoices","ids":["INV-0000001"]})");
  refusing.wait_for(1);
  counters = settled_counters(refused);
  CHECK(counters["sent"] == 1);
  CHECK(counters["failed"] == 1);
}

TEST_CASE("with nobody listening, the admin answer is not held up and delivery fails after its retries") {
  uint16_t closed_port = 0;
  {
    LoopbackListener probe([](const ListenerRequest&) { return ListenerResponse{}; });
    closed_port = probe.port();
  }  // closed again: connections to it are refused
  ErpSimProcess sim(
      {"--invoices", "20", "--webhook-url", "http://127.0.0.1:" + std::to_string(closed_port) + "/w"});
  CHECK(mutate(sim, "modify", 2).size() == 2);
  const json counters = settled_counters(sim);
  CHECK(counters["sent"] == 2);
  CHECK(counters["delivered"] == 0);
  CHECK(counters["failed"] == 2);
}

TEST_CASE("/admin/webhooks/emit needs --webhook-url and existing records") {
  ErpSimProcess plain({"--invoices", "20"});
  post_json(plain, "/admin/webhooks/emit", R"({"collection":"invoices","ids":["INV-0000001"]})", 409);
  CHECK(json::parse(http_request("GET", "127.0.0.1", plain.port(), "/admin/webhooks").body)["enabled"] ==
        false);
  Receiver receiver;
  ErpSimProcess sim({"--invoices", "20", "--webhook-url", receiver.url("/w")});
  post_json(sim, "/admin/webhooks/emit", R"({"collection":"invoices","ids":["INV-0000999"]})", 404);
  post_json(sim, "/admin/webhooks/emit", R"({"collection":"invoices","ids":["CUST-000001"]})", 404);
  post_json(sim, "/admin/webhooks/emit", R"({"collection":"ledgers","ids":[]})", 400);
  CHECK(settled_counters(sim)["sent"] == 0);
}
