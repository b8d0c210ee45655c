// http_client: see http_client.hpp. Blocking Beast calls; the timeout is SO_RCVTIMEO/SO_SNDTIMEO
// on the socket (Beast's own timeouts only apply to async operations).
#include "tests/support/http_client.hpp"

#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <stdexcept>
#include <utility>  // before Asio (platform-notes)

namespace arsync::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void set_socket_timeouts(tcp::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string where(std::string_view method, std::string_view target) {
  return std::string(method) + " " + std::string(target);
}

}  // namespace

std::string HttpReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  return "";
}

HttpReply http_request(std::string_view method, std::string_view host, uint16_t port, std::string_view target,
                       std::string_view body, const HttpHeaders& headers, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address(std::string(host)), port), ec);
  if (ec)
    throw std::runtime_error("connect to " + std::string(host) + ":" + std::to_string(port) + ": " +
                             ec.message());
  set_socket_timeouts(socket, timeout);

  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, std::string(host) + ":" + std::to_string(port));
  req.set(http::field::connection, "close");
  for (const auto& [key, value] : headers) req.set(key, value);
  if (!body.empty() || method == "POST") {
    req.body() = std::string(body);
    if (req[http::field::content_type].empty()) req.set(http::field::content_type, "application/json");
  }
  req.prepare_payload();
  http::write(socket, req, ec);
  if (ec) throw std::runtime_error(where(method, target) + ": write failed: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  // Pages may be tens of MB. Not boost::none: Boost 1.74 compares the Content-Length with the
  // optional limit directly (`len_ > body_limit_`), which is true for an empty optional.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read(socket, buffer, parser, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again)
    throw std::runtime_error(where(method, target) + ": timed out after " + std::to_string(timeout.count()) +
                             " ms");
  if (!parser.is_header_done())
    throw std::runtime_error(where(method, target) + ": no response: " + ec.message());
  HttpReply reply;
  const auto& res = parser.get();
  reply.status = res.result_int();
  for (const auto& field : res)
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  reply.body = res.body();
  reply.complete = !ec && parser.is_done();
  if (ec && ec != http::error::partial_message && ec != http::error::end_of_stream &&
      ec != asio::error::connection_reset && ec != asio::error::eof)
    throw std::runtime_error(where(method, target) + ": read failed: " + ec.message());
  return reply;
}

}  // namespace arsync::test
