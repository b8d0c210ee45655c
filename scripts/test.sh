#!/usr/bin/env bash
# Installs what is missing, builds arsync with its tests, and runs the whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
