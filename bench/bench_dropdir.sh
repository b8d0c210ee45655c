#!/usr/bin/env bash
# bench_dropdir: peak RSS and wall time of one `arsync sync --once` reading one large dropdir
# export file into a fresh mirror, with the mirror's exact count and sum to show nothing was lost.
#   xml:  SAP INVOIC02 IDocs (the first IDoc of tests/fixtures/sap-idoc/INVOIC02_invoices.xml
#         repeated under new document numbers), mapped by etc/mappings/examples/sap-idoc/invoices.yaml
#   json: an array of invoice objects, mapped by etc/mappings/examples/csv/invoices.yaml (its
#         field names are the JSON members)
# Each with its customers (the sap-idoc or csv fixture) dropped beside it.
#
#   bench/bench_dropdir.sh [xml|json|all=all] [megabytes=50]
#   ARSYNC=/path/to/other/arsync bench/bench_dropdir.sh ...   # e.g. an older build, to compare
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
megabytes=${2:-50}
arsync=${ARSYNC:-build/daemon/arsync}
[ -x "$arsync" ] || bash scripts/build.sh

work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

generate() {  # generate <xml|json> <file>
  python3 - "$1" "$2" "$megabytes" <<'PY'
import re, sys
kind, path, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
limit = megabytes * 1024 * 1024
with open(path, "w", encoding="utf-8") as out:
    if kind == "xml":
        text = open("tests/fixtures/sap-idoc/INVOIC02_invoices.xml", encoding="utf-8").read()
        idoc = re.search(r"  <IDOC BEGIN=\"1\">.*?</IDOC>\n", text, re.S).group(0)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<INVOIC02>\n')
        size, n = 0, 0
        while size < limit:
            n += 1
            chunk = idoc.replace("0090036021", "%010d" % (90000000 + n))
            out.write(chunk)
            size += len(chunk.encode())
        out.write("</INVOIC02>\n")
    else:
        out.write("[\n")
        size, n = 0, 0
        while size < limit:
            n += 1
            cents = 100 + n % 9000
            amount = "%d.%02d" % (cents // 100, cents % 100)
            rec = ('{"InvoiceNo":"INV-%d","CustomerNo":"C-%d","InvoiceDate":"03/01/2025","DueDate":"03/31/2025",'
                   '"Currency":"USD","Net":%s,"Tax":0,"Total":%s,"OpenAmount":%s,"Status":"Open","PONumber":"PO-%d"}'
                   % (n, 1001 + n % 3, amount, amount, amount, n))
            out.write(("," if n > 1 else "") + rec + "\n")
            size += len(rec) + 2
        out.write("]\n")
PY
}

run() {  # run <xml|json>
  local kind=$1 dir="$work/$1" mapping file customers customer_mapping
  mkdir -p "$dir/in"
  if [ "$kind" = xml ]; then
    mapping=sap-idoc/invoices.yaml file=INVOIC02_bench.xml
    customers=sap-idoc/DEBMAS06_customers.xml customer_mapping=sap-idoc/customers.yaml
  else
    mapping=csv/invoices.yaml file=invoices_bench.json
    customers=csv/customers.csv customer_mapping=csv/customers.yaml
  fi
  cp "tests/fixtures/$customers" "$dir/in/"  # the customers the invoices name
  generate "$kind" "$dir/in/$file"
  cat >"$dir/arsync.yaml" <<YAML
mirror: $dir/mirror.db
connectors:
  - name: erp
    type: dropdir
    path: $dir/in
    complete_when: renamed
    max_file_bytes: 1073741824
    streams:
      - name: customers
        mapping: $PWD/etc/mappings/examples/$customer_mapping
        pattern: "$(basename "$customers")"
      - name: invoices
        mapping: $PWD/etc/mappings/examples/$mapping
        pattern: "$file"
YAML
  echo "$kind: $(stat -c %s "$dir/in/$file") bytes"
  /usr/bin/time -f "$kind: sync --once: %e s wall, peak RSS %M KB" "$arsync" --config "$dir/arsync.yaml" \
    sync --once 2>&1 >/dev/null | grep -E "sync --once|level=error" || true
  sqlite3 "$dir/mirror.db" "SELECT printf('$kind: %d invoices, sum(total) %d minor units; %d rejects; file in processed/: %s',
    (SELECT count(*) FROM invoices), (SELECT coalesce(sum(total), 0) FROM invoices),
    (SELECT count(*) FROM rejects), '$(ls "$dir/in/processed" 2>/dev/null | tr '\n' ' ')')"
}

case "$which" in
  xml | json) run "$which" ;;
  all) run xml; run json ;;
  *) echo "usage: $0 [xml|json|all] [megabytes]" >&2; exit 2 ;;
esac
