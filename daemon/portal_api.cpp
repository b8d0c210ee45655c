#include "daemon/portal_api.hpp"

#include <algorithm>
#include <cctype>

#include "daemon/portal_routes.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

// RFC 6750 §3: a 401 names the scheme, so clients know to send a bearer token.
ServerResponse unauthorized(std::string message) {
  ServerResponse r = json_error(401, "unauthorized", std::move(message));
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"arsync\"");
  return r;
}

// The token of an `Authorization: Bearer <token>` header ("" when there is none). The scheme
// name is case-insensitive (RFC 7235 §2.1).
std::string_view bearer_token(const ServerRequest& request) {
  std::string_view value = request.header("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

bool is_write_method(std::string_view method) { return method == "POST" || method == "PATCH"; }

}  // namespace

PortalApi::PortalApi(std::filesystem::path mirror, const PortalOptions& options, PortalWriteHandler writes)
    : mirror_(std::move(mirror)),
      writes_(std::move(writes)),
      tokens_(std::make_shared<const ApiTokens>(options.tokens)),
      pool_(mirror_, options.read_threads) {}

PortalApi::~PortalApi() = default;

void PortalApi::set_tokens(std::vector<ApiToken> tokens) {
  auto next = std::make_shared<const ApiTokens>(std::move(tokens));
  std::lock_guard lock(tokens_mutex_);
  tokens_ = std::move(next);
}

std::shared_ptr<const ApiTokens> PortalApi::tokens() const {
  std::lock_guard lock(tokens_mutex_);
  return tokens_;
}

// Authenticate, then route: an unauthenticated caller learns nothing about which routes exist.
void PortalApi::handle(const ServerRequest& request, Respond respond) {
  std::string_view presented = bearer_token(request);
  if (presented.empty())
    return respond(unauthorized("send Authorization: Bearer <token> (tokens are configured in arsync.yaml, portal:)"));
  auto tokens = this->tokens();
  const ApiToken* token = tokens->find(presented);
  if (!token) {
    log(LogLevel::kWarn, "portal_token_refused", {{"remote", request.remote}});
    return respond(unauthorized("unknown token"));
  }

  auto segments = v1_segments(request.path());
  bool writable = !segments.empty() && is_write_resource(segments.front());
  if (is_write_method(request.method)) {
    if (!writable) {
      ServerResponse r = json_error(405, "method_not_allowed", request.method + " is not allowed on " +
                                                                   std::string(request.path()) + " (read-only)");
      r.headers.emplace_back("Allow", "GET");
      return respond(std::move(r));
    }
    if (!token->write)
      return respond(json_error(403, "forbidden", "token '" + token->name + "' lacks the write scope"));
    if (!writes_)
      return respond(json_error(503, "writes_unavailable",
                                "portal writes are not enabled in this arsync (no write handler is configured)"));
    return writes_(request, token->name, std::move(respond));
  }
  if (request.method != "GET") {
    ServerResponse r = json_error(405, "method_not_allowed", request.method + " is not allowed on /v1 routes");
    r.headers.emplace_back("Allow", writable ? "GET, POST, PATCH" : "GET");
    return respond(std::move(r));
  }
  if (!token->read) return respond(json_error(403, "forbidden", "token '" + token->name + "' lacks the read scope"));
  route_read(request, std::move(respond));
}

// The request is copied into the job: the server's copy may be gone by the time it runs.
void PortalApi::route_read(const ServerRequest& request, Respond respond) {
  pool_.post([this, request, respond = std::move(respond)](Result<MirrorReader*> reader) {
    if (!reader) return respond(json_error(503, "mirror_unavailable", reader.error().message));
    try {
      respond(answer_read(**reader, request, mirror_.parent_path()));
    } catch (const std::exception& e) {  // a bug must not take the pool thread down
      log(LogLevel::kError, "portal_read_failed", {{"target", request.path()}, {"error", e.what()}});
      respond(json_error(500, "internal", "the read failed; see the daemon's log"));
    }
  });
}

}  // namespace arsync
