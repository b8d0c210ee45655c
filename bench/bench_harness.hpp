// What every benchmark does around its measurement: reading its `--name value` options, timing
// (wall clock, this thread's CPU, reaped children's CPU), peak RSS, and stopping with a message
// when a step it measures did not work. Header-only; benchmarks are single-threaded programs.
#pragma once

#include <errno.h>  // program_invocation_short_name (GNU)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <string>

#include "tests/integration/support.hpp"

namespace arsync::bench {

struct LongOption {
  const char* name;  // "--rows"
  long* value;       // holds the default; set from the command line
};

// Sets each option named on the command line ("--rows 1000"); an unknown one stops the program
// with exit code 2, naming it.
inline void parse_long_options(int argc, char** argv, std::initializer_list<LongOption> options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const LongOption* match = nullptr;
    for (const LongOption& o : options)
      if (std::strcmp(argv[i], o.name) == 0) match = &o;
    if (!match) std::fprintf(stderr, "unknown option %s\n", argv[i]), std::exit(2);
    *match->value = std::atol(argv[i + 1]);
  }
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// User + system CPU of the children reaped so far (the arsync runs).
inline double children_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Peak RSS in MB of this process (RUSAGE_SELF) or of the largest reaped child (RUSAGE_CHILDREN).
inline long peak_rss_mb(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return usage.ru_maxrss / 1024;
}

// Stops the benchmark (exit code 1) with "<program>: <what>".
[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
  std::exit(1);
}

// Stops the benchmark when an arsync run it depends on failed, with arsync's stderr.
inline void require_ok(const test::SyncDeployment::Run& run, const char* what) {
  if (run.status.ok()) return;
  die(std::string(what) + " failed (" + run.status.describe() + "):\n" + run.err);
}

}  // namespace arsync::bench
