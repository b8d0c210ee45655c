// A running `arsync run` for integration tests (its HTTP port learnt from its daemon_ready log
// line), and wait_until, the tests' one way to wait: on a condition, with a generous timeout.
// Thread contract: one per test.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "tests/integration/support.hpp"
#include "tests/support/http_client.hpp"

namespace arsync::test {

// Waits for `done` (polled every 20 ms) or fails the test after `timeout`.
template <class Predicate>
void wait_until(Predicate done, std::chrono::milliseconds timeout, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("timed out waiting for " << what);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

struct Daemon {
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;

  explicit Daemon(const SyncDeployment& deployment) : Daemon(deployment.start({"run"})) {}
  // An `arsync run` started some other way (an OdbcDeployment's).
  explicit Daemon(std::unique_ptr<ChildProcess> started) : process(std::move(started)) {
    std::smatch match;
    static const std::regex ready(R"(event=daemon_ready listen=127\.0\.0\.1:(\d+))");
    wait_until(
        [&] {
          std::string err = process->stderr_text();
          if (!process->running()) FAIL("arsync run exited: " << err);
          if (!std::regex_search(err, match, ready)) return false;
          port = static_cast<std::uint16_t>(std::stoi(match[1]));
          return true;
        },
        std::chrono::seconds(20), "arsync run to be ready");
  }
  HttpReply get(const std::string& target, const HttpHeaders& headers = {}) {
    return http_request("GET", "127.0.0.1", port, target, {}, headers);
  }
  HttpReply post(const std::string& target, const std::string& body, const HttpHeaders& headers) {
    return http_request("POST", "127.0.0.1", port, target, body, headers);
  }
  bool logged(const std::string& text) { return process->stderr_text().find(text) != std::string::npos; }
};

}  // namespace arsync::test
