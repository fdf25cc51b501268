package dev.hitflow.jobs.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.udfs.identity.RightsRequest;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention and rights on real Iceberg tables on disk: what expired or was erased is unreadable and
 * its files are gone from the warehouse; everything else is intact, to the row.
 */
class MaintenanceRunTest {
    static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
    static final Map<String, byte[]> KEYS =
            Map.of(
                    "acme", "acme-key-0123456789abcdef0123456".getBytes(StandardCharsets.US_ASCII),
                    "globex",
                            "globex-key-0123456789abcdef01234".getBytes(StandardCharsets.US_ASCII),
                    "initech",
                            "initech-key-0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII));
    static final TenantRegistry TENANTS =
            TenantConfigLoader.parse(
                    """
                    tenants:
                      - {id: acme, country: FR, time_zone: Europe/Paris, sites: [a],
                         retention: {detail_months: 25, aggregate_months: 25}}
                      - {id: globex, country: US, time_zone: America/New_York, sites: [g],
                         retention: {detail_months: 13, aggregate_months: 25}}
                      - {id: initech, country: DE, time_zone: Europe/Berlin, sites: [i],
                         retention: {detail_months: 60, aggregate_months: 60}}
                    """,
                    "test",
                    null,
                    null);

    @TempDir Path warehouse;
    Catalog catalog;
    KeyRing keys;

    @BeforeEach
    void tables() {
        HitflowCatalog hitflow = HitflowCatalog.local(warehouse);
        catalog = hitflow.open();
        hitflow.createTables(catalog);
        java.util.Map<String, java.util.Map<String, byte[]>> ring = new java.util.HashMap<>();
        KEYS.forEach((t, k) -> ring.put(t, Map.of("v1", k, KeyRing.SUPPRESSION, k)));
        keys = KeyRing.of(ring);
    }

    static String visitor(String tenant, String cookie) {
        return new VisitorIdHasher(tenant, "v1", KEYS.get(tenant)).visitorId(IdKind.COOKIE, cookie);
    }

    Record hit(Table table, String tenant, LocalDate day, String id, String visitor) {
        GenericRecord r = GenericRecord.create(table.schema());
        r.setField("tenant_id", tenant);
        r.setField("site_id", tenant.substring(0, 1));
        r.setField("hit_id", id);
        r.setField("received_at", OffsetDateTime.of(day.atTime(12, 0), ZoneOffset.UTC));
        r.setField("day", day);
        r.setField("hit_type", "PAGE_VIEW");
        r.setField("visitor_id", visitor);
        r.setField("consent", "OPT_IN");
        r.setField("late", false);
        r.setField("is_bot", false);
        r.setField("counted_as_visitor", true);
        return r;
    }

    /** 26 months of hits, the 15th of each month, one row per tenant per month. */
    void twentySixMonths() {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        List<Record> rows = new ArrayList<>();
        for (String tenant : List.of("acme", "globex", "initech")) {
            LocalDate day = LocalDate.of(2024, 9, 15);
            for (int m = 0; m < 26; m++) {
                rows.add(hit(hits, tenant, day.plusMonths(m), tenant + "-" + m, "v-" + m));
            }
        }
        IcebergFiles.append(hits, rows);
    }

    static Map<String, List<LocalDate>> daysByTenant(Table table) throws IOException {
        table.refresh();
        try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
            List<Record> rows = new ArrayList<>();
            it.forEach(r -> rows.add(r.copy()));
            return rows.stream()
                    .collect(
                            Collectors.groupingBy(
                                    r -> (String) r.getField("tenant_id"),
                                    java.util.TreeMap::new,
                                    Collectors.mapping(
                                            r -> (LocalDate) r.getField("day"),
                                            Collectors.collectingAndThen(
                                                    Collectors.toList(),
                                                    l -> l.stream().sorted().toList()))));
        }
    }

    Set<Path> dataFiles() throws IOException {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(
                            p ->
                                    p.toString().contains("/data/")
                                            && p.toString().endsWith(".parquet"))
                    .collect(Collectors.toSet());
        }
    }

    static Set<Path> filesMatching(Table table, org.apache.iceberg.expressions.Expression filter)
            throws IOException {
        table.refresh();
        Set<Path> out = new java.util.HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
            for (FileScanTask t : tasks) {
                out.add(Path.of(java.net.URI.create(t.file().location()).getPath()));
            }
        }
        return out;
    }

    MaintenanceRun.Report run(List<RightsRequest> requests, boolean dryRun) {
        return new MaintenanceRun(catalog, TENANTS, keys)
                .run(
                        new MaintenanceRun.Options(
                                NOW,
                                dryRun,
                                Duration.ofHours(1),
                                requests.stream().map(r -> PendingRequest.of(r, keys)).toList(),
                                warehouse.resolve("exports")),
                        new PrintWriter(new StringWriter()));
    }

    @Test
    void retentionDeletesPartitionsPastEachTenantsCutoffAndTheirFiles() throws IOException {
        twentySixMonths();
        Table hits = catalog.loadTable(HitflowTables.HITS);
        Set<Path> acmeExpired =
                filesMatching(hits, TableMaintenance.expired("acme", LocalDate.of(2024, 10, 1)));
        Set<Path> globexExpired =
                filesMatching(hits, TableMaintenance.expired("globex", LocalDate.of(2025, 10, 1)));
        assertThat(acmeExpired).hasSize(1);
        assertThat(globexExpired).hasSize(13);
        Set<Path> before = dataFiles();
        assertThat(before).containsAll(acmeExpired).containsAll(globexExpired);

        MaintenanceRun.Report report = run(List.of(), false);

        Map<String, List<LocalDate>> days = daysByTenant(hits);
        // acme keeps 25 months back from 2026-11-01 (Paris): from 2024-10-01
        assertThat(days.get("acme")).hasSize(25).first().isEqualTo(LocalDate.of(2024, 10, 15));
        // globex keeps 13 months back from 2026-11-01 (New York): from 2025-10-01
        assertThat(days.get("globex")).hasSize(13).first().isEqualTo(LocalDate.of(2025, 10, 15));
        // initech keeps 60 months: untouched
        assertThat(days.get("initech")).hasSize(26);
        Set<Path> after = dataFiles();
        assertThat(after)
                .doesNotContainAnyElementsOf(acmeExpired)
                .doesNotContainAnyElementsOf(globexExpired);
        assertThat(after).hasSize(before.size() - 14);
        assertThat(
                        report.retention().stream()
                                .mapToLong(TableMaintenance.RetentionResult::rows)
                                .sum())
                .isEqualTo(14);

        // safe to run twice: nothing more to delete
        run(List.of(), false);
        assertThat(daysByTenant(hits)).isEqualTo(days);
        assertThat(dataFiles()).isEqualTo(after);
    }

    @Test
    void dryRunChangesNothing() throws IOException {
        twentySixMonths();
        Table hits = catalog.loadTable(HitflowTables.HITS);
        long snapshot = hits.currentSnapshot().snapshotId();
        Set<Path> before = dataFiles();
        MaintenanceRun.Report report = run(List.of(), true);
        hits.refresh();
        assertThat(hits.currentSnapshot().snapshotId()).isEqualTo(snapshot);
        assertThat(dataFiles()).isEqualTo(before);
        assertThat(
                        report.retention().stream()
                                .mapToInt(TableMaintenance.RetentionResult::files)
                                .sum())
                .isEqualTo(14);
    }

    @Test
    void erasureRemovesEveryRowOfThatVisitorAndTheFilesThatHeldThem() throws IOException {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        String alice = visitor("acme", "cookie-alice");
        String bob = visitor("acme", "cookie-bob");
        LocalDate d1 = LocalDate.of(2026, 10, 1);
        LocalDate d2 = LocalDate.of(2026, 10, 2);
        IcebergFiles.append(
                hits,
                List.of(
                        hit(hits, "acme", d1, "h1", alice),
                        hit(hits, "acme", d1, "h2", bob),
                        hit(hits, "acme", d2, "h3", alice),
                        hit(hits, "acme", d2, "h4", bob),
                        hit(hits, "acme", d2, "h5", null),
                        // the same cookie at another tenant is another visitor and stays
                        hit(hits, "globex", d1, "h6", visitor("globex", "cookie-alice"))));
        Set<Path> aliceFiles =
                filesMatching(
                        hits,
                        org.apache.iceberg.expressions.Expressions.equal("visitor_id", alice));
        assertThat(aliceFiles).hasSize(2);

        RightsRequest erase =
                new RightsRequest(
                        "r-1", "acme", RightsRequest.Type.ERASURE, IdKind.COOKIE, "cookie-alice");
        MaintenanceRun.Report report = run(List.of(erase), false);

        assertThat(report.erasedRows()).containsEntry("r-1", 2L);
        hits.refresh();
        List<String> left = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(hits).build()) {
            it.forEach(r -> left.add((String) r.getField("hit_id")));
        }
        assertThat(left).containsExactlyInAnyOrder("h2", "h4", "h5", "h6");
        assertThat(dataFiles()).doesNotContainAnyElementsOf(aliceFiles);
        // the audit holds the pseudonymous ID, never the cookie
        Table audit = catalog.loadTable(dev.hitflow.schemas.tables.RightsTables.RIGHTS_REQUESTS);
        try (CloseableIterable<Record> it = IcebergGenerics.read(audit).build()) {
            List<Record> rows = new ArrayList<>();
            it.forEach(r -> rows.add(r.copy()));
            assertThat(rows)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.getField("visitor_ids")).isEqualTo(List.of(alice));
                                assertThat(r.getField("rows_affected")).isEqualTo(2L);
                                assertThat(r.getField("status")).isEqualTo("ERASED");
                                assertThat(r.toString()).doesNotContain("cookie-alice");
                            });
        }
        // and nothing in the warehouse does either
        try (Stream<Path> files = Files.walk(warehouse)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text =
                        f.toString().endsWith(".parquet")
                                ? dev.hitflow.jobs.testing.RawValueScanner.parquetText(f)
                                : new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain("cookie-alice");
                if (!f.toString().contains("rights_requests")) {
                    // only the audit keeps the (pseudonymous) ID of an erased visitor
                    assertThat(text).as(f.toString()).doesNotContain(alice);
                }
            }
        }
    }

    @Test
    void requestsTheStreamJobQueuedAreAnsweredOnceUnderEveryQueuedKeyVersion() throws IOException {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        String carolV1 = visitor("acme", "cookie-carol");
        // the same cookie under a retired key version, as the stream job queues it
        String carolV0 = "00000000000000000000000000c0ffee";
        LocalDate d1 = LocalDate.of(2026, 10, 1);
        IcebergFiles.append(
                hits,
                List.of(
                        hit(hits, "acme", d1, "q1", carolV1),
                        hit(hits, "acme", d1, "q2", carolV0),
                        hit(hits, "acme", d1, "q3", visitor("acme", "cookie-dave"))));
        Table queue =
                HitflowCatalog.createTable(
                        catalog, dev.hitflow.schemas.tables.RightsTables.RIGHTS_QUEUE_TABLE);
        List<Record> queued = new ArrayList<>();
        for (String[] v : List.of(new String[] {"v0", carolV0}, new String[] {"v1", carolV1})) {
            GenericRecord r = GenericRecord.create(queue.schema());
            r.setField("tenant_id", "acme");
            r.setField("day", d1);
            r.setField("request_id", "q-1");
            r.setField("type", "ERASURE");
            r.setField("id_kind", "COOKIE");
            r.setField("key_version", v[0]);
            r.setField("visitor_id", v[1]);
            r.setField("requested_at", OffsetDateTime.of(d1.atTime(9, 0), ZoneOffset.UTC));
            queued.add(r);
        }
        IcebergFiles.append(queue, queued);

        assertThat(run(List.of(), false).erasedRows()).isEqualTo(Map.of("q-1", 2L));
        hits.refresh();
        List<String> left = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(hits).build()) {
            it.forEach(r -> left.add((String) r.getField("hit_id")));
        }
        assertThat(left).containsExactly("q3");
        // answered: the audit has it, so the next run leaves the queue alone
        assertThat(run(List.of(), false).erasedRows()).isEmpty();
    }

    @Test
    void aRequestsFileHandedToEveryRunIsAnsweredOnce() throws IOException {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        String erin = visitor("acme", "cookie-erin");
        LocalDate d1 = LocalDate.of(2026, 10, 1);
        IcebergFiles.append(hits, List.of(hit(hits, "acme", d1, "e1", erin)));
        RightsRequest erase =
                new RightsRequest(
                        "r-9", "acme", RightsRequest.Type.ERASURE, IdKind.COOKIE, "cookie-erin");
        assertThat(run(List.of(erase), false).erasedRows()).isEqualTo(Map.of("r-9", 1L));
        // the next night, the same file: not answered again, no second audit row
        assertThat(run(List.of(erase), false).erasedRows()).isEmpty();
        Table audit = catalog.loadTable(dev.hitflow.schemas.tables.RightsTables.RIGHTS_REQUESTS);
        List<String> audited = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(audit).build()) {
            it.forEach(r -> audited.add((String) r.getField("request_id")));
        }
        assertThat(audited).containsExactly("r-9");
    }

    @Test
    void accessExportsExactlyThatVisitorsRowsAcrossTables() throws IOException {
        Table hits = catalog.loadTable(HitflowTables.HITS);
        String alice = visitor("acme", "cookie-alice");
        LocalDate d1 = LocalDate.of(2026, 10, 1);
        IcebergFiles.append(
                hits,
                List.of(
                        hit(hits, "acme", d1, "h1", alice),
                        hit(hits, "acme", d1, "h2", visitor("acme", "cookie-bob")),
                        hit(hits, "acme", d1.plusDays(3), "h3", alice)));
        RightsRequest access =
                new RightsRequest(
                        "r-2", "acme", RightsRequest.Type.ACCESS, IdKind.COOKIE, "cookie-alice");
        MaintenanceRun.Report report = run(List.of(access), false);
        Path export = report.exports().get("r-2");
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(export.toFile());
        assertThat(doc.get("visitor_ids").get(0).asText()).isEqualTo(alice);
        List<String> ids = new ArrayList<>();
        doc.get("tables").get("hits").forEach(n -> ids.add(n.get("hit_id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("h1", "h3");
        assertThat(doc.get("tables").get("sessions")).isEmpty();
        assertThat(Files.readString(export)).doesNotContain("cookie-alice");
    }

    @Test
    void badRequestsGetAClearErrorAndChangeNothing() throws IOException {
        Path file = warehouse.resolve("requests.jsonl");
        Files.writeString(
                file,
                "{\"request_id\":\"a\",\"tenant_id\":\"acme\",\"type\":\"ERASURE\",\"kind\":\"COOKIE\",\"identifier\":\"c1\"}\n"
                        + "{\"request_id\":\"b\",\"tenant_id\":\"nobody\",\"type\":\"ERASURE\",\"kind\":\"COOKIE\",\"identifier\":\"secret-cookie\"}\n");
        assertThatThrownBy(() -> RightsRequest.readAll(file, TENANTS))
                .isInstanceOf(ConfigException.class)
                .hasMessage("requests file " + file + ", line 2: unknown tenant 'nobody'")
                .hasMessageNotContaining("secret-cookie");
        Files.writeString(
                file,
                "{\"request_id\":\"a\",\"tenant_id\":\"acme\",\"type\":\"ERASURE\",\"kind\":\"COOKIE\",\"identifier\":\" \"}\n");
        assertThatThrownBy(() -> RightsRequest.readAll(file, TENANTS))
                .hasMessage("requests file " + file + ", line 1: 'identifier' is missing or empty");
        Files.writeString(file, "not json\n");
        assertThatThrownBy(() -> RightsRequest.readAll(file, TENANTS))
                .hasMessage("requests file " + file + ", line 1: not a JSON object");
        Files.writeString(
                file,
                "{\"request_id\":\"a\",\"tenant_id\":\"acme\",\"type\":\"FORGET\",\"kind\":\"COOKIE\",\"identifier\":\"x\"}\n");
        assertThatThrownBy(() -> RightsRequest.readAll(file, TENANTS))
                .hasMessage(
                        "requests file "
                                + file
                                + ", line 1: 'type' must be ACCESS, ERASURE or OPT_OUT");
    }

    @Test
    void aRunConcurrentWithStreamingAppendsLosesNothing() throws Exception {
        twentySixMonths();
        Table hits = catalog.loadTable(HitflowTables.HITS);
        AtomicInteger appended = new AtomicInteger();
        Thread writer =
                new Thread(
                        () -> {
                            Catalog own = HitflowCatalog.local(warehouse).open();
                            Table t = own.loadTable(HitflowTables.HITS);
                            for (int i = 0; i < 15; i++) {
                                t.refresh();
                                IcebergFiles.append(
                                        t,
                                        List.of(
                                                hit(
                                                        t,
                                                        "acme",
                                                        LocalDate.of(2026, 10, 20),
                                                        "new-" + i,
                                                        "v")));
                                appended.incrementAndGet();
                            }
                        });
        writer.start();
        run(List.of(), false);
        writer.join();
        Map<String, List<LocalDate>> days = daysByTenant(hits);
        assertThat(appended.get()).isEqualTo(15);
        // 25 kept monthly rows + every streamed row
        assertThat(days.get("acme")).hasSize(25 + 15);
        assertThat(days.get("globex")).hasSize(13);
    }
}
