#!/usr/bin/env bash
# Installs every build, run and test dependency of arsync from Debian 12 packages.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libboost-dev libboost-program-options-dev libssl-dev openssl
  libsqlite3-dev sqlite3
  unixodbc unixodbc-dev odbc-postgresql libsqliteodbc
  libpugixml-dev nlohmann-json3-dev libyaml-cpp-dev libsimdjson-dev
  doctest-dev libsystemd-dev libcli11-dev
  libcsv-dev                             # dropdir: CSV exports
  libexpat1-dev                          # dropdir: XML exports streamed (mapping/xml_record_stream)
  postgresql
  procps python3 curl
  wrk                                    # bench/: HTTP load (webhook ingest, portal reads)
  clang clang-14 libclang-rt-14-dev      # fuzz/: libFuzzer + sanitizers (scripts/test.sh); clang gives clang++
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
