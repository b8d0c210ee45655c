// json-http against a scripted fake transport and a fake clock: paging, cursor, retry policy.
#include <doctest/doctest.h>

#include "connectors/hmac.hpp"
#include "connectors/json_http_connector.hpp"
#include "tests/connectors/scripted_transport.hpp"

using namespace arsync;
using namespace std::chrono_literals;

namespace {

using test::FakeClock;
using test::g_script;
using test::make_scripted;
using test::Script;

HttpResponse ok(std::string body) { return {200, {{"Content-Type", "application/json"}}, std::move(body)}; }

std::string page(std::initializer_list<std::pair<const char*, const char*>> records, const char* next = nullptr) {
  std::string body = R"({"value":[)";
  bool first = true;
  for (auto [id, modified] : records) {
    body += first ? "" : ",";
    body += std::string(R"({"id":")") + id + R"(","lastModifiedDateTime":")" + modified + R"("})";
    first = false;
  }
  body += "]";
  if (next) body += std::string(R"(,"@odata.nextLink":")") + next + "\"";
  return body + "}";
}

struct Fixture {
  Script script;
  FakeClock clock;
  ConnectorConfig config;
  std::unique_ptr<Connector> connector;

  explicit Fixture(OptionValues stream_options = {}, OptionValues extra = {}) {
    g_script = &script;
    config.name = "erp";
    config.type = "json-http";
    config.options = {{"base_url", {"http://erp.test:8080/api", ""}},
                      {"auth", {"bearer", ""}},
                      {"token", {"s3cret", ""}},
                      {"page_size", {"2", ""}},
                      {"overlap", {"5s", ""}}};
    for (auto& [k, v] : extra) config.options[k] = v;
    stream_options.emplace("path", OptionValue{"invoices", ""});
    config.streams.push_back({"invoices", stream_options, ""});
    ConnectorContext context;
    context.clock = &clock;
    context.make_transport = &make_scripted;
    auto made = json_http_spec().create(config, context);
    REQUIRE(made);
    connector = std::move(*made);
  }
};

}  // namespace

TEST_CASE("the first pull of a stream asks for a page with no filter and sends the bearer token") {
  Fixture f;
  f.script.answers.push_back(ok(page({{"A", "2025-01-01T00:00:00.000Z"}})));
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE(result);
  REQUIRE(f.script.requests.size() == 1);
  CHECK(f.script.requests[0].url == "http://erp.test:8080/api/invoices?%24top=2");
  bool has_auth = false;
  for (auto& [k, v] : f.script.requests[0].headers) has_auth |= (k == "Authorization" && v == "Bearer s3cret");
  CHECK(has_auth);
  CHECK(result->records.size() == 1);
  CHECK(result->cursor == "2025-01-01T00:00:00.000Z");
  CHECK(result->next_page_token.empty());
}

TEST_CASE("a pull path's spaces and quotes are percent-encoded as in push and look-up URLs") {
  Fixture f({{"path", {"companies('CRONUS USA')/invoices", ""}}});
  f.script.answers.push_back(ok(page({{"A", "2025-01-01T00:00:00.000Z"}})));
  REQUIRE(f.connector->pull({"invoices", "", ""}));
  REQUIRE(f.script.requests.size() == 1);
  CHECK(f.script.requests[0].url ==
        "http://erp.test:8080/api/companies(%27CRONUS%20USA%27)/invoices?%24top=2");
}

TEST_CASE("a delta read is inclusive and reaches back by the overlap window at the cursor's precision") {
  Fixture f;
  f.script.answers.push_back(ok(page({})));
  auto result = f.connector->pull({"invoices", "2025-03-01T08:00:03.123Z", ""});
  REQUIRE(result);
  // $filter=lastModifiedDateTime ge 2025-03-01T07:59:58.123Z (5 s earlier, same 3 digits)
  CHECK(f.script.requests[0].url ==
        "http://erp.test:8080/api/invoices?%24top=2&%24filter=lastModifiedDateTime%20ge%202025-03-01T07%3A59%3A58.123Z");
  CHECK(result->cursor == "2025-03-01T08:00:03.123Z");  // no records: the cursor stays
}

TEST_CASE("the cursor is the greatest modification time seen, compared as time not text") {
  Fixture f;
  // +01:00 makes the first record the later one although its text sorts lower.
  f.script.answers.push_back(
      ok(page({{"A", "2025-01-01T10:30:00+01:00"}, {"B", "2025-01-01T09:15:00Z"}}, "/api/invoices?page=2")));
  auto first = f.connector->pull({"invoices", "", ""});
  REQUIRE(first);
  CHECK(first->cursor == "2025-01-01T10:30:00+01:00");
  CHECK(first->next_page_token == "/api/invoices?page=2");

  f.script.answers.push_back(ok(page({{"C", "2025-01-01T09:20:00Z"}})));  // before 09:30Z
  auto second = f.connector->pull({"invoices", "", first->next_page_token});
  REQUIRE(second);
  CHECK(f.script.requests[1].url == "http://erp.test:8080/api/invoices?page=2");
  CHECK(second->cursor == "2025-01-01T10:30:00+01:00");
}

TEST_CASE("an unordered stream commits its cursor only with the run's last page") {
  Fixture f({{"ordered", {"false", ""}}});
  f.script.answers.push_back(ok(page({{"A", "2025-02-01T00:00:00Z"}}, "http://erp.test:8080/api/next")));
  f.script.answers.push_back(ok(page({{"B", "2025-01-01T00:00:00Z"}})));
  auto first = f.connector->pull({"invoices", "2024-12-01T00:00:00Z", ""});
  REQUIRE(first);
  CHECK(first->cursor == "2024-12-01T00:00:00Z");
  auto last = f.connector->pull({"invoices", "2024-12-01T00:00:00Z", first->next_page_token});
  REQUIRE(last);
  CHECK(last->cursor == "2025-02-01T00:00:00Z");
}

TEST_CASE("5xx, transport errors and truncated bodies are retried with growing jittered delays") {
  Fixture f;
  f.script.answers.push_back(HttpResponse{503, {}, "busy"});
  f.script.answers.push_back(fail(ErrorKind::kTransient, "connection reset"));
  f.script.answers.push_back(ok(R"({"value":[{"id":"A","lastMod)"));  // cut off
  f.script.answers.push_back(ok(page({{"A", "2025-01-01T00:00:00Z"}})));
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE(result);
  CHECK(result->records.size() == 1);
  REQUIRE(f.clock.sleeps.size() == 3);
  // Full jitter: attempt n waits in [0, 200ms · 2^(n-1)].
  CHECK(f.clock.sleeps[0] <= 200ms);
  CHECK(f.clock.sleeps[1] <= 400ms);
  CHECK(f.clock.sleeps[2] <= 800ms);
}

TEST_CASE("a 429 waits exactly as long as Retry-After says") {
  Fixture f;
  f.script.answers.push_back(HttpResponse{429, {{"Retry-After", "7"}}, ""});
  f.script.answers.push_back(ok(page({})));
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE(result);
  REQUIRE(f.clock.sleeps.size() == 1);
  CHECK(f.clock.sleeps[0] == 7000ms);
}

TEST_CASE("a 4xx other than 408/429 fails at once as permanent, with the ERP's words") {
  Fixture f;
  f.script.answers.push_back(HttpResponse{403, {}, R"({"error":{"message":"no access to company"}})"});
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::kPermanent);
  CHECK(result.error().message.find("no access to company") != std::string::npos);
  CHECK(f.clock.sleeps.empty());
}

TEST_CASE("retries stop after the configured attempts and the error says so") {
  Fixture f({}, {{"retries", {"3", ""}}});
  for (int i = 0; i < 3; ++i) f.script.answers.push_back(HttpResponse{500, {}, "boom"});
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::kTransient);
  CHECK(result.error().message.find("gave up after 3 attempts") != std::string::npos);
  CHECK(f.script.requests.size() == 3);
}

TEST_CASE("a next link to another origin is refused: credentials never leave the configured ERP") {
  Fixture f;
  auto result = f.connector->pull({"invoices", "", "https://evil.test/api/invoices?page=2"});
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::kPermanent);
  CHECK(f.script.requests.empty());
}

TEST_CASE("a client-side rate limit spaces requests out") {
  Fixture f({}, {{"requests_per_second", {"2", ""}}});
  for (int i = 0; i < 4; ++i) f.script.answers.push_back(ok(page({})));
  for (int i = 0; i < 4; ++i) REQUIRE(f.connector->pull({"invoices", "", ""}));
  // The bucket starts full (2 tokens); the next two each wait ~0.5 s.
  REQUIRE(f.clock.sleeps.size() == 2);
  CHECK(f.clock.sleeps[0] >= 499ms);
  CHECK(f.clock.sleeps[1] >= 499ms);
}

// --- Push (the outbox's side): one attempt per call, classified so that nothing that may have
// reached the ERP is ever sent again without a look-up.

namespace {

HttpResponse answer(int status, std::string body, HttpHeaders headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

PushRequest payment_push(std::string key = "pay_1") {
  return PushRequest{.kind = "payment", .idempotency_key = std::move(key), .body = R"({"amount":1.00})",
                     .stream = "invoices"};
}

std::string header_of(const HttpRequest& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("push: POSTs the body with the idempotency key and reads the ERP's id from the answer") {
  Fixture f({{"push_path", {"payments", ""}}, {"push_ref", {"Payment.Id", ""}}});
  f.script.answers.push_back(answer(201, R"({"Payment":{"Id":"PAY-9"}})"));
  PushResult r = f.connector->push(payment_push());
  CHECK(r.status == PushStatus::kDelivered);
  CHECK(r.erp_ref == "PAY-9");
  REQUIRE(f.script.requests.size() == 1);
  CHECK(f.script.requests[0].method == "POST");
  CHECK(f.script.requests[0].url == "http://erp.test:8080/api/payments");
  CHECK(header_of(f.script.requests[0], "Idempotency-Key") == "pay_1");
  CHECK(header_of(f.script.requests[0], "Authorization") == "Bearer s3cret");
}

TEST_CASE("push: each ERP answer is classified as delivered, retry, reject or unknown") {
  Fixture f;
  struct Case {
    Result<HttpResponse> response;
    PushStatus expected;
  };
  std::vector<Case> cases;
  cases.push_back({answer(422, R"({"error":{"code":"CurrencyMismatch"}})"), PushStatus::kReject});
  cases.push_back({answer(200, R"({"error":{"code":"Locked"}})"), PushStatus::kReject});  // 200 with an error
  cases.push_back({answer(429, "", {{"Retry-After", "7"}}), PushStatus::kRetry});
  cases.push_back({answer(503, ""), PushStatus::kRetry});
  cases.push_back({answer(408, ""), PushStatus::kRetry});
  cases.push_back({answer(500, "oops"), PushStatus::kUnknown});  // may have committed first
  cases.push_back({answer(504, ""), PushStatus::kUnknown});
  cases.push_back({answer(201, "{\"id\":"), PushStatus::kUnknown});  // cut-off answer
  cases.push_back({fail(ErrorKind::kTransient, "connection reset"), PushStatus::kUnknown});
  for (std::size_t i = 0; i < cases.size(); ++i) {
    f.script.answers.push_back(cases[i].response);
    PushResult r = f.connector->push(payment_push());
    INFO("case " << i << ": " << r.message);
    CHECK(r.status == cases[i].expected);
    if (i == 0) CHECK(r.message.find("CurrencyMismatch") != std::string::npos);
    if (i == 2) CHECK(r.retry_after == std::chrono::milliseconds(7000));
  }
}

TEST_CASE("look-up: finds a pushed item by its key (quotes doubled), or says for certain it is absent") {
  Fixture f({{"lookup", {"payments?$filter=idempotencyKey eq '{key}'", ""}}});
  f.script.answers.push_back(answer(200, R"({"value":[{"id":"PAY-3"}]})"));
  auto found = f.connector->lookup(payment_push("o'brien"));
  REQUIRE(found);
  CHECK(*found == std::optional<std::string>("PAY-3"));
  CHECK(f.script.requests[0].url ==
        "http://erp.test:8080/api/payments?$filter=idempotencyKey%20eq%20%27o%27%27brien%27");
  f.script.answers.push_back(answer(200, R"({"value":[]})"));
  auto absent = f.connector->lookup(payment_push());
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());
  f.script.answers.push_back(answer(503, ""));
  CHECK_FALSE(f.connector->lookup(payment_push()).has_value());  // cannot tell: stays unknown

  Fixture no_lookup;
  auto cannot = no_lookup.connector->lookup(payment_push());
  REQUIRE_FALSE(cannot.has_value());
  CHECK(cannot.error().message.find("arsync outbox") != std::string::npos);
}

TEST_CASE("content: each record's file is downloaded and attached with its type, size and sha256") {
  Fixture f({{"content", {"docs('{id}')/file", ""}}, {"page_size", {"3", ""}}});
  f.script.answers.push_back(ok(page({{"A 1", "2025-01-01T00:00:00.000Z"}, {"B", "2025-01-01T00:00:01.000Z"},
                                      {"C", "2025-01-01T00:00:02.000Z"}})));
  const std::string bytes("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n\0binary", 25);
  f.script.answers.push_back(HttpResponse{200, {{"Content-Type", "application/pdf"}}, bytes});
  f.script.answers.push_back(HttpResponse{503, {}, "busy"});  // retried
  f.script.answers.push_back(HttpResponse{200, {{"Content-Type", "image/png"}}, "png"});
  f.script.answers.push_back(HttpResponse{404, {}, R"({"error":{"code":"NotFound"}})"});  // gone: left off
  auto result = f.connector->pull({"invoices", "", ""});
  REQUIRE(result);
  REQUIRE(f.script.requests.size() == 5);
  CHECK(f.script.requests[0].url == "http://erp.test:8080/api/invoices?%24top=3");
  CHECK(f.script.requests[1].url == "http://erp.test:8080/api/docs(%27A%201%27)/file");
  REQUIRE(result->records.size() == 3);
  const Node& a = result->records[0].root;
  REQUIRE(a.find("_content"));
  CHECK(a.find("_content")->text() == bytes);
  CHECK(a.find("_contentType")->text() == "application/pdf");
  CHECK(a.find("_contentLength")->text() == "25");
  CHECK(a.find("_contentSha256")->text() == to_hex(sha256(bytes)));
  CHECK(result->records[1].root.find("_contentType")->text() == "image/png");
  CHECK(result->records[2].root.find("_content") == nullptr);
  CHECK(result->records[0].raw.find("_content") == std::string::npos);  // rejects keep the listing only
  CHECK(result->cursor == "2025-01-01T00:00:02.000Z");
}

TEST_CASE("push: push_method PATCH sends to the changed record, named by its ERP id") {
  Fixture f({{"push_path", {"customers('{erp_id}')", ""}}, {"push_method", {"PATCH", ""}}});
  f.script.answers.push_back(answer(200, R"({"id":"O'Hare 7"})"));
  PushRequest change{.kind = "profile_change", .idempotency_key = "pfc_1", .body = R"({"email":"a@b.example"})",
                     .stream = "invoices", .erp_id = "O'Hare 7"};
  PushResult r = f.connector->push(change);
  CHECK(r.status == PushStatus::kDelivered);
  CHECK(r.erp_ref == "O'Hare 7");
  REQUIRE(f.script.requests.size() == 1);
  CHECK(f.script.requests[0].method == "PATCH");
  // Inside '...' the OData key literal doubles the quote; the id is percent-encoded.
  CHECK(f.script.requests[0].url == "http://erp.test:8080/api/customers(%27O%27%27Hare%207%27)");
  CHECK(header_of(f.script.requests[0], "Idempotency-Key") == "pfc_1");

  // An item without the record's id cannot be sent there: refused, nothing sent.
  change.erp_id.clear();
  r = f.connector->push(change);
  CHECK(r.status == PushStatus::kReject);
  CHECK(r.message.find("needs the ERP id of the record") != std::string::npos);
  CHECK(f.script.requests.size() == 1);
}

TEST_CASE("push: push_method is POST, PATCH or PUT") {
  ConnectorConfig config;
  config.name = "erp";
  config.options = {{"base_url", {"http://erp.test/api", ""}}};
  config.streams.push_back({"customers", {{"path", {"customers", ""}}, {"push_method", {"DELETE", "a.yaml:9:22"}}}, ""});
  auto made = json_http_spec().create(config, ConnectorContext{});
  REQUIRE_FALSE(made.has_value());
  CHECK(made.error().describe() ==
        "a.yaml:9:22: connector erp stream customers: push_method must be POST, PATCH or PUT, not 'DELETE'");
}
