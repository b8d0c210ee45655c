#include "tests/integration/support_xml.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>

namespace arsync::test {

namespace {
// The demo-xml streams: name, Intacct object, mapping file (etc/arsync-xml.yaml in this form).
constexpr const char* kXmlStreams[][3] = {
    {"customers", "CUSTOMER", "customers.yaml"},
    {"invoices", "ARINVOICE", "invoices.yaml"},
    {"credit_memos", "ARADJUSTMENT", "credit_memos.yaml"},
    {"payments", "ARPYMT", "payments.yaml"},
};
}  // namespace

void use_xml_api(const SyncDeployment& deployment, const ErpSimProcess& sim,
                 std::map<std::string, std::string> options, const DaemonSettings* daemon) {
  std::map<std::string, std::string> all = {{"base_url", sim.base_url() + "/ia/xml/xmlgw.phtml"},
                                            {"dialect", "intacct"},
                                            {"sender_id", "arsync-test"},
                                            {"sender_password", "pw"},
                                            {"page_size", "500"},
                                            {"overlap", "5s"},
                                            {"timeout", "30s"},
                                            {"retries", "10"},
                                            {"backoff_base", "20ms"},
                                            {"backoff_max", "500ms"}};
  for (auto& [k, v] : options) all[k] = v;
  const std::filesystem::path mappings = std::filesystem::path(ARSYNC_SOURCE_DIR) / "etc/mappings/demo-xml";
  std::ofstream out(deployment.config(), std::ios::trunc);
  out << "mirror: " << deployment.mirror().string() << "\n";
  if (daemon) out << "server:\n  listen: 127.0.0.1:0\n" << daemon->server_extra;
  out << "connectors:\n  - name: demo-xml\n    type: xml-http\n";
  for (auto& [k, v] : all) out << "    " << k << ": \"" << v << "\"\n";
  out << "    streams:\n";
  for (auto& s : kXmlStreams)
    out << "      - name: " << s[0] << "\n        mapping: " << (mappings / s[2]).string()
        << "\n        request: \"<readByQuery><object>" << s[1]
        << "</object><fields>*</fields><query>{filter}</query><pagesize>{page_size}</pagesize></"
           "readByQuery>\""
        << "\n        filter: \"WHENMODIFIED >= '{cursor}'\"\n        cursor_field: WHENMODIFIED"
        << "\n        cursor_format: \"%m/%d/%Y %H:%M:%S\"\n        ordered: true\n"
        << (daemon ? "        poll: " + daemon->poll + "\n" + daemon->stream_extra +
                         (daemon->stream_options.contains(s[0]) ? daemon->stream_options.at(s[0]) : "")
                   : "");
  if (daemon) out << daemon->top_extra;
}

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct CannedHttpServer::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::deque<Answer> answers;     // under mutex
  std::vector<Request> requests;  // under mutex
};

CannedHttpServer::CannedHttpServer() : state_(std::make_unique<State>()) {
  state_->acceptor.open(tcp::v4());
  state_->acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  state_->acceptor.listen();
  thread_ = std::thread([this] { serve(); });
}

CannedHttpServer::~CannedHttpServer() {
  state_->stopping = true;
  boost::system::error_code ec;
  tcp::socket poke(state_->io);  // unblocks accept()
  poke.connect(state_->acceptor.local_endpoint(), ec);
  thread_.join();
}

void CannedHttpServer::push(Answer answer) {
  std::lock_guard lock(state_->mutex);
  state_->answers.push_back(std::move(answer));
}

std::string CannedHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port()) + path;
}

std::vector<CannedHttpServer::Request> CannedHttpServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

void CannedHttpServer::serve() {
  while (!state_->stopping) {
    tcp::socket socket(state_->io);
    boost::system::error_code ec;
    state_->acceptor.accept(socket, ec);
    if (ec || state_->stopping) continue;
    boost::beast::flat_buffer buffer;
    for (;;) {  // keep-alive: the client reuses its connection
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) break;
      Request recorded{std::string(request.target()), request.body(), {}};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        recorded.headers[name] = std::string(field.value());
      }
      Answer answer{500, "no canned answer left", {}, false};
      {
        std::lock_guard lock(state_->mutex);
        state_->requests.push_back(std::move(recorded));
        if (!state_->answers.empty())
          answer = std::move(state_->answers.front()), state_->answers.pop_front();
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "text/xml; charset=utf-8");
      for (auto& [k, v] : answer.headers) response.set(k, v);
      response.body() = answer.body;
      response.keep_alive(!answer.cut);
      response.prepare_payload();
      if (answer.cut) {
        http::response_serializer<http::string_body> serializer(response);
        http::write_header(socket, serializer, ec);
        asio::write(socket, asio::buffer(answer.body.data(), answer.body.size() / 2), ec);
        break;  // hang up mid-body
      }
      http::write(socket, response, ec);
      if (ec) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace arsync::test
