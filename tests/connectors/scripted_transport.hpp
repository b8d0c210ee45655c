// Test doubles for connectors: a clock that records sleeps instead of sleeping, and an HTTP
// transport that answers from a script (in order) and remembers every request. One script is
// active at a time (g_script), set by the test's fixture. Header-only; one test thread.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <vector>

#include "connectors/clock.hpp"
#include "connectors/http_transport.hpp"

namespace arsync::test {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return now_; }
  bool sleep_for(std::chrono::nanoseconds d, std::stop_token) override {
    sleeps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d));
    now_ += d;
    return true;
  }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  std::chrono::steady_clock::time_point now_{};
};

struct Script {
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
};
inline Script* g_script = nullptr;

class ScriptedTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& request, std::chrono::milliseconds) override {
    g_script->requests.push_back(request);
    REQUIRE_FALSE(g_script->answers.empty());
    auto answer = std::move(g_script->answers.front());
    g_script->answers.pop_front();
    return answer;
  }
};

inline std::unique_ptr<HttpTransport> make_scripted(HttpTransportOptions) {
  return std::make_unique<ScriptedTransport>();
}

}  // namespace arsync::test
