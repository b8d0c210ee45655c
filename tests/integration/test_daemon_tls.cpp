// `arsync run` serving HTTPS from a configured certificate and key (DESIGN §7): a webhook over
// TLS is verified and stored; plain HTTP to the TLS port gets no HTTP answer. The certificate
// is a self-signed pair made by the openssl command line for this test.
#include <doctest/doctest.h>

#include <cstdlib>

#include "connectors/http_transport.hpp"
#include "tests/integration/support_daemon.hpp"

using namespace arsync;
using namespace arsync::test;
using namespace std::chrono_literals;

TEST_CASE("over TLS a signed webhook is accepted and stored; plain HTTP to the TLS port is refused") {
  TempDir keys("arsync-tls");
  const auto cert = keys / "tls.crt", key = keys / "tls.key";
  std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                        key.string() + " -out " + cert.string() + " 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);

  ErpSimProcess sim({"--seed", "95", "--customers", "5", "--invoices", "10"});
  const std::string secret = "whsec-tls";
  SyncDeployment deployment(
      sim, {},
      {.webhook_secret = secret,
       .poll = "1h",
       .server_extra = "  tls_cert: " + cert.string() + "\n  tls_key: " + key.string() + "\n"});
  Daemon daemon(deployment);
  wait_until([&] { return runs_done(deployment) >= 4; }, 30s, "the first sync");

  // The client verifies the daemon's certificate against the pair made above.
  auto https = make_http_transport({.verify_tls = true, .ca_file = cert.string()});
  const std::string base = "https://127.0.0.1:" + std::to_string(daemon.port);
  auto health = https->send({"GET", base + "/healthz", {}, {}}, 10s);
  INFO((health ? "" : health.error().describe()));
  REQUIRE(health);
  CHECK(health->status == 200);

  const std::string body = R"({"id":"evt-tls-1","type":"invoices.updated","ids":["INV-0000001"]})";
  auto forged = https->send({"POST", base + "/webhooks/demo", {{"X-Signature", std::string(64, '0')}}, body}, 10s);
  REQUIRE(forged);
  CHECK(forged->status == 401);
  auto accepted =
      https->send({"POST", base + "/webhooks/demo", {{"X-Signature", openssl_hmac_hex(secret, body)}}, body}, 10s);
  REQUIRE(accepted);
  CHECK(accepted->status == 200);
  CHECK(MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM inbox WHERE event_id = 'evt-tls-1'") == 1);

  // Plain HTTP on the TLS port: the TLS handshake fails and no HTTP status ever comes back.
  bool answered = false;
  try {
    answered = http_request("GET", "127.0.0.1", daemon.port, "/healthz", {}, {}, 10s).status != 0;
  } catch (const std::exception&) {
  }
  CHECK_FALSE(answered);
  // A client that does not trust the certificate is refused too.
  auto untrusting = make_http_transport({.verify_tls = true});
  CHECK_FALSE(untrusting->send({"GET", base + "/healthz", {}, {}}, 10s));
  auto still = https->send({"GET", base + "/healthz", {}, {}}, 10s);  // and the daemon serves on
  REQUIRE(still);
  CHECK(still->status == 200);
}
