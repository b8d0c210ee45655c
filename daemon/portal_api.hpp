// PortalApi: the portal's REST API under /v1 (DESIGN §1, §7; docs/portal-api.md). It
// authenticates every request (Authorization: Bearer <token>, checked against the hashed
// tokens of arsync.yaml's `portal:` section), checks the route's scope (read for GET, write for
// POST/PATCH), answers reads from the mirror and hands writes to the injected
// PortalWriteHandler. Errors are JSON: {"error": {"code": "...", "message": "..."}}.
//
// Owner: the daemon, which calls handle() for every request whose path starts with /v1.
// Threading: handle() is called on the daemon's loop thread and never blocks it: reads run on
// a ReadPool (one read-only mirror connection per pool thread) and answer through `respond`
// from there; writes are passed to the write handler on the loop thread. set_tokens() may be
// called from any thread (SIGHUP reload). A token is never logged.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "daemon/api_tokens.hpp"
#include "daemon/config.hpp"
#include "daemon/http_server.hpp"
#include "daemon/read_pool.hpp"

namespace arsync {

// Takes an authenticated, write-scoped POST/PATCH under /v1 (payments, credit-requests,
// disputes, promises-to-pay, messages, profile-changes) and answers it through `respond`,
// exactly once, from any thread. `principal` is the token's configured name.
using PortalWriteHandler =
    std::function<void(const ServerRequest& request, std::string_view principal, Respond respond)>;

class PortalApi {
 public:
  // `writes` may be empty: writes are then answered 503 (not configured).
  PortalApi(std::filesystem::path mirror, const PortalOptions& options, PortalWriteHandler writes = {});
  ~PortalApi();
  PortalApi(const PortalApi&) = delete;
  PortalApi& operator=(const PortalApi&) = delete;

  void handle(const ServerRequest& request, Respond respond);
  void set_tokens(std::vector<ApiToken> tokens);

 private:
  std::shared_ptr<const ApiTokens> tokens() const;
  void route_read(const ServerRequest& request, Respond respond);

  // Constant after construction
  const std::filesystem::path mirror_;
  const PortalWriteHandler writes_;

  mutable std::mutex tokens_mutex_;
  std::shared_ptr<const ApiTokens> tokens_;  // guarded by tokens_mutex_
  ReadPool pool_;                            // last: its threads stop before the rest goes
};

}  // namespace arsync
