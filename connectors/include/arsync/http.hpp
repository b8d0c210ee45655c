// arsync SDK — HttpTransport: one HTTP/1.1 client connection (plain or TLS) that a connector
// sends its requests through. The host's implementation (Boost.Beast) comes to a connector in
// its ConnectorContext (make_transport), so a plugin needs no HTTP library of its own, and
// tests and fault injectors can stand in for the network.
//
// Owned by one connector; not thread-safe. Keeps the connection alive between requests and
// reconnects transparently when the server closed it.
#pragma once

#include <arsync/result.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arsync {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header named `name` (case-insensitive), or "".
  std::string_view header(std::string_view name) const {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (const auto& [key, value] : headers) {
      bool same = key.size() == name.size();
      for (std::size_t i = 0; same && i < key.size(); ++i) same = lower(key[i]) == lower(name[i]);
      if (same) return value;
    }
    return {};
  }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` and reads the whole response within `timeout`. A failure to connect, a
  // TLS error, a timeout or a truncated response is a kTransient error (the request may or may
  // not have reached the server); any complete response, whatever its status, is a value.
  virtual Result<HttpResponse> send(const HttpRequest& request, std::chrono::milliseconds timeout) = 0;
};

struct HttpTransportOptions {
  bool verify_tls = true;  // verify the server's certificate chain and host name
  std::string ca_file;     // extra CA bundle (PEM); "" = the system's
  std::size_t max_body_bytes = 512u << 20;
  std::string user_agent = "arsync/0.1";
};

// The host's transport. Defined by the arsync host; a plugin calls the context's
// make_transport instead.
std::unique_ptr<HttpTransport> make_http_transport(HttpTransportOptions options = {});

}  // namespace arsync
