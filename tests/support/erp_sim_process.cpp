// erp_sim_process: see erp_sim_process.hpp.
#include "tests/support/erp_sim_process.hpp"

#include <signal.h>

#include <charconv>
#include <stdexcept>
#include <thread>

#ifndef ERP_SIM_BIN
#error "ERP_SIM_BIN must name the erp-sim executable (tests/CMakeLists.txt defines it)"
#endif

namespace arsync::test {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);

// The port file is written to a temp name and renamed, so once it exists it is complete.
std::optional<uint16_t> read_port(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  uint16_t port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || port == 0) return std::nullopt;
  return port;
}

}  // namespace

ErpSimProcess::ErpSimProcess(std::vector<std::string> extra_flags, std::chrono::milliseconds startup_timeout)
    : dir_("erp-sim") {
  const auto port_file = dir_ / "port";
  std::vector<std::string> args{"--port", "0", "--port-file", port_file.string()};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  child_ = std::make_unique<ChildProcess>(ChildOptions{ERP_SIM_BIN, std::move(args), {}, dir_.path()});
  const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  for (;;) {
    if (const auto port = read_port(port_file)) {
      port_ = *port;
      return;
    }
    if (!child_->running())
      throw std::runtime_error("erp-sim exited during start-up (" + child_->exit_status()->describe() +
                               "): " + child_->stderr_text());
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("erp-sim did not write its port file in time; stderr: " +
                               child_->stderr_text());
    std::this_thread::sleep_for(kPollInterval);
  }
}

ErpSimProcess::~ErpSimProcess() {
  if (child_ && child_->running()) stop();
}

std::string ErpSimProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

ExitStatus ErpSimProcess::stop() {
  if (const auto done = child_->exit_status()) return *done;
  child_->kill(SIGTERM);
  if (const auto status = child_->wait(std::chrono::seconds(10))) return *status;
  child_->kill(SIGKILL);
  return child_->wait(std::chrono::seconds(10)).value_or(ExitStatus{});
}

}  // namespace arsync::test
