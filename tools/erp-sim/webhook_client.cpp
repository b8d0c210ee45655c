// webhook_client: see webhook_client.hpp.
#include "tools/erp-sim/webhook_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>  // before Asio: Boost 1.74's headers need std::exchange (platform-notes)

namespace arsync::sim {

PostOutcome post_webhook(uint16_t port, const std::string& target, const WebhookHeaders& headers,
                         const std::string& body, std::chrono::milliseconds timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::user_agent, "erp-sim-webhooks");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(false);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  PostOutcome outcome;
  // Async steps on a private io_context: tcp_stream's deadline then bounds the whole exchange,
  // so a receiver that never answers costs one timeout, not a hung worker.
  stream.expires_after(timeout);
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) return;
    http::async_write(stream, request, [&](beast::error_code ec, size_t) {
      if (ec) return;
      http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
        if (!ec) outcome = PostOutcome{true, parser.get().result_int()};
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return outcome;
}

}  // namespace arsync::sim
