// Integration-test support for the XML API: a SyncDeployment re-pointed at erp-sim's Intacct-style
// XML endpoint through the xml-http connector, and a canned HTTP server for push tests.
// Thread contract: one per test.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support.hpp"

namespace arsync::test {

// Rewrites `deployment`'s arsync.yaml to sync `sim` through its XML API with the xml-http
// connector (name "demo-xml") and etc/mappings/demo-xml — the streams of etc/arsync-xml.yaml.
// `options` add to or replace the connector's options, e.g. {"backoff_base", "5ms"}.
// With `daemon`, also what `arsync run` needs: its server, every stream's poll, the streams'
// extra options (stream_options) and top-level YAML (portal:, outbox:).
void use_xml_api(const SyncDeployment& deployment, const ErpSimProcess& sim,
                 std::map<std::string, std::string> options = {}, const DaemonSettings* daemon = nullptr);

// A loopback HTTP/1.1 server that answers each request with the next canned answer (in order)
// and records the requests. An answer with `cut` sends its headers and half its body, then
// closes the connection (a reply lost in transit).
class CannedHttpServer {
 public:
  struct Answer {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool cut = false;
  };
  struct Request {
    std::string target, body;
    std::map<std::string, std::string> headers;  // lower-case names
  };

  CannedHttpServer();
  ~CannedHttpServer();
  CannedHttpServer(const CannedHttpServer&) = delete;
  CannedHttpServer& operator=(const CannedHttpServer&) = delete;

  void push(Answer answer);
  std::string url(const std::string& path) const;
  std::vector<Request> requests() const;

 private:
  void serve();

  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace arsync::test
