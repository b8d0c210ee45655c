#include "daemon/api_tokens.hpp"

#include <iostream>
#include <iterator>

#include "connectors/hmac.hpp"
#include "daemon/commands.hpp"

namespace arsync {

std::optional<std::string> parse_token_hash(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  return from_hex(hex);
}

std::string hash_token(std::string_view token) { return to_hex(sha256(token)); }

int run_token_hash(std::istream& in, std::ostream& out) {
  std::string token(std::istreambuf_iterator<char>(in), {});
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    std::cerr << "arsync token hash: no token on stdin (e.g. `printf %s \"$TOKEN\" | arsync token hash`)\n";
    return kExitUsage;
  }
  out << hash_token(token) << '\n';
  return kExitOk;
}

const ApiToken* ApiTokens::find(std::string_view presented) const {
  const std::string digest = sha256(presented);
  const ApiToken* found = nullptr;
  for (const ApiToken& token : tokens_)
    if (constant_time_equal(digest, token.sha256) && !found) found = &token;
  return found;
}

}  // namespace arsync
