// http_server: see http_server.hpp. Each connection is one coroutine: read a request, let the
// Api answer it, apply the fault instructions, write, repeat while keep-alive.
#include "tools/erp-sim/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange (platform-notes)
#include <vector>

namespace arsync::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(120);  // a 20 MB page to a slow reader
constexpr size_t kBodyLimit = 1 << 20;                     // admin bodies are tiny

http::response<http::string_body> to_beast(ApiResponse& response, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "erp-sim");
  res.set(http::field::content_type, response.content_type);
  if (response.retry_after_s >= 0) res.set(http::field::retry_after, std::to_string(response.retry_after_s));
  if (response.www_authenticate) res.set(http::field::www_authenticate, "Bearer");
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  return res;
}

// Truncation fault: promise the whole body, send half of it, then hang up.
asio::awaitable<void> write_truncated(beast::tcp_stream& stream, http::response<http::string_body>& res) {
  beast::error_code ec;
  http::response_serializer<http::string_body> serializer{res};
  co_await http::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  const std::string& body = res.body();
  co_await asio::async_write(stream, asio::buffer(body.data(), body.size() / 2),
                             asio::redirect_error(asio::use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> serve_connection(tcp::socket socket, Api& api) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kReadTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) {
      ApiResponse too_big = error_response(413, "PayloadTooLarge", "request body over 1 MiB");
      auto res = to_beast(too_big, 11, false);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (ec) break;  // end of stream, timeout, reset: nothing to answer
    const auto& req = parser.get();
    ApiResponse response = api.handle(ApiRequest{req.method_string(), req.target(), req[http::field::authorization],
                                                 req.body(), req["Idempotency-Key"], req[http::field::content_type]});
    if (response.delay.count() > 0) {
      // Latency fault on a timer: this connection waits, the others carry on.
      asio::steady_timer timer(co_await asio::this_coro::executor, response.delay);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (response.drop) break;  // drop_after_commit fault: close without a word
    const bool truncate = response.truncate;
    auto res = to_beast(response, req.version(), req.keep_alive() && !truncate);
    stream.expires_after(kWriteTimeout);
    if (truncate) {
      co_await write_truncated(stream, res);
      co_return;
    }
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Api& api) {
  for (;;) {
    beast::error_code ec;
    // Each connection gets its own strand, so with several io threads one connection's steps
    // never run concurrently.
    tcp::socket socket(asio::make_strand(acceptor.get_executor()));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_connection(std::move(socket), api), asio::detached);
  }
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  // Installed before the port is announced: a SIGTERM right after a test reads the port file
  // is a clean stop (exit 0), not the default action killing the process mid-start.
  asio::signal_set signals{io, SIGINT, SIGTERM};
};

HttpServer::HttpServer(uint16_t port) : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run(Api& api, int threads) {
  impl_->signals.async_wait([this](const beast::error_code&, int) { impl_->io.stop(); });
  asio::co_spawn(impl_->io, accept_loop(impl_->acceptor, api), asio::detached);
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& worker : workers) worker.join();
}

}  // namespace arsync::sim
