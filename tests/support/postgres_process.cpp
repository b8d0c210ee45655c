// postgres_process: see postgres_process.hpp.
#include "tests/support/postgres_process.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace arsync::test {
namespace {

namespace fs = std::filesystem;

const fs::path kBin = "/usr/lib/postgresql/15/bin";

// A port that was free a moment ago (bind port 0, read it, release it). Another process may
// take it before postgres binds it; start() retries with a fresh port when that happens.
std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot find a free loopback port");
  close(fd);
  return ntohs(addr.sin_port);
}

bool running_as_root() { return geteuid() == 0; }

}  // namespace

PostgresProcess::PostgresProcess(std::string database, std::string password)
    : dir_("arsync-pg"), database_(std::move(database)), password_(std::move(password)) {
  if (running_as_root()) {
    const passwd* pw = getpwnam("postgres");
    if (!pw)
      throw std::runtime_error("running as root but there is no 'postgres' user (apt install postgresql)");
    if (chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("cannot chown the pg dir");
  }
  fs::create_directories(dir_ / "run");
  fs::create_directories(dir_ / "scratch");
  fs::create_directories(dir_ / "logs");
  if (running_as_root()) {
    const passwd* pw = getpwnam("postgres");
    for (const char* sub : {"run", "scratch"}) (void)!chown((dir_ / sub).c_str(), pw->pw_uid, pw->pw_gid);
  }
  run_tool("initdb", {"-D", (dir_ / "data").string(), "-U", "postgres", "--auth=trust", "--no-sync", "-E",
                      "UTF8", "--locale=C"});
  start();
  psql_in("postgres", "CREATE ROLE arsync LOGIN PASSWORD :'password'; CREATE DATABASE :\"database\" OWNER arsync",
          {{"password", password_}, {"database", database_}});
}

PostgresProcess::~PostgresProcess() {
  try {
    stop();
  } catch (...) {
    // stop() already fell back to SIGKILL; nothing more to do in a destructor.
  }
}

void PostgresProcess::run_tool(const std::string& tool, std::vector<std::string> args) const {
  std::string program = (kBin / tool).string();
  if (running_as_root()) {
    args.insert(args.begin(), {"-u", "postgres", "--", program});
    program = "/usr/sbin/runuser";
  }
  ChildProcess child({program, std::move(args), {{"LC_ALL", "C"}}, dir_ / "logs"});
  auto status = child.wait(std::chrono::minutes(5));
  if (!status) {
    child.kill(SIGKILL);
    throw std::runtime_error(tool + " did not finish in 5 minutes");
  }
  if (!status->ok())
    throw std::runtime_error(tool + " failed (" + status->describe() + "): " + child.stderr_text() +
                             child.stdout_text());
}

void PostgresProcess::start() {
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::uint16_t port = port_ ? port_ : free_port();
    std::string options = "-p " + std::to_string(port) + " -k " + (dir_ / "run").string() +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                          " -c full_page_writes=off -c max_connections=40";
    try {
      run_tool("pg_ctl", {"start", "-w", "-t", "60", "-D", (dir_ / "data").string(), "-l",
                          (dir_ / "run" / "server.log").string(), "-o", options});
      port_ = port;
      running_ = true;
      return;
    } catch (const std::runtime_error& e) {
      last_error = std::string(e.what()) + read_text_file(dir_ / "run" / "server.log");
      if (port_) break;  // a restart keeps its port; a collision there is not ours to fix
    }
  }
  throw std::runtime_error("PostgreSQL did not start: " + last_error);
}

void PostgresProcess::stop() {
  if (!running_) return;
  running_ = false;
  try {
    run_tool("pg_ctl", {"stop", "-m", "fast", "-w", "-t", "30", "-D", (dir_ / "data").string()});
  } catch (const std::runtime_error&) {
    std::ifstream pid_file(dir_ / "data" / "postmaster.pid");
    pid_t pid = 0;
    if (pid_file >> pid && pid > 0) ::kill(pid, SIGKILL);
  }
}

void PostgresProcess::restart() {
  stop();
  start();
}

std::string PostgresProcess::connection_string(std::string_view extra) const {
  return "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=" + std::to_string(port_) +
         ";Database=" + database_ + ";Uid=arsync;Pwd=" + password_ + ";" + std::string(extra);
}

std::string PostgresProcess::psql(std::string_view sql, const std::map<std::string, std::string>& values) const {
  return psql_in(database_, sql, values);
}

std::string PostgresProcess::psql_in(const std::string& database, std::string_view sql,
                                     const std::map<std::string, std::string>& values) const {
  // Through a file: no argv length limit, and psql reads it as the server's user.
  static int counter = 0;
  fs::path file = scratch() / ("q" + std::to_string(++counter) + ".sql");
  std::ofstream(file) << sql;
  std::string program = (kBin / "psql").string();
  std::vector<std::string> args{"-X",
                                "-q",
                                "-At",
                                "-v",
                                "ON_ERROR_STOP=1",
                                "-h",
                                (dir_ / "run").string(),
                                "-p",
                                std::to_string(port_),
                                "-U",
                                "postgres",
                                "-d",
                                database,
                                "-f",
                                file.string()};
  for (const auto& [name, value] : values) args.insert(args.end(), {"-v", name + "=" + value});
  if (running_as_root()) {
    args.insert(args.begin(), {"-u", "postgres", "--", program});
    program = "/usr/sbin/runuser";
  }
  if (!running_) throw std::runtime_error("psql: the server is not running");
  ChildProcess child({program, std::move(args), {{"LC_ALL", "C"}}, dir_ / "logs"});
  auto status = child.wait(std::chrono::minutes(10));
  if (!status) {
    child.kill(SIGKILL);
    throw std::runtime_error("psql did not finish in 10 minutes");
  }
  fs::remove(file);
  if (!status->ok()) throw std::runtime_error("psql failed: " + child.stderr_text());
  std::string out = child.stdout_text();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace arsync::test
