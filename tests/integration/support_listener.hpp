// LoopbackListener: a one-thread HTTP/1.1 server on a free loopback port for tests that need
// something to call them (erp-sim's webhook emitter) or an ERP endpoint to stand in for (Business
// Central's subscription resource). One request per connection; each is handed to `answer` on
// the listener's thread. Beast stays inside support_listener.cpp.
// Thread contract: construct and destroy on one thread; `answer` runs on the listener's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace arsync::test {

struct ListenerRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A header's value by case-insensitive name; "" if absent.
  std::string header(std::string_view name) const;
};

struct ListenerResponse {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class LoopbackListener {
 public:
  using Answer = std::function<ListenerResponse(const ListenerRequest&)>;
  explicit LoopbackListener(Answer answer);
  ~LoopbackListener();  // stops accepting and joins
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port()) + path; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arsync::test
