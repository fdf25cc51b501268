#!/usr/bin/env bash
# Checks Hitflow's tables through a real Trino 476: builds a small warehouse with `hitflow local`
# (two tenants with readers, one without, one BI admin: checks/tenants.yaml) and one opt-out
# request (so rights_requests exists), generates the access
# rules with `hitflow access trino`, starts Trino once with them and runs every checks/*.sh
# against that one server. Prints one line per check and "N passed, N failed"; exits non-zero
# when a check failed or Trino did not start. Leaves nothing running (trap).
#
# A check file is sourced with these at hand:
#   WAREHOUSE            the warehouse folder (Iceberg JDBC catalog on $WAREHOUSE/catalog.db)
#   trino_sql USER SQL   TSV rows of SQL run as USER (catalog hitflow, schema analytics)
#   flink_sql SQL        rows of SQL run by `hitflow sql` (Flink SQL on the same tables), as
#                        cells separated by tabs
#   check_equals NAME EXPECTED ACTUAL
#   check_denied NAME USER SQL      passes when Trino answers "Access Denied"
#
# Usage: deploy/trino/run-checks.sh [--keep]   (--keep leaves the work folder for a look)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
source deploy/trino/trino-lib.sh

KEEP=false
[[ "${1:-}" == "--keep" ]] && KEEP=true
WORK="$(mktemp -d /tmp/hitflow-trino.XXXXXX)"
WAREHOUSE="$WORK/w"
PASSED=0
FAILED=0

cleanup() {
    trino_stop
    if [[ "$KEEP" == true ]]; then
        echo "work folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

check_equals() {
    local name="$1" expected="$2" actual="$3"
    if [[ "$expected" == "$actual" ]]; then
        PASSED=$((PASSED + 1))
        echo "ok    $name"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL  $name"
        echo "      expected: $(echo "$expected" | tr '\n\t' '; ')"
        echo "      actual:   $(echo "$actual" | tr '\n\t' '; ')"
    fi
}

check_denied() {
    local name="$1" user="$2" sql="$3" out
    if out="$(trino_sql "$user" "$sql" 2>&1)"; then
        FAILED=$((FAILED + 1))
        echo "FAIL  $name: allowed, returned $(echo "$out" | tr '\n\t' '; ')"
    elif grep -q "Access Denied" <<< "$out"; then
        PASSED=$((PASSED + 1))
        echo "ok    $name ($(grep -o 'Access Denied[^"]*' <<< "$out" | head -n 1))"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL  $name: failed otherwise: $(echo "$out" | head -n 3)"
    fi
}

flink_sql() {
    # `hitflow sql` prints a table: header, rule, rows "a | b", then "N rows".
    "$ROOT/hitflow" sql --warehouse "$WAREHOUSE" -e "$1" 2>/dev/null \
        | awk 'NR > 2 && / \| / { gsub(/ *\| */, "\t"); print }'
}

trino_fetch
started=$SECONDS
"$ROOT/hitflow" local --generate "${TRINO_CHECK_HITS:-3000}" --seed 7 \
    --tenants deploy/trino/checks/tenants.yaml --warehouse "$WAREHOUSE" > "$WORK/local.log" 2>&1 \
    || { cat "$WORK/local.log"; exit 1; }
# One data-subject request, so the audit table rights_requests exists and holds a row.
echo trino-check-cookie | "$ROOT/hitflow" rights opt-out --warehouse "$WAREHOUSE" \
    --tenants deploy/trino/checks/tenants.yaml --tenant acme --kind COOKIE >> "$WORK/local.log" 2>&1 \
    || { cat "$WORK/local.log"; exit 1; }
echo "warehouse built by hitflow local and rights in $((SECONDS - started)) s"
"$ROOT/hitflow" access trino --tenants deploy/trino/checks/tenants.yaml > "$WORK/rules.json"

trino_start "$WAREHOUSE" "$WORK/rules.json"
echo "Trino $TRINO_VERSION ready in $TRINO_STARTUP_SECONDS s"
checks_started=$SECONDS
for check in deploy/trino/checks/*.sh; do
    echo "== $(basename "$check")"
    source "$check"
done
echo "checks took $((SECONDS - checks_started)) s"
trino_stop
echo "trino: $PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
