#include "tests/integration/support_crash.hpp"

#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

namespace arsync::test {

int post_while_killing(std::unique_ptr<Daemon>& daemon, const std::function<std::unique_ptr<Daemon>()>& restart,
                       const CrashPlan& plan, const PortalRequest& request, const std::function<bool()>& drained) {
  using namespace std::chrono_literals;
  std::atomic<std::uint16_t> port{daemon->port};
  std::atomic<int> accepted{0};
  std::thread portal([&] {
    for (int i = 0; i < plan.count; ++i) {
      const auto [body, headers] = request(i);
      for (;;) {
        const std::uint16_t p = port.load();
        if (p != 0) {
          try {
            auto reply = http_request("POST", "127.0.0.1", p, "/v1/payments", body, headers, 10s);
            if (reply.status == 201) break;
            if (reply.status != 503) FAIL_CHECK("payment " << i << " answered " << reply.status << ": " << reply.body);
            if (reply.status != 503) break;
          } catch (const std::exception&) {
            // killed mid-request: send it again with the same key
          }
        }
        std::this_thread::sleep_for(10ms);
      }
      ++accepted;
    }
  });
  std::mt19937 rng(plan.seed);
  std::uniform_int_distribution<int> pause_ms(plan.min_pause_ms, plan.max_pause_ms);
  int kills = 0;
  while (accepted.load() < plan.count || kills < plan.min_kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    port = 0;
    daemon->process->kill(SIGKILL);
    daemon.reset();
    ++kills;
    daemon = restart();
    port = daemon->port;
    if (accepted.load() >= plan.count && drained()) break;
  }
  portal.join();
  return kills;
}

}  // namespace arsync::test
