// Test support for `arsync run` beside running_daemon.hpp (the daemon and wait_until): HMAC
// signatures computed by the openssl command line, independently of arsync's own HMAC code,
// and the count of finished runs. Thread contract: one per test.
#pragma once

#include <cstdint>
#include <string>

#include "tests/integration/running_daemon.hpp"
#include "tests/integration/support.hpp"

namespace arsync::test {

// Hex HMAC-SHA256 of `body` with `secret`, by `openssl dgst`.
std::string openssl_hmac_hex(const std::string& secret, const std::string& body);

// Succeeded sync runs in the mirror (any stream, any kind).
std::int64_t runs_done(const SyncDeployment& deployment);

}  // namespace arsync::test
