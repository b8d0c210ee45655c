// The exactly-once crash loop shared by the outbox crash tests (erp-sim and ODBC): a portal
// thread posts request(i) for every i < plan.count until it is answered 201, sending it again
// with the same Idempotency-Key through refused connections and restarts, as a real client
// would; meanwhile `daemon` is killed with SIGKILL after a random pause and started again
// (restart()), until every request was accepted and at least plan.min_kills kills happened —
// or, once all were accepted, as soon as drained() says the outbox is empty.
// Thread contract: called from the test thread; it owns the portal thread it starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "tests/integration/running_daemon.hpp"

namespace arsync::test {

struct CrashPlan {
  int count = 0;      // requests to post
  int min_kills = 0;  // kills at least, even once everything was accepted
  std::uint32_t seed = 1;
  int min_pause_ms = 50, max_pause_ms = 700;  // how long the daemon runs between kills
};

// The i-th POST /v1/payments: its body and headers (Idempotency-Key included).
using PortalRequest = std::function<std::pair<std::string, HttpHeaders>(int i)>;

// Returns how many times the daemon was killed.
int post_while_killing(std::unique_ptr<Daemon>& daemon, const std::function<std::unique_ptr<Daemon>()>& restart,
                       const CrashPlan& plan, const PortalRequest& request, const std::function<bool()>& drained);

}  // namespace arsync::test
