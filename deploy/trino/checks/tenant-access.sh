# Row-level access per tenant (issue 24), against the rules `hitflow access trino` generated from
# checks/tenants.yaml: a reader sees only its tenant's rows, exactly as many as Flink SQL counts
# for that tenant; the rights tables and Iceberg's metadata tables are admins' only; a user in no
# list reads nothing; the admin reads every tenant.

# One Flink SQL run for every expected count: "table<TAB>tenant<TAB>rows".
flink_counts="$(flink_sql "
    SELECT 'hits', tenant_id, COUNT(*) FROM hits GROUP BY tenant_id
    UNION ALL SELECT 'sessions', tenant_id, COUNT(*) FROM sessions GROUP BY tenant_id
    UNION ALL SELECT 'traffic_daily', tenant_id, COUNT(*) FROM traffic_daily GROUP BY tenant_id
    UNION ALL SELECT 'rights_requests', 'all', COUNT(*) FROM rights_requests")"
expected() { # expected TABLE [TENANT]: "tenant<TAB>rows" lines, sorted
    awk -F'\t' -v t="$1" -v id="${2:-}" '$1 == t && (id == "" || $2 == id) { print $2 "\t" $3 }' \
        <<< "$flink_counts" | sort
}

for table in hits sessions traffic_daily; do
    for tenant in acme globex; do
        check_equals "$tenant-analyst reads only $tenant's rows of $table" \
            "$(expected "$table" "$tenant")" \
            "$(trino_sql "$tenant-analyst" "SELECT tenant_id, count(*) FROM $table GROUP BY tenant_id")"
    done
    check_equals "platform-admin reads every tenant's rows of $table" \
        "$(expected "$table")" \
        "$(trino_sql platform-admin "SELECT tenant_id, count(*) FROM $table GROUP BY tenant_id ORDER BY tenant_id")"
done
check_equals "every tenant has rows (the checks above compare something)" \
    "acme globex initech" "$(expected hits | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_equals "acme-analyst's filter holds under a predicate on another tenant" \
    "0" "$(trino_sql acme-analyst "SELECT count(*) FROM hits WHERE tenant_id = 'globex'")"
check_equals "acme-analyst sees the analytics schema" \
    "analytics" "$(trino_sql acme-analyst "SHOW SCHEMAS FROM hitflow LIKE 'analytics'")"
check_denied "acme-analyst is denied rights_requests" acme-analyst \
    "SELECT count(*) FROM rights_requests"
check_denied "acme-analyst is denied Iceberg's metadata table hits\$files" acme-analyst \
    'SELECT count(*) FROM "hits$files"'
check_denied "a user in no list is denied hits" nobody "SELECT count(*) FROM hits"
check_denied "a user in no list is denied traffic_daily" nobody \
    "SELECT count(*) FROM traffic_daily"
check_equals "rights_requests holds the one opt-out (Flink SQL)" \
    "1" "$(expected rights_requests | cut -f2)"
check_equals "platform-admin reads rights_requests" \
    "$(expected rights_requests | cut -f2)" \
    "$(trino_sql platform-admin "SELECT count(*) FROM rights_requests")"
