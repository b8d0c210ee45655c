#!/usr/bin/env bash
# bench_idle: daemon CPU of `arsync run` with 10 streams polling an erp-sim that has no changes
# (DESIGN §9: <= 5 ms of daemon CPU per stream per incremental poll). After the initial sync,
# the daemon's utime+stime (/proc/PID/stat) is read before and after a window of polls; the
# polls are counted from the mirror's sync_runs, so the figure is CPU per completed poll. The
# window also gives the idle CPU share at that poll interval. A second window, with strace
# attached (so not the CPU one), counts the fsyncs per poll: with synchronous=FULL a poll that
# finds nothing new costs one (its page's commit), the run's start and end ride on it.
#
#   bench/bench_idle.sh [poll=2s] [window seconds=40]
set -euo pipefail
cd "$(dirname "$0")/.."
poll=${1:-2s}
window=${2:-40}
[ -x build/daemon/arsync ] || bash scripts/build.sh

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
build/tools/erp-sim/erp-sim --port 0 --port-file "$work/sim.port" --customers 50 --invoices 1000 >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
maps=$PWD/etc/mappings/demo
{
  echo "mirror: $work/mirror.db"
  echo "server:"
  echo "  listen: 127.0.0.1:0"
  echo "connectors:"
  # Ten streams over two connectors (a worker thread each), as a small real deployment has.
  for c in a b; do
    echo "  - name: erp_$c"
    echo "    type: json-http"
    echo "    base_url: http://127.0.0.1:$(cat "$work/sim.port")/odata"
    echo "    streams:"
    for s in customers:customers invoices:invoices credit_memos:creditMemos payments:payments invoices:invoices; do
      name=${s%%:*}
      n=$(( ${n:-0} + 1 ))
      echo "      - name: ${name}_$n"
      echo "        path: ${s##*:}"
      echo "        poll: $poll"
      echo "        mapping: $maps/$name.yaml"
    done
  done
} >"$work/arsync.yaml"
build/daemon/arsync --config "$work/arsync.yaml" run 2>"$work/arsync.log" &
pid=$!
runs() { sqlite3 "$work/mirror.db" "SELECT count(*) FROM sync_runs WHERE outcome = 'succeeded'" 2>/dev/null || echo 0; }
for _ in $(seq 600); do [ "$(runs)" -ge 10 ] && break; sleep 0.1; done
[ "$(runs)" -ge 10 ] || { echo "bench_idle: the initial sync did not finish" >&2; tail "$work/arsync.log" >&2; exit 1; }
sleep 1
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }  # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)
runs_before=$(runs); cpu_before=$(cpu); t0=$(date +%s.%N)
sleep "$window"
runs_after=$(runs); cpu_after=$(cpu); t1=$(date +%s.%N)
polls=$((runs_after - runs_before))
awk -v c0="$cpu_before" -v c1="$cpu_after" -v hz="$hz" -v p="$polls" -v t0="$t0" -v t1="$t1" -v poll="$poll" 'BEGIN {
  ms = (c1 - c0) * 1000 / hz
  printf "bench_idle: 10 streams polling every %s, %.0f s window\n", poll, t1 - t0
  printf "  incremental polls completed: %d (no changes)\n", p
  printf "  daemon CPU: %.0f ms (utime+stime) = %.2f ms per stream per poll (target <= 5 ms)\n", ms, (p ? ms / p : 0)
  printf "  idle CPU share at this poll interval: %.3f%% of one core\n", ms / 10 / (t1 - t0)
}'
command -v strace >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends strace; } >/dev/null
runs_before=$(runs)
timeout -s INT "$window" strace -f -c -e trace=fsync,fdatasync -p "$pid" -o "$work/strace.txt" 2>/dev/null || true
polls=$(( $(runs) - runs_before ))
syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$work/strace.txt")
awk -v s="$syncs" -v p="$polls" 'BEGIN {
  printf "  fsync+fdatasync during %d polls (strace -f -c): %d = %.2f per poll\n", p, s, (p ? s / p : 0)
}'
