// ApiTokens: the portal API's bearer tokens (DESIGN §7). The config holds only each token's
// SHA-256 (hex, printed by `arsync token hash`), never the token, so a leaked arsync.yaml or
// backup does not leak portal access. A presented token is hashed and compared with every
// configured hash in constant time.
//
// Plain values, immutable after construction; thread-safe for concurrent lookups.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arsync {

// A token as arsync.yaml's `portal: tokens:` declares it.
struct ApiToken {
  std::string name;    // who holds it ("portal-web"); the principal writes are recorded under
  std::string sha256;  // 32 raw bytes (decoded from the config's hex)
  bool read = false;   // scope `read`: every GET under /v1
  bool write = false;  // scope `write`: POST/PATCH under /v1
};

// The config's `sha256:` text as 32 raw bytes, or nullopt when it is not 64 hex digits.
std::optional<std::string> parse_token_hash(std::string_view hex);

// The lower-case hex SHA-256 of a token: what `arsync token hash` prints.
std::string hash_token(std::string_view token);

// `arsync token hash`: reads one token from `in` (a trailing newline is not part of it), prints
// its hash to `out`. Exit code 0, or 2 when the input is empty.
int run_token_hash(std::istream& in, std::ostream& out);

class ApiTokens {
 public:
  ApiTokens() = default;
  explicit ApiTokens(std::vector<ApiToken> tokens) : tokens_(std::move(tokens)) {}

  // The configured token `presented` hashes to, or nullptr. Every configured hash is compared
  // (no early exit), so timing tells nothing about which hash came close.
  const ApiToken* find(std::string_view presented) const;
  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<ApiToken> tokens_;
};

}  // namespace arsync
