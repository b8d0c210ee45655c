#include "tests/integration/support_listener.hpp"

#include <atomic>
#include <thread>
#include <utility>  // before Asio (platform-notes)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <strings.h>

namespace arsync::test {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string ListenerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  return {};
}

struct LoopbackListener::Impl {
  Answer answer;
  boost::asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::thread thread;

  void serve() {
    while (!stopping) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      ListenerRequest seen{std::string(request.method_string()), std::string(request.target()), {}, request.body()};
      for (const auto& field : request) seen.headers.emplace_back(field.name_string(), field.value());
      ListenerResponse answered = answer(seen);
      http::response<http::string_body> response{static_cast<http::status>(answered.status), 11};
      response.set(http::field::content_type, answered.content_type);
      response.body() = std::move(answered.body);
      response.keep_alive(false);
      response.prepare_payload();
      http::write(socket, response, ec);
    }
  }
};

LoopbackListener::LoopbackListener(Answer answer) : impl_(std::make_unique<Impl>()) {
  impl_->answer = std::move(answer);
  impl_->acceptor.open(tcp::v4());
  impl_->acceptor.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  impl_->acceptor.listen();
  impl_->thread = std::thread([this] { impl_->serve(); });
}

LoopbackListener::~LoopbackListener() {
  impl_->stopping = true;
  boost::system::error_code ec;
  tcp::socket poke(impl_->io);  // unblocks accept()
  poke.connect(impl_->acceptor.local_endpoint(), ec);
  impl_->thread.join();
}

std::uint16_t LoopbackListener::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace arsync::test
