package dev.hitflow.jobs.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.aggregate.HllSketches;
import dev.hitflow.jobs.aggregate.TrinoSketches;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.tables.AggregateTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge of settled aggregate rows on real Iceberg tables: the same sums and sketch estimates
 * before and after, one row per key, nothing done twice, unsettled days left alone, and a delta row
 * appended while a merge is under way kept.
 */
class AggregateMergeTest {
    static final Instant NOW = MaintenanceRunTest.NOW; // 2026-11-01T12:00Z
    static final LocalDate SETTLED = LocalDate.of(2026, 10, 20);
    static final LocalDate TODAY = LocalDate.of(2026, 11, 1); // not over in Paris: not merged
    static final TableIdentifier DAILY =
            TableIdentifier.of("analytics", AggregateTables.TRAFFIC_DAILY);
    static final TableIdentifier GEO = TableIdentifier.of("analytics", AggregateTables.GEO_DAILY);

    @TempDir Path warehouse;
    Catalog catalog;
    KeyRing keys;

    @BeforeEach
    void tables() {
        HitflowCatalog hitflow = HitflowCatalog.local(warehouse);
        catalog = hitflow.open();
        hitflow.createTables(catalog);
        Map<String, Map<String, byte[]>> ring = new HashMap<>();
        MaintenanceRunTest.KEYS.forEach((t, k) -> ring.put(t, Map.of("v1", k)));
        keys = KeyRing.of(ring);
    }

    /** A delta row of traffic_daily with these visitors (indexes into one population). */
    static Record daily(Table t, String site, LocalDate day, long hits, int fromVisitor, int n) {
        GenericRecord r = GenericRecord.create(t.schema());
        r.setField("tenant_id", "acme");
        r.setField("site_id", site);
        r.setField("day", day);
        r.setField("time_zone", "Europe/Paris");
        r.setField("hits", hits);
        r.setField("page_views", hits - 1);
        r.setField("sessions", 2L);
        r.setField("bounces", 1L);
        r.setField("session_duration_ms", 60_000L);
        r.setField("events", 1L);
        r.setField("cart_adds", 0L);
        r.setField("purchases", 1L);
        r.setField("revenue", Map.of("EUR", 1_250L * hits));
        sketches(r, fromVisitor, n);
        return r;
    }

    static Record geo(Table t, LocalDate day, String region, long hits, int fromVisitor, int n) {
        GenericRecord r = GenericRecord.create(t.schema());
        r.setField("tenant_id", "acme");
        r.setField("site_id", "a");
        r.setField("day", day);
        r.setField("time_zone", "Europe/Paris");
        r.setField("country", "FR");
        r.setField("region", region); // null is a key value like any other
        r.setField("city", null);
        r.setField("hits", hits);
        r.setField("page_views", hits);
        r.setField("sessions", 1L);
        sketches(r, fromVisitor, n);
        return r;
    }

    private static void sketches(GenericRecord r, int fromVisitor, int n) {
        if (n == 0) {
            return; // only hits without a visitor: no sketch
        }
        HllSketch visitors = HllSketches.empty();
        var trino = TrinoSketches.empty();
        for (int v = fromVisitor; v < fromVisitor + n; v++) {
            visitors.update("visitor-" + v);
            TrinoSketches.add(trino, "visitor-" + v);
        }
        r.setField("visitors", ByteBuffer.wrap(visitors.toCompactByteArray()));
        r.setField("visitors_trino", ByteBuffer.wrap(TrinoSketches.bytes(trino)));
    }

    /** Three streaming commits' worth of delta rows (three files per partition). */
    void deltaRows() {
        Table daily = catalog.loadTable(DAILY);
        Table geo = catalog.loadTable(GEO);
        for (int commit = 0; commit < 3; commit++) {
            List<Record> d = new ArrayList<>();
            List<Record> g = new ArrayList<>();
            for (LocalDate day : List.of(SETTLED, SETTLED.plusDays(1), TODAY)) {
                // overlapping visitors between the deltas of a key
                d.add(daily(daily, "a", day, 10 + commit, commit * 500, 1_000));
                d.add(daily(daily, "b", day, 3, commit * 10, commit == 1 ? 0 : 20));
                g.add(geo(geo, day, "IDF", 5 + commit, commit * 300, 600));
                g.add(geo(geo, day, null, 1, 7, commit));
            }
            IcebergFiles.append(daily, d);
            IcebergFiles.append(geo, g);
        }
    }

    List<Record> rows(TableIdentifier id) throws IOException {
        Table t = catalog.loadTable(id);
        t.refresh();
        List<Record> out = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
            it.forEach(r -> out.add(r.copy()));
        }
        return out;
    }

    /**
     * Per key: row count, the sums of every count and revenue, and both sketches' estimates of the
     * union of the key's rows.
     */
    static Map<String, String> totals(List<Record> rows) {
        Map<String, List<Record>> byKey = new TreeMap<>();
        for (Record r : rows) {
            byKey.computeIfAbsent(AggregateMerge.key(r).toString(), k -> new ArrayList<>()).add(r);
        }
        Map<String, String> out = new TreeMap<>();
        byKey.forEach(
                (key, list) -> {
                    StringBuilder s = new StringBuilder();
                    for (var f : list.get(0).struct().fields()) {
                        switch (f.type().typeId()) {
                            case LONG ->
                                    s.append(f.name())
                                            .append('=')
                                            .append(
                                                    list.stream()
                                                            .mapToLong(
                                                                    r ->
                                                                            r.getField(f.name())
                                                                                            == null
                                                                                    ? 0L
                                                                                    : (Long)
                                                                                            r
                                                                                                    .getField(
                                                                                                            f
                                                                                                                    .name()))
                                                            .sum())
                                            .append(' ');
                            case MAP ->
                                    s.append("revenue=")
                                            .append(
                                                    list.stream()
                                                            .mapToLong(
                                                                    r ->
                                                                            ((Map<?, Long>)
                                                                                            r
                                                                                                    .getField(
                                                                                                            "revenue"))
                                                                                    .getOrDefault(
                                                                                            "EUR",
                                                                                            0L))
                                                            .sum())
                                            .append(' ');
                            default -> {}
                        }
                    }
                    List<byte[]> visitors = new ArrayList<>();
                    List<byte[]> trino = new ArrayList<>();
                    for (Record r : list) {
                        visitors.add(bytes(r.getField("visitors")));
                        trino.add(bytes(r.getField("visitors_trino")));
                    }
                    s.append("visitors~")
                            .append(Math.round(HllSketches.unionEstimate(visitors)))
                            .append(" trino~")
                            .append(TrinoSketches.unionCardinality(trino));
                    out.put(key, s.toString());
                });
        return out;
    }

    static byte[] bytes(Object buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = ((ByteBuffer) buffer).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static long rowsOfDay(List<Record> rows, LocalDate day) {
        return rows.stream().filter(r -> r.getField("day").equals(day)).count();
    }

    MaintenanceRun.Report run(boolean dryRun, StringWriter log) {
        return new MaintenanceRun(catalog, MaintenanceRunTest.TENANTS, keys)
                .run(
                        new MaintenanceRun.Options(
                                NOW,
                                dryRun,
                                Duration.ofHours(1),
                                List.of(),
                                warehouse.resolve("exports"),
                                Duration.ofSeconds(30)),
                        new PrintWriter(log));
    }

    @Test
    void settledDaysBecomeOneRowPerKeyWithTheSameSumsAndEstimates() throws IOException {
        deltaRows();
        Map<String, String> dailyBefore = totals(rows(DAILY));
        Map<String, String> geoBefore = totals(rows(GEO));
        assertThat(rows(DAILY)).hasSize(3 * 3 * 2);

        StringWriter log = new StringWriter();
        MaintenanceRun.Report report = run(false, log);

        List<Record> daily = rows(DAILY);
        List<Record> geo = rows(GEO);
        assertThat(totals(daily)).isEqualTo(dailyBefore);
        assertThat(totals(geo)).isEqualTo(geoBefore);
        // the two settled days: one row per key (site a, site b); today: its three deltas each
        assertThat(rowsOfDay(daily, SETTLED)).isEqualTo(2);
        assertThat(rowsOfDay(daily, SETTLED.plusDays(1))).isEqualTo(2);
        assertThat(rowsOfDay(daily, TODAY)).isEqualTo(6);
        assertThat(rowsOfDay(geo, SETTLED)).isEqualTo(2);
        assertThat(rowsOfDay(geo, TODAY)).isEqualTo(6);
        assertThat(daily).hasSize(2 + 2 + 6);
        // site a of a settled day: three deltas summed, visitors 0..1,999 of overlapping deltas
        String siteA =
                totals(daily).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("[acme, a, 2026-10-20,"))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElseThrow();
        var sums =
                java.util.regex.Pattern.compile(
                                "hits=33 page_views=30 sessions=6 bounces=3"
                                        + " session_duration_ms=180000 events=3 cart_adds=0"
                                        + " purchases=3 revenue=41250 capped_hits=0 visitors~(\\d+)"
                                        + " trino~(\\d+)")
                        .matcher(siteA);
        assertThat(sums.matches()).as(siteA).isTrue();
        assertThat(Long.parseLong(sums.group(1))).isBetween(1_960L, 2_040L);
        assertThat(Long.parseLong(sums.group(2))).isBetween(1_960L, 2_040L);
        assertThat(report.merges())
                .extracting(
                        m ->
                                m.table()
                                        + " "
                                        + m.day()
                                        + " "
                                        + m.rowsBefore()
                                        + "->"
                                        + m.rowsAfter())
                .containsExactlyInAnyOrder(
                        "traffic_daily 2026-10-20 6->2",
                        "traffic_daily 2026-10-21 6->2",
                        "geo_daily 2026-10-20 6->2",
                        "geo_daily 2026-10-21 6->2");
        assertThat(log.toString())
                .contains(
                        "  acme analytics.traffic_daily 2026-10-20: merged 6 rows of 3 files into 2 rows");

        // a second run finds nothing to merge and commits nothing to the aggregate tables
        long snapshot = catalog.loadTable(DAILY).currentSnapshot().snapshotId();
        MaintenanceRun.Report again = run(false, new StringWriter());
        assertThat(again.merges()).isEmpty();
        Table t = catalog.loadTable(DAILY);
        t.refresh();
        assertThat(t.currentSnapshot().snapshotId()).isEqualTo(snapshot);
        assertThat(totals(rows(DAILY))).isEqualTo(dailyBefore);
    }

    @Test
    void dryRunPrintsWhatItWouldMergeAndChangesNothing() throws IOException {
        deltaRows();
        long snapshot = catalog.loadTable(DAILY).currentSnapshot().snapshotId();
        StringWriter log = new StringWriter();
        MaintenanceRun.Report report = run(true, log);
        assertThat(report.merges()).hasSize(4);
        assertThat(log.toString())
                .contains(
                        "  acme analytics.geo_daily 2026-10-21: would merge 6 rows of 3 files into 2 rows");
        Table t = catalog.loadTable(DAILY);
        t.refresh();
        assertThat(t.currentSnapshot().snapshotId()).isEqualTo(snapshot);
        assertThat(rows(DAILY)).hasSize(18);
    }

    @Test
    void aDeltaRowAppendedWhileAPartitionIsMergedIsKept() throws IOException {
        deltaRows();
        Table daily = catalog.loadTable(DAILY);
        AggregateMerge.Plan plan = AggregateMerge.plan(daily, "acme", SETTLED);
        assertThat(plan.rowsBefore()).isEqualTo(6);
        assertThat(plan.merged()).hasSize(2);

        // the stream commits a late delta row of the same partition before the merge commits
        Table other = HitflowCatalog.local(warehouse).open().loadTable(DAILY);
        Record late = daily(other, "a", SETTLED, 4, 5_000, 50);
        IcebergFiles.append(other, List.of(late));
        Map<String, String> expected = totals(rows(DAILY));

        AggregateMerge.commit(plan);
        List<Record> after = rows(DAILY);
        assertThat(totals(after)).isEqualTo(expected);
        // the merged row of each site and the late delta row, which the next run merges
        assertThat(rowsOfDay(after, SETTLED)).isEqualTo(3);
        AggregateMerge.Plan next = AggregateMerge.plan(daily, "acme", SETTLED);
        assertThat(next.rowsBefore()).isEqualTo(3);
        AggregateMerge.commit(next);
        assertThat(rowsOfDay(rows(DAILY), SETTLED)).isEqualTo(2);
        assertThat(totals(rows(DAILY))).isEqualTo(expected);
    }

    @Test
    void aDayIsSettledOnceItsEndTheSettlingHourAndTheOutOfOrdernessHavePassed() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Duration ooo = Duration.ofSeconds(30);
        // 2026-10-20 ends at 22:00Z (CEST); settled from 23:00:30Z
        assertThat(AggregateMerge.lastSettledDay(paris, Instant.parse("2026-10-20T23:00:29Z"), ooo))
                .isEqualTo(LocalDate.of(2026, 10, 19));
        assertThat(AggregateMerge.lastSettledDay(paris, Instant.parse("2026-10-20T23:00:30Z"), ooo))
                .isEqualTo(LocalDate.of(2026, 10, 20));
        assertThat(AggregateMerge.lastSettledDay(ZoneId.of("America/New_York"), NOW, ooo))
                .isEqualTo(LocalDate.of(2026, 10, 31));
    }
}
