package dev.hitflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.ingest.FileHitSource;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.IcebergSinks;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.AggregateTables;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays and a runaway visitor through the whole pipeline on a mini cluster: a hit replayed 20
 * hours later (an identified one, and one without a visitor ID) is one row in {@code hits}; a
 * visitor past the tenant's daily cap has exactly the cap's hits in {@code hits} and the rest in
 * {@code traffic_daily.capped_hits}.
 */
class DedupeAndCapITCase {
    /** 2026-03-10 11:00 in Paris. */
    static final long T0 = Instant.parse("2026-03-10T10:00:00Z").toEpochMilli();

    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;

    @TempDir Path dir;

    static String hit(String id, long at, String identity, String consent) {
        return "{\"hit_id\":\""
                + id
                + "\",\"received_at\":"
                + at
                + ",\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\","
                + identity
                + "\"consent\":\""
                + consent
                + "\",\"page\":\"/"
                + id
                + "\"}";
    }

    static String cookie(String id, long at, String cookie) {
        return hit(id, at, "\"cookie_id\":\"" + cookie + "\",", "OPT_IN");
    }

    @Test
    void aReplayTwentyHoursLaterIsOneRowAndARunawayVisitorStopsAtTheCap() throws Exception {
        Files.createDirectories(dir);
        Path tenantsFile = TestTenants.writeAcme(dir);
        Files.writeString(tenantsFile, TestTenants.ACME_YAML + "    max_hits_per_visitor_day: 3\n");
        TenantRegistry tenants = TenantConfigLoader.load(tenantsFile);

        List<String> lines = new ArrayList<>();
        String original = cookie("a1", T0, "cookie-alice");
        String optedOut = hit("c1", T0 + MIN, "\"cookie_id\":\"cookie-carol\",", "OPT_OUT");
        lines.add(original);
        lines.add(optedOut);
        // eve's runaway client: five hits in five minutes, the cap is 3
        for (int i = 1; i <= 5; i++) {
            lines.add(cookie("e" + i, T0 + 2 * HOUR + i * MIN, "cookie-eve"));
        }
        // other visitors, one an hour, carry event time (and the watermark) 20 hours on
        for (int k = 1; k <= 20; k++) {
            lines.add(cookie("f" + k, T0 + k * HOUR + 30 * MIN, "cookie-f" + k));
        }
        // the SDK retries both first hits, as they were, the next morning
        lines.add(original);
        lines.add(optedOut);
        Path input = dir.resolve("hits.jsonl");
        Files.write(input, lines);

        Path warehouse = Files.createDirectories(dir.resolve("w"));
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        catalog.createTables();
        StreamExecutionEnvironment env =
                // one reader: the file's order is the arrival order, so the rows are exact
                LocalJob.localEnvironment(warehouse.resolve("_cp"), 1, Duration.ofSeconds(1));
        new HitflowPipeline(
                        new HitflowPipeline.Settings(
                                tenants,
                                dir.resolve("keys.yaml"),
                                Duration.ofSeconds(30),
                                null,
                                false,
                                catalog))
                .buildForFile(
                        FileHitSource.read(env, input, tenants),
                        new IcebergSinks(
                                catalog,
                                warehouse.resolve("dead-letters").toUri().toString(),
                                "it"));
        env.execute("dedupe-and-cap-it");

        List<String> hitIds = new ArrayList<>();
        for (Record r : IcebergReader.rows(catalog, HitflowTables.HITS)) {
            hitIds.add((String) r.getField("hit_id"));
        }
        hitIds.sort(null);
        // the cap takes eve's hits in the order they arrive
        List<String> eve = hitIds.stream().filter(id -> id.startsWith("e")).toList();
        assertThat(eve).containsExactly("e1", "e2", "e3");
        List<String> expected = new ArrayList<>(List.of("a1", "c1"));
        expected.addAll(eve);
        for (int k = 1; k <= 20; k++) {
            expected.add("f" + k);
        }
        expected.sort(null);
        assertThat(hitIds).isEqualTo(expected);

        List<String> sessions = new ArrayList<>();
        for (Record r : IcebergReader.rows(catalog, HitflowTables.SESSIONS)) {
            sessions.add(r.getField("entry_page") + " " + r.getField("hits"));
        }
        sessions.sort(null);
        // alice's one hit, eve's three, each f's one
        List<String> expectedSessions = new ArrayList<>(List.of("/a1 1", "/" + eve.get(0) + " 3"));
        for (int k = 1; k <= 20; k++) {
            expectedSessions.add("/f" + k + " 1");
        }
        expectedSessions.sort(null);
        assertThat(sessions).isEqualTo(expectedSessions);

        // per local day: hits and capped hits of traffic_daily (additive rows summed)
        Map<LocalDate, List<Long>> daily = new TreeMap<>();
        for (Record r : IcebergReader.rows(catalog, AggregateTables.TRAFFIC_DAILY_TABLE.id())) {
            List<Long> sums =
                    daily.computeIfAbsent(
                            (LocalDate) r.getField("day"), d -> new ArrayList<>(List.of(0L, 0L)));
            sums.set(0, sums.get(0) + (Long) r.getField("hits"));
            sums.set(1, sums.get(1) + (Long) r.getField("capped_hits"));
        }
        // the 10th in Paris until f12 (23:30); f13..f20 on the 11th
        assertThat(daily)
                .containsExactly(
                        Map.entry(LocalDate.of(2026, 3, 10), List.of(17L, 2L)),
                        Map.entry(LocalDate.of(2026, 3, 11), List.of(8L, 0L)));

        // The duplicate_hits and capped_hits counters are checked exactly in the harness tests
        // (SessionizeOptionsTest, DuplicateHitFilterTest); here the rows show the same.
    }
}
