// http_server: the simulator's HTTP/1.1 transport (Boost.Beast, Asio coroutines). Binds
// 127.0.0.1 only, serves keep-alive connections concurrently, and carries out the fault
// instructions an ApiResponse holds (delay on a timer, truncated bodies, Retry-After).
// The only translation unit that includes Beast, to keep builds fast.
// Owned by tools/erp-sim. Construct and run() on one thread; run() blocks until SIGTERM or
// SIGINT. Connections run on `threads` io_context threads, one strand each.
#pragma once

#include <cstdint>
#include <memory>

#include "tools/erp-sim/api.hpp"

namespace arsync::sim {

class HttpServer {
 public:
  // Binds and listens on 127.0.0.1:port (0: a free port). Throws std::system_error on failure.
  explicit HttpServer(uint16_t port);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;

  // Serves `api` until SIGTERM or SIGINT, then returns (in-flight responses are dropped).
  void run(Api& api, int threads);

 private:
  struct Impl;  // keeps Asio out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace arsync::sim
