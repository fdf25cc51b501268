package dev.hitflow.jobs.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.RightsTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export and purge of a tenant on real Iceberg tables on disk: the export holds exactly the
 * tenant's rows; after the purge no file under a {@code tenant_id=initech} folder is left, the
 * other tenants' rows are all there, and the dead letters keep only other tenants' lines.
 */
class TenantPurgeTest {
    static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
    static final TableIdentifier SUPPRESSIONS =
            TableIdentifier.of(HitflowTables.NAMESPACE, "suppressions");
    static final List<String> TENANT_IDS = List.of("acme", "globex", "initech");

    @TempDir Path warehouse;
    Catalog catalog;

    @BeforeEach
    void tables() {
        HitflowCatalog hitflow = HitflowCatalog.local(warehouse);
        catalog = hitflow.open();
        hitflow.createTables(catalog);
        HitflowCatalog.createTable(catalog, RightsTables.RIGHTS_REQUESTS_TABLE);
        // createTables made the opt-out registry analytics.suppressions too
    }

    /** Hits on three days, each day its own commit, so purge must expire older snapshots. */
    void threeDaysOfHits() {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        for (int d = 0; d < 3; d++) {
            LocalDate day = LocalDate.of(2026, 10, 1 + d);
            List<Record> rows = new ArrayList<>();
            for (String tenant : TENANT_IDS) {
                int n = tenant.length() + d; // 4..9 rows: every tenant a different count
                for (int i = 0; i < n; i++) {
                    rows.add(hit(hits, tenant, day, tenant + "-" + d + "-" + i));
                }
            }
            IcebergFiles.append(hits, rows);
        }
        Table rights = catalog.loadTable(RightsTables.RIGHTS_REQUESTS);
        List<Record> audit = new ArrayList<>();
        for (String tenant : TENANT_IDS) {
            GenericRecord r = GenericRecord.create(rights.schema());
            r.setField("tenant_id", tenant);
            r.setField("day", LocalDate.of(2026, 10, 2));
            r.setField("request_id", "r-" + tenant);
            r.setField("type", "ERASURE");
            r.setField("id_kind", "COOKIE");
            r.setField("status", "DONE");
            r.setField("rows_affected", 1L);
            r.setField("completed_at", OffsetDateTime.of(2026, 10, 2, 0, 0, 0, 0, ZoneOffset.UTC));
            audit.add(r);
        }
        IcebergFiles.append(rights, audit);
        Table suppressions = catalog.loadTable(SUPPRESSIONS);
        List<Record> suppressed = new ArrayList<>();
        for (String tenant : TENANT_IDS) {
            GenericRecord r = GenericRecord.create(suppressions.schema());
            r.setField("tenant_id", tenant);
            r.setField("suppression_id", "s-" + tenant);
            r.setField("request_id", "r-" + tenant);
            r.setField("type", "OPT_OUT");
            r.setField("id_kind", "COOKIE");
            r.setField("source", "hitflow rights");
            r.setField("requested_at", OffsetDateTime.of(2026, 10, 2, 0, 0, 0, 0, ZoneOffset.UTC));
            suppressed.add(r);
        }
        IcebergFiles.append(suppressions, suppressed);
    }

    static Record hit(Table table, String tenant, LocalDate day, String id) {
        GenericRecord r = GenericRecord.create(table.schema());
        r.setField("tenant_id", tenant);
        r.setField("site_id", tenant.substring(0, 1));
        r.setField("hit_id", id);
        r.setField("received_at", OffsetDateTime.of(day.atTime(12, 0), ZoneOffset.UTC));
        r.setField("day", day);
        r.setField("hit_type", "PAGE_VIEW");
        r.setField("consent", "OPT_IN");
        r.setField("late", false);
        r.setField("is_bot", false);
        r.setField("counted_as_visitor", false);
        return r;
    }

    void deadLetters() throws IOException {
        Path run = Files.createDirectories(warehouse.resolve("dead-letters/run=1/2026-10-01--12"));
        Files.write(
                run.resolve("dead-letters-0-0.jsonl"),
                List.of(
                        "{\"reason\":\"BAD_IP\",\"tenant_id\":\"initech\",\"original\":\"x\"}",
                        "{\"reason\":\"BAD_IP\",\"tenant_id\":\"acme\",\"original\":\"y\"}",
                        "{\"reason\":\"MALFORMED_JSON\",\"tenant_id\":null,\"original\":\"z\"}"));
        Files.write(
                run.resolve("dead-letters-0-1.jsonl"),
                List.of("{\"reason\":\"BAD_IP\",\"tenant_id\":\"initech\",\"original\":\"w\"}"));
    }

    /** Rows per table and tenant, read back through Iceberg. */
    Map<String, Map<String, Long>> counts() throws IOException {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (TableIdentifier id : TenantExport.tables(catalog)) {
            Table table = catalog.loadTable(id);
            try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
                List<String> tenants = new ArrayList<>();
                it.forEach(r -> tenants.add((String) r.getField("tenant_id")));
                out.put(
                        id.name(),
                        tenants.stream()
                                .collect(
                                        Collectors.groupingBy(
                                                t -> t, TreeMap::new, Collectors.counting())));
            }
        }
        return out;
    }

    List<Path> filesUnder(String fragment) throws IOException {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().contains(fragment))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void exportHoldsEveryRowOfTheTenantAndNothingElse() throws IOException {
        threeDaysOfHits();
        Path to = warehouse.resolve("export-globex");
        Map<String, Long> counts = TenantExport.export(catalog, "globex", to, NOW);
        // globex: 6 + 7 + 8 hits, one audit row, one suppression, nothing in the other tables
        assertThat(counts)
                .containsEntry("hits", 21L)
                .containsEntry("rights_requests", 1L)
                .containsEntry("suppressions", 1L)
                .containsEntry("sessions", 0L)
                .containsEntry("traffic_daily", 0L);
        assertThat(counts.keySet())
                .containsExactlyElementsOf(
                        TenantExport.tables(catalog).stream().map(TableIdentifier::name).toList());
        JsonNode manifest = new ObjectMapper().readTree(to.resolve("manifest.json").toFile());
        assertThat(manifest.get("tenant_id").asText()).isEqualTo("globex");
        assertThat(manifest.at("/tables/hits/rows").asLong()).isEqualTo(21);
        assertThat(manifest.at("/tables/hits/file").asText()).isEqualTo("hits.parquet");

        Table hits = catalog.loadTable(HitflowTables.HITS);
        List<Record> exported = new ArrayList<>();
        try (CloseableIterable<Record> it =
                Parquet.read(
                                org.apache.iceberg.Files.localInput(
                                        to.resolve("hits.parquet").toFile()))
                        .project(hits.schema())
                        .createReaderFunc(s -> GenericParquetReaders.buildReader(hits.schema(), s))
                        .build()) {
            it.forEach(r -> exported.add(r.copy()));
        }
        assertThat(exported).hasSize(21);
        assertThat(exported).allMatch(r -> "globex".equals(r.getField("tenant_id")));
        assertThat(exported.stream().map(r -> (String) r.getField("hit_id")).sorted().toList())
                .contains("globex-0-0", "globex-2-7")
                .doesNotHaveDuplicates();

        assertThatThrownBy(() -> TenantExport.export(catalog, "globex", to, NOW))
                .isInstanceOf(ConfigException.class)
                .hasMessage("export folder " + to + " is not empty: give a new or empty folder");
    }

    @Test
    void purgeLeavesNoFileOfTheTenantAndEveryOtherRow() throws IOException {
        threeDaysOfHits();
        deadLetters();
        Map<String, Map<String, Long>> before = counts();
        assertThat(before.get("hits"))
                .isEqualTo(Map.of("acme", 15L, "globex", 21L, "initech", 24L));
        // 3 hits, 1 rights, 1 suppression: Parquet files, each with Hadoop's .crc beside it
        assertThat(filesUnder("/tenant_id=initech/")).hasSize(10);

        TenantRegistry live =
                TenantConfigLoader.parse(
                        """
                        tenants:
                          - {id: acme, country: FR, time_zone: Europe/Paris, sites: [a]}
                          - {id: initech, country: DE, time_zone: Europe/Berlin, sites: [i]}
                        """,
                        "test",
                        null,
                        null);
        assertThatThrownBy(() -> TenantPurge.requireRemoved(live, "initech", "tenants.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "tenant 'initech' is still in the tenant config tenants.yaml: remove it"
                                + " there (and send a tombstone to the config topic) before"
                                + " purging it");
        TenantPurge.requireRemoved(live.without("initech"), "initech", "tenants.yaml");

        TenantPurge.Result dry =
                TenantPurge.purge(
                        catalog,
                        "initech",
                        warehouse.resolve("dead-letters"),
                        true,
                        Duration.ofHours(1),
                        NOW);
        assertThat(dry.rows()).isEqualTo(24 + 1 + 1);
        TenantPurge.TableResult dryHits =
                dry.tables().stream()
                        .filter(t -> t.table().endsWith(".hits"))
                        .findFirst()
                        .orElseThrow();
        assertThat(dryHits.partitions())
                .containsExactly(
                        "tenant_id=initech/day=2026-10-01",
                        "tenant_id=initech/day=2026-10-02",
                        "tenant_id=initech/day=2026-10-03");
        assertThat(dryHits.files()).isEqualTo(3);
        assertThat(dry.deadLetters()).isEqualTo(new TenantPurge.DeadLetterResult(2, 2));
        assertThat(counts()).isEqualTo(before);
        assertThat(filesUnder("/tenant_id=initech/")).hasSize(10);

        TenantPurge.Result done =
                TenantPurge.purge(
                        catalog,
                        "initech",
                        warehouse.resolve("dead-letters"),
                        false,
                        Duration.ofHours(1),
                        NOW);
        assertThat(done.rows()).isEqualTo(26);
        assertThat(filesUnder("/tenant_id=initech/")).isEmpty();
        assertThat(filesUnder("tenant_id=initech")).isEmpty();

        Map<String, Map<String, Long>> after = counts();
        assertThat(after.get("hits")).isEqualTo(Map.of("acme", 15L, "globex", 21L));
        assertThat(after.get("suppressions")).isEqualTo(Map.of("acme", 1L, "globex", 1L));
        assertThat(after.get("rights_requests"))
                .isEqualTo(Map.of("acme", 1L, "globex", 1L, TenantPurge.AUDIT_TENANT, 1L));
        Table rights = catalog.loadTable(RightsTables.RIGHTS_REQUESTS);
        try (CloseableIterable<Record> it = IcebergGenerics.read(rights).build()) {
            for (Record r : it) {
                if (TenantPurge.AUDIT_TENANT.equals(r.getField("tenant_id"))) {
                    assertThat(r.getField("request_id"))
                            .isEqualTo("tenant-purge:initech:2026-11-01T12:00:00Z");
                    assertThat(r.getField("type")).isEqualTo("TENANT_PURGE");
                    assertThat(r.getField("rows_affected")).isEqualTo(26L);
                    assertThat(r.getField("visitor_ids")).isNull();
                }
            }
        }
        // only other tenants' dead letters are left
        List<Path> dead = filesUnder("dead-letters");
        assertThat(dead).hasSize(1);
        assertThat(Files.readAllLines(dead.get(0)))
                .containsExactly(
                        "{\"reason\":\"BAD_IP\",\"tenant_id\":\"acme\",\"original\":\"y\"}",
                        "{\"reason\":\"MALFORMED_JSON\",\"tenant_id\":null,\"original\":\"z\"}");

        // a second run finds nothing and changes nothing but its audit row
        TenantPurge.Result again =
                TenantPurge.purge(
                        catalog,
                        "initech",
                        warehouse.resolve("dead-letters"),
                        false,
                        Duration.ofHours(1),
                        NOW.plusSeconds(1));
        assertThat(again.rows()).isZero();
        assertThat(counts().get("hits")).isEqualTo(Map.of("acme", 15L, "globex", 21L));
    }
}
