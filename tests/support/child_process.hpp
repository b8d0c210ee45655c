// child_process: test support for starting real executables (erp-sim, arsync) as child
// processes: argv and extra environment in, stdout/stderr captured to files, signals, waiting
// with a timeout. Also TempDir, a scratch directory removed when the test ends.
// Owned by the erp-sim work (tests/support); used by tests/erpsim and tests/integration.
// Thread contract: one ChildProcess / TempDir per test thread; not shared between threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arsync::test {

// A fresh directory (mkdtemp under $TMPDIR, else /tmp), removed recursively by the destructor
// unless the environment has ARSYNC_KEEP_TEST_DIRS set (then its path is printed to stderr).
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "arsync-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// How a child ended.
struct ExitStatus {
  bool exited = false;  // exited normally: `code` holds its exit code
  int code = 0;
  int signal = 0;  // killed by this signal (exited == false)

  bool ok() const { return exited && code == 0; }
  std::string describe() const;  // "exit 0", "killed by signal 9"
};

struct ChildOptions {
  std::string program;                                   // path to the executable
  std::vector<std::string> args;                         // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) ours
  std::filesystem::path log_dir;                         // stdout.log / stderr.log go here
};

// A running child process. The destructor SIGKILLs and reaps it if it is still running, so a
// failing test never leaves a stray server behind.
class ChildProcess {
 public:
  // Starts the child (posix_spawn; stdin is /dev/null). Throws std::runtime_error on failure.
  explicit ChildProcess(ChildOptions options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends a signal (no-op once the child has been reaped).
  void kill(int signal);
  // Whether the child is still running (reaps it if it has exited).
  bool running();
  // Waits up to `timeout` for the child to end; nullopt if it is still running then.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // The exit status once reaped.
  std::optional<ExitStatus> exit_status() const { return status_; }

  const std::filesystem::path& stdout_path() const { return stdout_path_; }
  const std::filesystem::path& stderr_path() const { return stderr_path_; }
  // What the child has written so far.
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  bool try_reap();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

// Reads a whole file ("" if it does not exist).
std::string read_text_file(const std::filesystem::path& path);

}  // namespace arsync::test
