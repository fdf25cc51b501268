# Unique visitors in Trino (issue 20), as the admin over every tenant and day: visitors_trino
# merged by Trino's own HyperLogLog functions against the exact distinct count of the hits that
# went into the sketches, before and after `hitflow maintain` merges the settled delta rows.

# "tenant<TAB>hits<TAB>visitors" from the aggregates, and the same from the hits table.
bi_sketches() {
    trino_sql platform-admin "
        SELECT tenant_id, sum(hits),
               coalesce(cardinality(merge(CAST(visitors_trino AS HyperLogLog))), 0)
        FROM traffic_daily GROUP BY tenant_id ORDER BY tenant_id"
}
bi_exact="$(trino_sql platform-admin "
    SELECT tenant_id, count(*), count(DISTINCT visitor_id) FILTER (WHERE counted_as_visitor)
    FROM hits GROUP BY tenant_id ORDER BY tenant_id")"
bi_within_two_percent() { # exact and sketch "tenant hits visitors" lines: "ok" or what differs
    paste <(echo "$1") <(echo "$2") | awk -F'\t' '
        { d = $6 - $3; if (d < 0) d = -d
          if ($1 != $4 || $2 != $5 || d > 0.02 * $3) bad = bad $0 "; " }
        END { print (bad == "" ? "ok" : bad) }'
}

bi_before="$(bi_sketches)"
echo "      hits (tenant, hits, exact visitors):        $(echo "$bi_exact" | tr '\n\t' '; ')"
echo "      traffic_daily (tenant, hits, visitors_trino): $(echo "$bi_before" | tr '\n\t' '; ')"
check_equals "every tenant has hits and the sketches cover them (the checks compare something)" \
    "3" "$(echo "$bi_before" | wc -l | tr -d ' ')"
check_equals "per tenant: summed hits equal, merged visitors_trino within 2% of the exact count" \
    "ok" "$(bi_within_two_percent "$bi_exact" "$bi_before")"
# Same hash, same 4096 buckets: Trino's own sketch of the counted hits has the stored sketches'
# buckets, so the cardinality is the same to the unit.
check_equals "merged visitors_trino equals Trino's approx_set over the counted hits" \
    "$(trino_sql platform-admin "
        SELECT tenant_id,
               coalesce(cardinality(approx_set(visitor_id) FILTER (WHERE counted_as_visitor)), 0)
        FROM hits GROUP BY tenant_id ORDER BY tenant_id")" \
    "$(echo "$bi_before" | cut -f1,3)"

"$ROOT/hitflow" maintain --warehouse "$WAREHOUSE" --tenants deploy/trino/checks/tenants.yaml \
    --export-dir "$WORK/exports" > "$WORK/maintain.log" 2>&1 || { cat "$WORK/maintain.log"; false; }
echo "      maintain: $(grep -c 'traffic_daily .*: merged' "$WORK/maintain.log") traffic_daily partitions merged"
check_equals "after maintain: one traffic_daily row per (tenant, site, day)" \
    "$(trino_sql platform-admin "
        SELECT count(*), count(*) FROM (SELECT DISTINCT tenant_id, site_id, day FROM traffic_daily)")" \
    "$(trino_sql platform-admin "
        SELECT count(*), count(DISTINCT (tenant_id, site_id, day)) FROM traffic_daily")"
check_equals "after maintain: the same summed hits and merged visitors_trino per tenant" \
    "$bi_before" "$(bi_sketches)"
