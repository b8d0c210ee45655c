#!/usr/bin/env bash
# bench_webhooks: webhook ingest of `arsync run` (DESIGN §9: >= 10,000 events/s, p99 <= 20 ms on
# 2 cores). wrk posts signed deliveries, each with its own X-Event-Id (the hmac-sha256 scheme's
# event_id_header), so every one is verified and committed to the inbox (synchronous=FULL,
# group commits). Prints wrk's figures and how many events the inbox holds afterwards.
#
#   bench/bench_webhooks.sh [seconds=10] [connections=64]
#   ARSYNC=/path/to/other/arsync bench/bench_webhooks.sh   # the same against another build (A/B)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends wrk; }
[ -x build/daemon/arsync ] || bash scripts/build.sh

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
build/tools/erp-sim/erp-sim --port 0 --port-file "$work/sim.port" --customers 5 --invoices 10 >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
secret=bench-secret
cat >"$work/arsync.yaml" <<YAML
mirror: $work/mirror.db
server:
  listen: 127.0.0.1:0
  max_connections: 1024
connectors:
  - name: demo
    type: json-http
    base_url: http://127.0.0.1:$(cat "$work/sim.port")/odata
    webhook:
      scheme: hmac-sha256
      secret: $secret
      event_id_header: X-Event-Id
    streams:
      - name: invoices
        path: invoices
        poll: 1h
        mapping: $PWD/etc/mappings/demo/invoices.yaml
YAML
ARSYNC_LOG_LEVEL=info "${ARSYNC:-build/daemon/arsync}" --config "$work/arsync.yaml" run 2>"$work/arsync.log" &
pid=$!
for _ in $(seq 200); do grep -q daemon_ready "$work/arsync.log" && break; sleep 0.05; done
port=$(sed -n 's/.*event=daemon_ready listen=127.0.0.1:\([0-9]*\).*/\1/p' "$work/arsync.log")

# A thin event (ids only): the inbox processor turns it into a pull, off the ingest path.
body='{"type":"invoices.updated","ids":["INV-0000001"]}'
signature=$(printf %s "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/.* //')
cat >"$work/post.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/webhooks/demo",
    {["Content-Type"] = "application/json", ["X-Signature"] = "$signature",
     ["X-Event-Id"] = "bench-" .. wrk.thread:get("id") .. "-" .. n}, '$body')
end
LUA
cat >>"$work/post.lua" <<'LUA'
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("id", threads) end
LUA
echo "bench_webhooks: ${seconds}s, $connections connections, against arsync run on 127.0.0.1:$port"
# PERF=1 records a 5 s profile of arsync under load into /tmp/webhooks.perf (perf report -i ...).
[ -n "${PERF:-}" ] && (perf record -g -o /tmp/webhooks.perf -p "$pid" -- sleep 5 >/dev/null 2>&1 &)
# CPU seconds per daemon thread (utime+stime from /proc), summed by thread name: the daemon's cost
# per event does not depend on how busy the machine is, unlike events/s on a shared box.
thread_cpu() {
  for t in /proc/"$pid"/task/*; do
    printf '%s %s\n' "$(tr ' ' _ <"$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
  done | awk '{cpu[$1] += $2} END {for (n in cpu) print n, cpu[n]}' | sort
}
thread_cpu >"$work/cpu.before"
# The client shares the two cores: wrk's own CPU is printed too.
/usr/bin/time -f "%U %S" -o "$work/wrk.time" \
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port" >"$work/wrk.out"
grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx|Socket errors" "$work/wrk.out"
sleep 1
thread_cpu >"$work/cpu.after"
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.out")
hz=$(getconf CLK_TCK)
echo "daemon CPU per request, by thread (µs), over the run and 1 s after:"
join -a2 -e 0 -o 0,1.2,2.2 "$work/cpu.before" "$work/cpu.after" | \
  awk -v n="$requests" -v hz="$hz" '{d = ($3 - $2) * 1e6 / hz / n; total += d; if (d > 0) printf "  %-16s %7.1f\n", $1, d}
                                    END {printf "  %-16s %7.1f\n", "total", total}'
awk -v n="$requests" '{printf "wrk (the client, 2 threads) CPU per request: %.1f µs\n", ($1 + $2) * 1e6 / n}' "$work/wrk.time"
echo "inbox rows committed: $(sqlite3 "$work/mirror.db" 'SELECT count(*) FROM inbox')"
