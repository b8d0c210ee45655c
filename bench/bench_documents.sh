#!/usr/bin/env bash
# bench_documents: the document pull rate of the shipped demo (etc/arsync.yaml's invoice_documents
# stream: list erp-sim's invoiceDocuments, download each invoice's PDF, upsert it into the mirror)
# in one `arsync sync --once` of a fresh mirror, and that whole sync's peak RSS. The rate is the
# stream's own sync run: documents inserted / (finished_at - started_at).
#
#   bench/bench_documents.sh [invoices=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
invoices=${1:-5000}
[ -x build/daemon/arsync ] || bash scripts/build.sh

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
build/tools/erp-sim/erp-sim --port 0 --port-file "$work/sim.port" --token tok --customers 200 \
  --invoices "$invoices" >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
ERP_SIM_URL=http://127.0.0.1:$(cat "$work/sim.port") ERP_SIM_TOKEN=tok ARSYNC_STATE_DIR=$work \
  /usr/bin/time -f "sync --once: %e s wall, peak RSS %M KB" build/daemon/arsync --config etc/arsync.yaml \
  sync --once 2>&1 >/dev/null | grep "sync --once"
sqlite3 "$work/mirror.db" "SELECT printf('invoice_documents: %d documents (%d bytes) in %.3f s = %.0f documents/s',
  r.inserted, (SELECT sum(byte_size) FROM documents), s, r.inserted / s)
  FROM (SELECT inserted, (julianday(finished_at) - julianday(started_at)) * 86400.0 AS s FROM sync_runs
        WHERE stream = 'invoice_documents') r"
