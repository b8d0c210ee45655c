// erp_sim_process: starts the real erp-sim executable (ERP_SIM_BIN, set by tests/CMakeLists)
// on a free loopback port for a test, and stops it. The port is learnt from --port-file, so
// tests never guess ports. Owned by the erp-sim work (tests/support); used by tests/erpsim and
// tests/integration. Thread contract: owned by one test thread.
//
//   arsync::test::ErpSimProcess sim({"--invoices", "100", "--seed", "7"});
//   auto reply = arsync::test::http_request("GET", "127.0.0.1", sim.port(), "/admin/stats");
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace arsync::test {

class ErpSimProcess {
 public:
  // Starts `erp-sim --port 0 --port-file <tmp> <extra_flags...>` and waits until the port file
  // appears. Throws std::runtime_error (with the sim's stderr) if the sim exits or does not
  // come up within `startup_timeout`.
  explicit ErpSimProcess(std::vector<std::string> extra_flags = {},
                         std::chrono::milliseconds startup_timeout = std::chrono::seconds(20));
  ~ErpSimProcess();  // stop()s if still running
  ErpSimProcess(const ErpSimProcess&) = delete;
  ErpSimProcess& operator=(const ErpSimProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // SIGTERM, then waits (up to 10 s, then SIGKILL). Returns how it ended; repeatable.
  ExitStatus stop();

  // The child itself: pid, kill(SIGKILL) for crash tests, captured stdout/stderr.
  ChildProcess& process() { return *child_; }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> child_;
  uint16_t port_ = 0;
};

}  // namespace arsync::test
