// webhook_client: one blocking HTTP/1.1 POST to a loopback receiver, for the webhook emitter's
// worker thread (Boost.Beast; the only emitter file that includes it, to keep builds fast).
// Owned by tools/erp-sim. Stateless; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tools/erp-sim/webhook_message.hpp"

namespace arsync::sim {

struct PostOutcome {
  bool answered = false;  // false: no connection, timeout or broken response
  unsigned status = 0;
};

PostOutcome post_webhook(uint16_t port, const std::string& target, const WebhookHeaders& headers,
                         const std::string& body, std::chrono::milliseconds timeout);

}  // namespace arsync::sim
