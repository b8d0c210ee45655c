#!/usr/bin/env bash
# Installs what is missing, builds arsync with its tests, and runs the whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
# A bounded fuzz run of the mapping loader and evaluator (libFuzzer needs clang, which
# install-deps.sh installs; see fuzz/). A crash, hang or sanitizer report fails the suite.
cd ..
bash fuzz/run.sh "${ARSYNC_FUZZ_SECONDS:-60}"
