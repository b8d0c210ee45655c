#!/usr/bin/env bash
# bench_startup: time from starting `arsync run` to READY (its daemon_ready line, logged as it
# sends READY=1 to systemd) with a mirror of about 1 GB (DESIGN §9: <= 1 s). The mirror is a
# real sync of erp-sim's company, its invoices then copied under new ids until the file
# reaches the size asked for; it is built once and kept in $ARSYNC_BENCH_CACHE (default
# /tmp/arsync-bench) for later runs. Start-up is measured five times and each time printed.
#
#   bench/bench_startup.sh [size MB=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
cache=${ARSYNC_BENCH_CACHE:-/tmp/arsync-bench}
[ -x build/daemon/arsync ] || bash scripts/build.sh
mkdir -p "$cache"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
build/tools/erp-sim/erp-sim --port 0 --port-file "$work/sim.port" --customers 2000 --invoices 200000 >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
mirror=$cache/mirror-${size_mb}mb.db
maps=$PWD/etc/mappings/demo
write_config() {
  cat >"$work/arsync.yaml" <<YAML
mirror: $mirror
server:
  listen: 127.0.0.1:0
connectors:
  - name: demo
    type: json-http
    base_url: http://127.0.0.1:$(cat "$work/sim.port")/odata
    streams:
      - {name: customers, path: customers, mapping: $maps/customers.yaml, poll: 1h}
      - {name: invoices, path: invoices, mapping: $maps/invoices.yaml, poll: 1h}
      - {name: credit_memos, path: creditMemos, mapping: $maps/credit_memos.yaml, poll: 1h}
      - {name: payments, path: payments, mapping: $maps/payments.yaml, poll: 1h}
YAML
}
write_config
bytes() { stat -c %s "$mirror" 2>/dev/null || echo 0; }
if [ "$(bytes)" -lt $((size_mb * 1024 * 1024)) ]; then
  echo "bench_startup: building a ${size_mb} MB mirror in $mirror (once)"
  rm -f "$mirror" "$mirror-wal" "$mirror-shm"
  build/daemon/arsync --config "$work/arsync.yaml" sync --once >/dev/null
  cols=$(sqlite3 "$mirror" "SELECT group_concat(name, ', ') FROM pragma_table_info('invoices') WHERE name NOT IN ('id', 'erp_id')")
  round=0
  while [ "$(bytes)" -lt $((size_mb * 1024 * 1024)) ]; do
    round=$((round + 1))
    sqlite3 "$mirror" "INSERT INTO invoices (erp_id, $cols) SELECT erp_id || '-c$round', $cols FROM invoices;"
    echo "  round $round: $(( $(bytes) / 1024 / 1024 )) MB"
  done
  sqlite3 "$mirror" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
fi
echo "bench_startup: mirror $(( $(bytes) / 1024 / 1024 )) MB, $(sqlite3 "$mirror" 'SELECT count(*) FROM invoices') invoices"
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  build/daemon/arsync --config "$work/arsync.yaml" run 2>"$work/arsync.log" &
  pid=$!
  until grep -q daemon_ready "$work/arsync.log"; do
    kill -0 $pid 2>/dev/null || { echo "arsync run exited:"; cat "$work/arsync.log"; exit 1; }
    sleep 0.002
  done
  ready=$(date +%s%N)
  printf "  run %d: start-up to READY %.0f ms (target <= 1000 ms)\n" "$i" "$(( (ready - start) / 1000 ))e-3"
  kill -TERM $pid; wait $pid || true
done
