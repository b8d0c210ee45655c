// cli: erp-sim's command line (API.md "Starting it"), parsed by hand into typed options.
// Owned by tools/erp-sim. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "tools/erp-sim/faults.hpp"
#include "tools/erp-sim/generator.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"

namespace arsync::sim {

struct CliOptions {
  bool help = false;
  uint16_t port = 0;
  std::string port_file;
  std::string token;
  int threads = 2;
  GeneratorSpec data;
  FaultSettings faults;
  WebhookSettings webhook;
};

// Accepts "--flag value" and "--flag=value". An unknown flag or a bad value is an error
// message naming the flag (main prints it and exits 2).
std::expected<CliOptions, std::string> parse_cli(int argc, const char* const* argv);

std::string cli_usage();

}  // namespace arsync::sim
