// HttpServer: the daemon's HTTP/1.1 server (webhooks, /healthz, /readyz, /metrics; later the
// portal API), plain or TLS. Boost.Beast lives only in http_server.cpp.
//
// Each connection reads one request at a time with hard limits — header size, body size, a
// deadline for the headers and one for the body (a slow client is cut off), a cap on open
// connections — and hands a complete request to the handler. The handler answers through
// `respond`, from any thread and at any later time (a webhook answers after its inbox commit);
// it must call it exactly once.
//
// Threading: the server runs its own io_context on `io_threads` threads ("http-io"), so reading,
// parsing and the handler's synchronous part (webhook verification) of different connections
// run in parallel. Each connection is a strand: its steps never overlap. The handler is called
// on these threads; start(), stop() and counters() may be called from any one other thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/http_transport.hpp"  // HttpHeaders
#include "schema/result.hpp"

namespace boost::asio {
class io_context;
}

namespace arsync {

struct ServerRequest {
  std::string method;
  std::string target;  // path and query, as received
  HttpHeaders headers;
  std::string body;  // raw bytes
  std::string remote;

  std::string_view header(std::string_view name) const;
  std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  HttpHeaders headers;
};

using Respond = std::function<void(ServerResponse)>;
using RequestHandler = std::function<void(ServerRequest request, Respond respond)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (tests)
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{
      10'000};  // from connect (or the previous answer) to the end of the headers
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds handler_timeout{30'000};  // a handler that never answers gets a 503
  std::size_t max_connections = 512;
  std::size_t io_threads = 2;  // connections are served on this many threads
  std::string tls_cert_file;  // both set: serve TLS only
  std::string tls_key_file;
};

// What the server counts, for /metrics. Updated on the server's threads.
struct ServerCounters {
  std::atomic<std::uint64_t> connections_open = 0;
  std::atomic<std::uint64_t> connections_refused = 0;  // over max_connections
  std::atomic<std::uint64_t> timeouts = 0;             // slow clients cut off
  std::atomic<std::uint64_t> too_large = 0;            // 413s
  std::atomic<std::uint64_t> bad_requests = 0;         // unparseable requests
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler);
  ~HttpServer();  // stop()s, ends the threads (answers not yet written are dropped) and joins them
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, starts accepting and starts the threads; returns the bound port.
  Result<std::uint16_t> start();
  // Stops accepting and closes idle connections; requests in flight still get their answer.
  void stop();
  const ServerCounters& counters() const;

 private:
  struct Impl;
  // Declared first, destroyed last: destroying it ends the connections still open, which own Impl.
  std::unique_ptr<boost::asio::io_context> io_;
  std::shared_ptr<Impl> impl_;
  std::vector<std::thread> threads_;
};

}  // namespace arsync
