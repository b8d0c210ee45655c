#!/usr/bin/env bash
# The main job, end to end: install, build, start the demo ERP (erp-sim) on a free loopback
# port, sync it into a fresh SQLite mirror with `arsync sync --once`, change a few records in
# the ERP, and sync again to show the incremental pull.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

state=${ARSYNC_STATE_DIR:-$PWD/state}
mkdir -p "$state"
rm -f "$state"/mirror.db "$state"/mirror.db-wal "$state"/mirror.db-shm
export ARSYNC_STATE_DIR=$state
# The summary tells the story; set ARSYNC_LOG_LEVEL=info to see every stream's log lines too.
export ARSYNC_LOG_LEVEL=${ARSYNC_LOG_LEVEL:-warn}

portfile=$(mktemp)
export ERP_SIM_TOKEN=demo-token-$RANDOM$RANDOM
./build/tools/erp-sim/erp-sim --port 0 --port-file "$portfile" --seed 42 --customers 200 --invoices 5000 \
  --token "$ERP_SIM_TOKEN" >"$state/erp-sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
[ -s "$portfile" ] || { echo "erp-sim did not start:"; cat "$state/erp-sim.log"; exit 1; }
export ERP_SIM_URL=http://127.0.0.1:$(cat "$portfile")
echo "== demo ERP (erp-sim) serving a generated company at $ERP_SIM_URL"

echo "== arsync sync --once (first, full sync)"
./build/daemon/arsync --config etc/arsync.yaml sync --once

echo
echo "== the ERP changes 25 invoices and adds 10; arsync sync --once (incremental)"
curl -fsS -X POST "$ERP_SIM_URL/admin/mutate" -d '{"collection":"invoices","action":"modify","count":25}' >/dev/null
curl -fsS -X POST "$ERP_SIM_URL/admin/mutate" -d '{"collection":"invoices","action":"add","count":10}' >/dev/null
./build/daemon/arsync --config etc/arsync.yaml sync --once

echo
echo "== arsync status"
./build/daemon/arsync --config etc/arsync.yaml status
