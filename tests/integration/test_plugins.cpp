// Connector plugins end to end: the SDK installed from this build tree (`cmake --install
// --component sdk`), the example plugin connectors/examples/csv_http built out of tree against
// it (find_package(arsync)), loaded by the real arsync from plugin_dirs, checked by `arsync
// check` and synced into a mirror from a real HTTP server; and a plugin built for another ABI
// version refused with a message naming the file and both versions.
#include <doctest/doctest.h>

#include <arsync/plugin.hpp>
#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/support.hpp"

using namespace arsync::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kRoot = ARSYNC_SOURCE_DIR;

// Runs a program to completion, failing the test if it does not succeed.
std::string run_ok(const fs::path& log_dir, const std::string& program, std::vector<std::string> args) {
  fs::create_directories(log_dir);
  ChildProcess child({program, std::move(args), {}, log_dir});
  auto status = child.wait(10min);
  REQUIRE_MESSAGE(status, program << " did not finish");
  INFO(child.stdout_text() << child.stderr_text());
  REQUIRE(status->ok());
  return child.stdout_text();
}

struct ArsyncRun {
  ExitStatus status;
  std::string out, err;
};

ArsyncRun run_arsync(const fs::path& config, std::vector<std::string> args) {
  args.insert(args.begin(), {"--config", config.string()});
  fs::path logs = config.parent_path() / "logs-arsync";  // each child its own stdout/stderr files
  fs::create_directories(logs);
  ChildProcess child({ARSYNC_BIN, std::move(args), {}, logs});
  auto status = child.wait(5min);
  REQUIRE_MESSAGE(status, "arsync did not finish");
  return {*status, child.stdout_text(), child.stderr_text()};
}

// A static file server on a free loopback port (python3's http.server, which prints the port
// it bound): the "ERP" publishing its CSV reports.
class ReportServer {
 public:
  explicit ReportServer(const fs::path& dir)
      : process_({"/usr/bin/python3",
                  {"-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir.string()},
                  {},
                  log_dir(dir)}) {
    std::regex port_line(R"(port (\d+))");
    std::smatch match;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    for (std::string out; std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
      out = process_.stdout_text();
      if (std::regex_search(out, match, port_line)) {
        port_ = std::stoi(match[1]);
        return;
      }
      REQUIRE_MESSAGE(process_.running(), process_.stderr_text());
    }
    FAIL("the report server did not start");
  }
  int port() const { return port_; }

 private:
  static fs::path log_dir(const fs::path& dir) {
    fs::create_directories(dir.parent_path() / "logs-server");
    return dir.parent_path() / "logs-server";
  }

  ChildProcess process_;
  int port_ = 0;
};

}  // namespace

TEST_CASE(
    "a plugin built against the installed SDK loads, is checked like a built-in and syncs into a mirror") {
  TempDir dir("arsync-plugin");
  // 1. Install the SDK (headers + CMake package) from this build tree into a prefix.
  fs::path prefix = dir / "sdk";
  run_ok(dir / "logs-install", CMAKE_COMMAND_PATH,
         {"--install", ARSYNC_BUILD_DIR, "--component", "sdk", "--prefix", prefix.string()});
  CHECK(fs::exists(prefix / "include/arsync/connector.hpp"));
  // 2. Build the example plugin out of tree with find_package(arsync).
  fs::path build = dir / "plugin-build";
  run_ok(dir / "logs-configure", CMAKE_COMMAND_PATH,
         {"-S", (kRoot / "connectors/examples/csv_http").string(), "-B", build.string(), "-G",
          CMAKE_GENERATOR_NAME, "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix.string(),
          std::string("-DCMAKE_CXX_COMPILER=") + CXX_COMPILER_PATH});
  run_ok(dir / "logs-build", CMAKE_COMMAND_PATH, {"--build", build.string()});
  fs::path plugins = dir / "plugins";
  fs::create_directories(plugins);
  fs::copy_file(build / "csv_http.so", plugins / "csv_http.so");

  // 3. An ERP publishing CSV reports over HTTP.
  fs::path reports = dir / "reports";
  fs::create_directories(reports);
  fs::copy_file(kRoot / "tests/fixtures/csv/customers.csv", reports / "customers.csv");
  fs::copy_file(kRoot / "tests/fixtures/csv/invoices.csv", reports / "invoices.csv");
  ReportServer server(reports);

  auto write_config = [&](const std::string& invoices_option) {
    std::ofstream(dir / "arsync.yaml")
        << "mirror: mirror.db\nplugin_dirs: [plugins]\nconnectors:\n"
        << "  - name: reports\n    type: csv-http\n    url: http://127.0.0.1:" << server.port() << "\n"
        << "    streams:\n"
        << "      - name: customers\n        mapping: "
        << (kRoot / "etc/mappings/examples/csv/customers.yaml").string() << "\n        path: customers.csv\n"
        << "      - name: invoices\n        mapping: "
        << (kRoot / "etc/mappings/examples/csv/invoices.yaml").string() << "\n        " << invoices_option
        << "\n";
  };
  // 4. `arsync check` checks the plugin's options from its schema, like a built-in's.
  write_config("pth: invoices.csv");
  auto bad = run_arsync(dir / "arsync.yaml", {"check"});
  CHECK_FALSE(bad.status.ok());
  CHECK(bad.err.find("stream reports/invoices has no option 'pth' (did you mean 'path'?)") !=
        std::string::npos);
  CHECK(bad.err.find("stream reports/invoices needs option 'path'") != std::string::npos);

  write_config("path: invoices.csv");
  auto check = run_arsync(dir / "arsync.yaml", {"check"});
  INFO(check.err);
  REQUIRE(check.status.ok());

  // 5. A real sync through the plugin into the mirror.
  auto sync = run_arsync(dir / "arsync.yaml", {"sync", "--once"});
  INFO(sync.err);
  REQUIRE(sync.status.ok());
  CHECK(sync.err.find("event=plugin_loaded") != std::string::npos);
  MirrorQuery q(dir / "mirror.db");
  CHECK(q.scalar("SELECT count(*) FROM customers WHERE source = 'reports'") == 3);
  CHECK(q.pairs("SELECT currency, sum(total) FROM invoices WHERE source = 'reports' GROUP BY currency") ==
        std::map<std::string, std::int64_t>{{"EUR", 238000}, {"USD", 187190}});
  CHECK(q.text("SELECT name FROM customers WHERE erp_id = 'C-1002'") == "The \"Blue Door\" Bakery");
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
}

TEST_CASE("a plugin built for another ABI version is refused, naming the file and both versions") {
  TempDir dir("arsync-abi");
  std::ofstream(dir / "arsync.yaml") << "mirror: mirror.db\nplugin_dirs: " << ABI_MISMATCH_PLUGIN_DIR
                                     << "\nconnectors: []\n";
  auto check = run_arsync(dir / "arsync.yaml", {"check"});
  CHECK_FALSE(check.status.ok());
  std::string file = (fs::path(ABI_MISMATCH_PLUGIN_DIR) / "arsync_test_abi_mismatch.so").string();
  std::string expected = file + ": the plugin was built for connector ABI version " +
                         std::to_string(arsync::kAbiVersion + 1) + ", but this arsync has ABI version " +
                         std::to_string(arsync::kAbiVersion) +
                         "; rebuild the plugin against this arsync's SDK";
  INFO(check.err);
  CHECK(check.err.find(expected) != std::string::npos);

  // A folder that is not there is a config problem at plugin_dirs' place.
  std::ofstream(dir / "arsync.yaml") << "mirror: mirror.db\nplugin_dirs: [no-such-dir]\nconnectors: []\n";
  auto missing = run_arsync(dir / "arsync.yaml", {"check"});
  CHECK_FALSE(missing.status.ok());
  CHECK(missing.err.find("arsync.yaml:2:14: cannot read plugin folder " + (dir / "no-such-dir").string()) !=
        std::string::npos);
}
