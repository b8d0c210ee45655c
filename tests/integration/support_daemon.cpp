#include "tests/integration/support_daemon.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

namespace arsync::test {

std::string openssl_hmac_hex(const std::string& secret, const std::string& body) {
  TempDir dir("arsync-hmac");
  { std::ofstream(dir / "body", std::ios::binary) << body; }
  std::string command = "openssl dgst -sha256 -hmac '" + secret + "' < " + (dir / "body").string();
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char out[256] = {};
  REQUIRE(std::fgets(out, sizeof out, pipe));
  pclose(pipe);
  std::string line(out);
  return line.substr(line.rfind(' ') + 1, 64);
}

std::int64_t runs_done(const SyncDeployment& deployment) {
  return MirrorQuery(deployment.mirror()).scalar("SELECT count(*) FROM sync_runs WHERE outcome = 'succeeded'");
}

}  // namespace arsync::test
