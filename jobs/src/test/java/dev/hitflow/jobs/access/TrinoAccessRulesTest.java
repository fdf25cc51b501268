package dev.hitflow.jobs.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrinoAccessRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TenantRegistry registry(String yaml) {
        return TenantConfigLoader.parse(yaml, "t.yaml", Path.of("/cfg"), null);
    }

    @Test
    void readersGetTheirTenantsRowsAdminsEverythingOthersNothing() throws Exception {
        TenantRegistry tenants =
                registry(
                        """
                        bi_admins: [platform-admin, group:bi-admins]
                        tenants:
                          - {id: acme, country: FR, time_zone: Europe/Paris, sites: [a],
                             readers: [acme-analyst, group:acme-bi, jane.doe]}
                          - {id: globex, country: US, time_zone: America/New_York, sites: [g],
                             readers: [globex-analyst, jane.doe]}
                          - {id: initech, country: DE, time_zone: Europe/Berlin, sites: [i]}
                        """);
        String expected =
                """
                {
                  "catalogs": [
                    {"user": "platform-admin", "catalog": "hitflow", "allow": "read-only"},
                    {"group": "bi-admins", "catalog": "hitflow", "allow": "read-only"},
                    {"user": "acme-analyst|jane\\\\.doe|globex-analyst", "catalog": "hitflow",
                     "allow": "read-only"},
                    {"group": "acme-bi", "catalog": "hitflow", "allow": "read-only"}
                  ],
                  "schemas": [{"owner": false}],
                  "tables": [
                    {"user": "platform-admin", "catalog": "hitflow", "schema": "analytics",
                     "table": ".*", "privileges": ["SELECT"]},
                    {"group": "bi-admins", "catalog": "hitflow", "schema": "analytics",
                     "table": ".*", "privileges": ["SELECT"]},
                    {"catalog": "hitflow", "schema": "analytics",
                     "table": "rights_requests|rights_queue|suppressions", "privileges": []},
                    {"user": "acme-analyst", "catalog": "hitflow", "schema": "analytics",
                     "table": "[a-z0-9_]+", "privileges": ["SELECT"],
                     "filter": "tenant_id = 'acme'"},
                    {"group": "acme-bi", "catalog": "hitflow", "schema": "analytics",
                     "table": "[a-z0-9_]+", "privileges": ["SELECT"],
                     "filter": "tenant_id = 'acme'"},
                    {"user": "jane\\\\.doe", "catalog": "hitflow", "schema": "analytics",
                     "table": "[a-z0-9_]+", "privileges": ["SELECT"],
                     "filter": "tenant_id IN ('acme', 'globex')"},
                    {"user": "globex-analyst", "catalog": "hitflow", "schema": "analytics",
                     "table": "[a-z0-9_]+", "privileges": ["SELECT"],
                     "filter": "tenant_id = 'globex'"}
                  ],
                  "queries": [
                    {"user": "platform-admin", "allow": ["execute", "kill", "view"]},
                    {"group": "bi-admins", "allow": ["execute", "kill", "view"]},
                    {"allow": ["execute"]}
                  ]
                }
                """;
        String rules = TrinoAccessRules.json(tenants, "hitflow");
        assertThat(JSON.readTree(rules)).isEqualTo(JSON.readTree(expected));
        // the patterns as Trino reads them: a dot in a name matches only a dot
        assertThat("jane.doe").matches(JSON.readTree(rules).at("/tables/5/user").asText());
        assertThat("janeXdoe").doesNotMatch(JSON.readTree(rules).at("/tables/5/user").asText());
        assertThat("hits$files").doesNotMatch(JSON.readTree(rules).at("/tables/3/table").asText());
    }

    @Test
    void withoutReadersOrAdminsNobodyReadsAnything() throws Exception {
        TenantRegistry tenants =
                registry(
                        "tenants:\n  - {id: acme, country: FR, time_zone: Europe/Paris, sites:"
                                + " [a]}\n");
        assertThat(JSON.readTree(TrinoAccessRules.json(tenants, "lake")))
                .isEqualTo(
                        JSON.readTree(
                                """
                                {"catalogs": [], "schemas": [{"owner": false}],
                                 "tables": [{"catalog": "lake", "schema": "analytics",
                                   "table": "rights_requests|rights_queue|suppressions",
                                   "privileges": []}],
                                 "queries": [{"allow": ["execute"]}]}
                                """));
        assertThat(TrinoAccessRules.tenantFilter(List.of("a", "b")))
                .isEqualTo("tenant_id IN ('a', 'b')");
    }
}
