#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for a bounded time over a
# copy of the seed corpus (fuzz/corpus: the demo and example mappings, each with a record).
# Usage: fuzz/run.sh [seconds]   (default 60). Fails on any crash, hang or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DARSYNC_FUZZ=ON >/dev/null
cmake --build build-fuzz --target fuzz_mapping
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp fuzz/corpus/* "$work"/
# -timeout: one input may take at most 10 s (a hang is a failure); findings go to build-fuzz/.
build-fuzz/fuzz/fuzz_mapping -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=build-fuzz/ -print_final_stats=1 "$work" 2>&1 | tail -15
