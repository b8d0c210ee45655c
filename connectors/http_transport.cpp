// The Beast implementation of HttpTransport. Each send() runs a short coroutine on the
// transport's private io_context until it completes or the deadline expires, so a blocking
// caller (a stream worker) gets timeouts without a thread of its own per request.
#include "connectors/http_transport.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "connectors/url.hpp"

namespace arsync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

// Errors name the method and the URL without its query: a query may carry an API key.
std::string describe(const HttpRequest& request, const Url& url) {
  return request.method + " " + url.scheme + "://" + url.host + ":" + url.port +
         url.target.substr(0, url.target.find('?'));
}

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

constexpr std::size_t kReadChunk = 256 * 1024;

class BeastTransport final : public HttpTransport {
 public:
  explicit BeastTransport(HttpTransportOptions options) : options_(std::move(options)) {
    tls_context_.set_verify_mode(options_.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
    tls_context_.set_default_verify_paths();
    if (!options_.ca_file.empty()) tls_context_.load_verify_file(options_.ca_file);
  }
  BeastTransport(const BeastTransport&) = delete;
  BeastTransport& operator=(const BeastTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request, std::chrono::milliseconds timeout) override {
    auto url = parse_url(request.url);
    if (!url) return fail(url.error());
    auto deadline = std::chrono::steady_clock::now() + timeout;

    Result<HttpResponse> result = attempt(request, *url, deadline);
    // A kept-alive connection the server already closed fails on first use; one fresh
    // connection is then always worth a try — but only for requests safe to send twice.
    if (!result && reused_ && is_idempotent(request.method) && std::chrono::steady_clock::now() < deadline) {
      close();
      result = attempt(request, *url, deadline);
    }
    return result;
  }

 private:
  Result<HttpResponse> attempt(const HttpRequest& request, const Url& url,
                               std::chrono::steady_clock::time_point deadline) {
    Result<HttpResponse> result = fail(ErrorKind::kTransient, "request did not run", describe(request, url));
    asio::co_spawn(
        io_, exchange(request, url, deadline), [&](std::exception_ptr error, Result<HttpResponse> value) {
          if (error) {
            result = fail(ErrorKind::kTransient, "unexpected client failure", describe(request, url));
          } else {
            result = std::move(value);
          }
        });
    io_.restart();
    io_.run();
    if (!result) close();
    return result;
  }

  asio::awaitable<Result<HttpResponse>> exchange(const HttpRequest& request, const Url& url,
                                                 std::chrono::steady_clock::time_point deadline) {
    beast::error_code ec;
    auto where = describe(request, url);
    auto failed = [&](const char* step) {
      std::string what = ec == beast::error::timeout ? std::string("timed out") : ec.message();
      return fail(ErrorKind::kTransient, std::string(step) + " failed: " + what, where);
    };

    reused_ = connected_origin_ == url.origin();
    if (!reused_) {
      close();
      co_await connect(url, deadline, ec);
      if (ec) co_return failed("connect");
      connected_origin_ = url.origin();
    }

    http::request<http::string_body> out{http::string_to_verb(request.method), url.target, 11};
    bool default_port =
        (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
    out.set(http::field::host, default_port ? url.host : url.host + ":" + url.port);
    out.set(http::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers) out.set(name, value);
    out.body() = request.body;
    out.prepare_payload();

    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    buffer_.clear();
    // Beast reads max(512, capacity - size) bytes per call: without room reserved, a 5 MB page
    // takes 10,000 reads (each a recvmsg, an epoll_wait and a timer update).
    buffer_.reserve(kReadChunk);
    if (tls_) {
      beast::get_lowest_layer(*tls_).expires_at(deadline);
      co_await http::async_write(*tls_, out, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return failed("send");
      co_await http::async_read(*tls_, buffer_, parser, asio::redirect_error(use_awaitable, ec));
    } else {
      plain_->expires_at(deadline);
      co_await http::async_write(*plain_, out, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return failed("send");
      co_await http::async_read(*plain_, buffer_, parser, asio::redirect_error(use_awaitable, ec));
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream)
      co_return fail(ErrorKind::kTransient, "response was cut off before its end (connection closed)", where);
    if (ec == http::error::body_limit)
      co_return fail(
          ErrorKind::kTransient,
          "response body exceeds " + std::to_string(options_.max_body_bytes) + " bytes; use smaller pages",
          where);
    if (ec) co_return failed("receive");

    auto& in = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(in.result_int());
    for (const auto& field : in)
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    response.body = std::move(in.body());
    if (!in.keep_alive()) close();
    co_return response;
  }

  asio::awaitable<void> connect(const Url& url, std::chrono::steady_clock::time_point deadline,
                                beast::error_code& ec) {
    tcp::resolver resolver(io_);
    auto endpoints =
        co_await resolver.async_resolve(url.host, url.port, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    if (url.scheme == "https") {
      tls_.emplace(io_, tls_context_);
      // SNI, and the certificate must name this host.
      if (!SSL_set_tlsext_host_name(tls_->native_handle(), url.host.c_str())) {
        ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        co_return;
      }
      if (options_.verify_tls) tls_->set_verify_callback(asio::ssl::host_name_verification(url.host));
      auto& tcp_layer = beast::get_lowest_layer(*tls_);
      tcp_layer.expires_at(deadline);
      co_await tcp_layer.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      tcp_layer.socket().set_option(tcp::no_delay(true));
      tcp_layer.expires_at(deadline);
      co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
    } else {
      plain_.emplace(io_);
      plain_->expires_at(deadline);
      co_await plain_->async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
      if (!ec) plain_->socket().set_option(tcp::no_delay(true));
    }
  }

  void close() {
    beast::error_code ignored;
    if (plain_) plain_->socket().close(ignored);
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
    plain_.reset();
    tls_.reset();
    connected_origin_.clear();
  }

  // Constant after construction
  HttpTransportOptions options_;
  asio::ssl::context tls_context_{asio::ssl::context::tls_client};

  // Touched only by the thread calling send()
  asio::io_context io_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::string connected_origin_;
  bool reused_ = false;
  beast::flat_buffer buffer_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_http_transport(HttpTransportOptions options) {
  return std::make_unique<BeastTransport>(std::move(options));
}

}  // namespace arsync
