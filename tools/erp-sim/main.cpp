// erp-sim: the demo ERP simulator's entry point. Parses flags, binds, announces the port on
// stdout (and atomically in --port-file), then serves until SIGTERM/SIGINT (exit 0).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "tools/erp-sim/api.hpp"
#include "tools/erp-sim/cli.hpp"
#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/http_server.hpp"

namespace {

// Written to a temp name and renamed, so a reader polling the file never sees it half written.
bool write_port_file(const std::string& path, uint16_t port) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace arsync::sim;
  const auto options = parse_cli(argc, argv);
  if (!options) {
    std::cerr << "erp-sim: " << options.error() << "\n(erp-sim --help lists the options)\n";
    return 2;
  }
  if (options->help) {
    std::cout << cli_usage();
    return 0;
  }
  try {
    Dataset dataset(options->data);
    FaultInjector faults(options->data.seed, options->faults);
    std::unique_ptr<WebhookEmitter> webhooks;
    if (options->webhook.enabled())
      webhooks = std::make_unique<WebhookEmitter>(dataset, options->webhook, options->data.seed);
    HttpServer server(options->port);
    Api api(dataset, faults, ApiOptions{options->token, server.port(), webhooks.get()});
    std::cout << "erp-sim listening on 127.0.0.1:" << server.port() << std::endl;
    if (!options->port_file.empty() && !write_port_file(options->port_file, server.port())) {
      std::cerr << "erp-sim: cannot write port file '" << options->port_file << "'\n";
      return 1;
    }
    server.run(api, options->threads);
  } catch (const std::exception& e) {
    std::cerr << "erp-sim: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
