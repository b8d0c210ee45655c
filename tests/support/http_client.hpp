// http_client: a tiny blocking HTTP/1.1 client for tests (one request per connection), used to
// call erp-sim's /admin endpoints and read pages. It reports a cut-off body instead of failing,
// so tests can observe truncation faults. The only test-support file that includes Beast.
// Owned by the erp-sim work (tests/support). Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arsync::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  unsigned status = 0;
  HttpHeaders headers;  // as received
  std::string body;     // what arrived (partial when !complete)
  // False when the connection ended before the whole body (per Content-Length) arrived.
  bool complete = true;

  // A header's value by case-insensitive name; "" if absent.
  std::string header(std::string_view name) const;
};

// Sends one request to host:port (Connection: close) and reads the reply. Throws
// std::runtime_error if it cannot connect, times out, or gets no status line.
HttpReply http_request(std::string_view method, std::string_view host, uint16_t port, std::string_view target,
                       std::string_view body = {}, const HttpHeaders& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace arsync::test
