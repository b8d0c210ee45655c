// bench_mapping: the mapping evaluator alone — demo invoices (tests/fixtures/demo/invoices.json,
// the erp-sim shape, mapped by etc/mappings/demo/invoices.yaml) turned into canonical invoices,
// no I/O, no store. Prints invoices/s per core: the mapped count over this thread's CPU time,
// the best of --rounds rounds (the shared build machine's load only ever slows a round down).
//
//   build/bench/bench_mapping [--invoices 200000] [--rounds 5]
//
// The sync hot path maps every record this way; run it before and after touching mapping/.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mapping/json_reader.hpp"
#include "bench/bench_harness.hpp"
#include "mapping/mapping.hpp"

using namespace arsync;
using namespace arsync::bench;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  long invoices = 200000, rounds = 5;
  parse_long_options(argc, argv, {{"--invoices", &invoices}, {"--rounds", &rounds}});
  const std::string root = ARSYNC_SOURCE_DIR;
  auto mapping = Mapping::load(root + "/etc/mappings/demo/invoices.yaml");
  if (!mapping) {
    std::fprintf(stderr, "%s\n", mapping.error().front().describe().c_str());
    return 1;
  }
  auto page = read_json_page(slurp(root + "/tests/fixtures/demo/invoices.json"),
                             mapping->records_path().value_or("value"), "");
  if (!page) {
    std::fprintf(stderr, "%s\n", page.error().describe().c_str());
    return 1;
  }
  // Only the records the demo mapping accepts: the fixture also holds deliberately bad ones.
  std::vector<Record> good;
  std::size_t lines = 0;
  for (Record& r : page->records)
    if (auto e = mapping->map(r)) good.push_back(std::move(r)), lines += e->children[0].size();
  std::printf("mapping %ld invoices per round (%zu distinct, %.1f lines each), %ld rounds\n", invoices,
              good.size(), static_cast<double>(lines) / static_cast<double>(good.size()), rounds);
  double best = 0;
  for (long round = 0; round < rounds; ++round) {
    long ok = 0;
    const double start = thread_cpu_seconds();
    for (long i = 0; i < invoices; ++i)
      ok += mapping->map(good[static_cast<std::size_t>(i) % good.size()]).has_value();
    const double seconds = thread_cpu_seconds() - start;
    if (ok != invoices) {
      std::fprintf(stderr, "only %ld of %ld invoices mapped\n", ok, invoices);
      return 1;
    }
    const double rate = static_cast<double>(invoices) / seconds;
    std::printf("round %ld: %.0f invoices/s per core\n", round + 1, rate);
    best = std::max(best, rate);
  }
  std::printf("best: %.0f invoices/s per core\n", best);
  return 0;
}
