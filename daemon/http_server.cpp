// The Beast implementation of HttpServer: an accept loop and one coroutine per connection, each
// on its own strand of the server's io_context and a short chain of named steps (read headers,
// read body, dispatch, write).
#include "daemon/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "schema/log.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

ServerResponse plain(int status, std::string body) {
  return ServerResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

}  // namespace

std::string_view ServerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (beast::iequals(key, name)) return value;
  return {};
}

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerOptions o, RequestHandler h)
      : io(io), options(std::move(o)), handler(std::move(h)), acceptor(asio::make_strand(io)) {}

  // Constant after construction (tls: after start())
  asio::io_context& io;
  ServerOptions options;
  RequestHandler handler;
  std::optional<asio::ssl::context> tls;

  // Touched on the acceptor's strand (and by start() before the threads run)
  tcp::acceptor acceptor;

  // Shared by the threads
  ServerCounters counters;
  std::atomic<bool> stopping = false;
  std::mutex idle_mutex;
  // Connections waiting for a request, and their strands: stop() closes them there.
  std::map<tcp::socket*, asio::any_io_executor> idle;  // guarded by idle_mutex

  Result<std::uint16_t> start();
  asio::awaitable<void> accept_loop();
  template <class Stream>
  asio::awaitable<void> serve(Stream stream, std::string remote);
  template <class Stream>
  asio::awaitable<bool> serve_one(Stream& stream, beast::flat_buffer& buffer, const std::string& remote);
  asio::awaitable<ServerResponse> dispatch(ServerRequest request);
};

Result<std::uint16_t> HttpServer::Impl::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec)
    return fail(ErrorKind::kInvalidInput, "listen address '" + options.address + "' is not an IP address");
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (!ec) tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return fail(ErrorKind::kInvalidInput, "cannot load the TLS certificate or key: " + ec.message());
  }
  tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorKind::kIo, "cannot listen on " + options.address + ":" + std::to_string(options.port) +
                                    ": " + ec.message());
  asio::co_spawn(
      acceptor.get_executor(), [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
  return acceptor.local_endpoint().port();
}

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    beast::error_code ec;
    // Each connection gets a strand of its own: its steps may run on any thread, never two at once.
    tcp::socket socket = co_await acceptor.async_accept(asio::any_io_executor(asio::make_strand(io)),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || stopping) co_return;
    if (ec) continue;  // a failed accept (EMFILE, reset) must not stop the server
    if (counters.connections_open >= options.max_connections) {
      ++counters.connections_refused;
      continue;  // the socket closes as it goes out of scope
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    ++counters.connections_open;
    auto on_end = [self](std::exception_ptr) { --self->counters.connections_open; };
    auto strand = socket.get_executor();
    if (tls) {
      asio::co_spawn(strand, serve(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), remote),
                     on_end);
    } else {
      asio::co_spawn(strand, serve(beast::tcp_stream(std::move(socket)), remote), on_end);
    }
  }
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::serve(Stream stream, std::string remote) {
  auto self = shared_from_this();
  beast::error_code ec;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    beast::get_lowest_layer(stream).expires_after(options.header_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  while (co_await serve_one(stream, buffer, remote)) {
  }
  auto& socket = beast::get_lowest_layer(stream).socket();
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

// Reads one request and answers it. False when the connection is to be closed.
template <class Stream>
asio::awaitable<bool> HttpServer::Impl::serve_one(Stream& stream, beast::flat_buffer& buffer,
                                                  const std::string& remote) {
  beast::error_code ec;
  auto& lowest = beast::get_lowest_layer(stream);
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);

  {
    std::lock_guard lock(idle_mutex);
    idle.emplace(&lowest.socket(), lowest.socket().get_executor());
  }
  lowest.expires_after(options.header_timeout);
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  {
    std::lock_guard lock(idle_mutex);
    idle.erase(&lowest.socket());
  }
  if (!ec && !parser.is_done()) {
    lowest.expires_after(options.body_timeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  }

  ServerResponse response;
  bool keep_alive = false;
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    co_return false;  // the client left, or stop() closed an idle connection
  } else if (ec == beast::error::timeout) {
    ++counters.timeouts;
    co_return false;  // too slow: no answer is owed to a client that never finished asking
  } else if (ec == http::error::body_limit || ec == http::error::header_limit) {
    ++counters.too_large;
    response =
        plain(413, ec == http::error::body_limit ? "request body too large" : "request headers too large");
  } else if (ec) {
    ++counters.bad_requests;
    response = plain(400, "bad request: " + ec.message());
  } else {
    auto& in = parser.get();
    ServerRequest request{
        std::string(in.method_string()), std::string(in.target()), {}, std::move(in.body()), remote};
    for (const auto& field : in)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    keep_alive = in.keep_alive() && !stopping;
    response = co_await dispatch(std::move(request));
  }

  http::response<http::string_body> out{static_cast<http::status>(response.status), 11};
  out.set(http::field::server, "arsync");
  out.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) out.set(name, value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  lowest.expires_after(options.body_timeout);
  co_await http::async_write(stream, out, asio::redirect_error(use_awaitable, ec));
  co_return !ec && keep_alive;
}

// Hands the request to the handler and waits for its answer, which may come from another
// thread: the answer is posted to the connection's strand and wakes a timer this coroutine waits on.
asio::awaitable<ServerResponse> HttpServer::Impl::dispatch(ServerRequest request) {
  asio::any_io_executor strand = co_await asio::this_coro::executor;
  auto state = std::make_shared<std::pair<asio::steady_timer, std::optional<ServerResponse>>>(
      std::piecewise_construct, std::forward_as_tuple(strand), std::forward_as_tuple());
  state->first.expires_after(options.handler_timeout);
  Respond respond = [state, strand](ServerResponse response) {
    asio::post(strand, [state, response = std::move(response)]() mutable {
      if (state->second) return;  // answered already (or timed out)
      state->second = std::move(response);
      state->first.cancel();
    });
  };
  try {
    handler(std::move(request), respond);
  } catch (const std::exception& e) {
    log(LogLevel::kError, "http_handler_failed", {{"error", e.what()}});
    respond(plain(500, "internal error"));
  }
  beast::error_code ec;
  co_await state->first.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!state->second) state->second = plain(503, "the request took too long; try again");
  co_return std::move(*state->second);
}

HttpServer::HttpServer(ServerOptions options, RequestHandler handler)
    : io_(std::make_unique<asio::io_context>(static_cast<int>(std::max<std::size_t>(options.io_threads, 1)))),
      impl_(std::make_shared<Impl>(*io_, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  stop();
  io_->stop();
  for (std::thread& t : threads_) t.join();
}

Result<std::uint16_t> HttpServer::start() {
  auto port = impl_->start();
  if (!port) return port;
  for (std::size_t i = 0; i < std::max<std::size_t>(impl_->options.io_threads, 1); ++i)
    threads_.emplace_back([io = io_.get()] {
      pthread_setname_np(pthread_self(), "http-io");
      io->run();
    });
  return port;
}

// The acceptor and each idle socket are closed on their own strands (Asio objects are not
// thread-safe); a connection that left the idle set meanwhile is not touched.
void HttpServer::stop() {
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::lock_guard lock(impl_->idle_mutex);
  for (const auto& [socket, strand] : impl_->idle)
    asio::post(strand, [impl = impl_, socket = socket] {
      std::lock_guard lock(impl->idle_mutex);
      beast::error_code ec;
      if (impl->idle.contains(socket)) socket->close(ec);
    });
}

const ServerCounters& HttpServer::counters() const { return impl_->counters; }

}  // namespace arsync
