package dev.hitflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.cli.HitflowCommand;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.RawValueScanner;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole local path on a mini cluster, through the command line: a small hand-made JSON Lines
 * file with known sessions and invalid lines gives exactly the expected rows in Iceberg, and no raw
 * identifier anywhere the run wrote (dead letters aside) or in the logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalPipelineITCase {
    static final long T0 = Instant.parse("2026-03-10T10:00:00Z").toEpochMilli();
    static final long MIN = 60_000;

    static final String ALICE_COOKIE = "cookie-alice-7781";
    static final String BOB_MOBILE = "mobile-bob-42";
    static final String BOB_LOGIN = "bob.login@example.com";
    static final String CAROL_COOKIE = "cookie-carol-1";
    static final String IP_ALICE = "81.2.69.142";
    static final String IP_BOB = "2001:480:10::1";
    static final String UA = "Mozilla/5.0 (X11; Linux x86_64) HitflowTest/9.9";
    static final String EMAIL_IN_URL = "alice%40mail.example";
    static final String GPS_LAT = "48.8566123";

    Path dir;
    Path warehouse;
    String stdout;
    int exitCode;

    static String hit(String id, long at, String type, String extra) {
        return "{\"hit_id\":\""
                + id
                + "\",\"received_at\":"
                + at
                + ",\"site_id\":\"acme-shop\",\"hit_type\":\""
                + type
                + "\",\"user_agent\":\""
                + UA
                + "\""
                + extra
                + "}";
    }

    static String alice(String id, long at, String type, String page) {
        return hit(
                id,
                at,
                type,
                ",\"ip\":\""
                        + IP_ALICE
                        + "\",\"cookie_id\":\""
                        + ALICE_COOKIE
                        + "\",\"consent\":\"OPT_IN\",\"page\":\""
                        + page
                        + "\",\"url\":\"https://acme.example"
                        + page
                        + "?q=x&email="
                        + EMAIL_IN_URL
                        + "\",\"gps\":{\"lat\":"
                        + GPS_LAT
                        + ",\"lon\":2.3522}");
    }

    @BeforeAll
    void runTheLocalCommand(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Path tenants = TestTenants.writeAcme(dir);
        warehouse = dir.resolve("warehouse");
        long a3 = T0 + MIN + 30 * MIN; // gap exactly the timeout: same session
        long a4 = a3 + 30 * MIN + 1; // gap timeout + 1 ms: new session
        List<String> lines = new ArrayList<>();
        // in time order, but a2 before a1 (disorder within the bound) and a2 replayed
        lines.add(alice("a2", T0 + MIN, "PAGE_VIEW", "/products"));
        lines.add(alice("a1", T0, "PAGE_VIEW", "/home"));
        lines.add(alice("a2", T0 + MIN, "PAGE_VIEW", "/products"));
        // bob: EXEMPT, so his login must not serve as identifier; his mobile ID does
        lines.add(
                hit(
                        "b1",
                        T0 + 5 * MIN,
                        "PAGE_VIEW",
                        ",\"ip\":\""
                                + IP_BOB
                                + "\",\"mobile_id\":\""
                                + BOB_MOBILE
                                + "\",\"user_id\":\""
                                + BOB_LOGIN
                                + "\",\"consent\":\"EXEMPT\",\"page\":\"/\""));
        // carol opted out: a hit row without visitor ID or session
        lines.add(
                hit(
                        "c1",
                        T0 + 6 * MIN,
                        "PAGE_VIEW",
                        ",\"ip\":\""
                                + IP_ALICE
                                + "\",\"cookie_id\":\""
                                + CAROL_COOKIE
                                + "\",\"consent\":\"OPT_OUT\",\"page\":\"/\""));
        lines.add(alice("a3", a3, "PAGE_VIEW", "/cart"));
        lines.add(alice("a4", a4, "PAGE_VIEW", "/home"));
        lines.add(
                hit(
                        "a5",
                        a4 + 10_000,
                        "EVENT",
                        ",\"ip\":\""
                                + IP_ALICE
                                + "\",\"cookie_id\":\""
                                + ALICE_COOKIE
                                + "\",\"consent\":\"OPT_IN\",\"event\":{\"category\":\"video\",\"action\":\"play\"}"));
        // invalid lines, one per reason
        lines.add("{\"hit_id\":\"bad1\",\"received_at\":");
        lines.add(
                "{\"hit_id\":\"bad2\",\"received_at\":"
                        + T0
                        + ",\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\"}");
        lines.add(
                "{\"hit_id\":\"bad3\",\"received_at\":"
                        + T0
                        + ",\"site_id\":\"nobody\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\"}");
        lines.add(
                "{\"hit_id\":\"bad4\",\"received_at\":12,\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\"}");
        lines.add(
                "{\"hit_id\":\"bad5\",\"received_at\":"
                        + T0
                        + ",\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"300.1.2.3\"}");
        lines.add(
                "{\"hit_id\":\"bad6\",\"received_at\":"
                        + T0
                        + ",\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\",\"page\":\""
                        + "p".repeat(70_000)
                        + "\"}");
        Path input = dir.resolve("hits.jsonl");
        Files.write(input, lines);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HitflowCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        exitCode =
                cli.execute(
                        "local",
                        "--input",
                        input.toString(),
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        warehouse.toString(),
                        "--checkpoint-interval",
                        "PT1S");
        stdout = out.toString();
        assertThat(exitCode).as("stderr: %s", err).isZero();
    }

    String visitor(IdKind kind, String raw) {
        return new VisitorIdHasher("acme", "v1", TestTenants.ACME_KEY).visitorId(kind, raw);
    }

    @Test
    void printsWhatItMade() {
        assertThat(stdout)
                .containsPattern("analytics.hits +7\\n")
                .containsPattern("analytics.sessions +3\\n")
                .containsPattern("analytics.page_transitions +7\\n")
                .contains("dead letters: 6")
                .containsPattern("MALFORMED_JSON +1\\n")
                .containsPattern("MISSING_FIELD +1\\n")
                .containsPattern("UNKNOWN_SITE +1\\n")
                .containsPattern("BAD_TIMESTAMP +1\\n")
                .containsPattern("BAD_IP +1\\n")
                .containsPattern("TOO_LARGE +1\\n")
                .contains(
                        "spark.sql.catalog.hitflow.uri=jdbc:sqlite:"
                                + warehouse.resolve("catalog.db"));
    }

    @Test
    void hitsTableHoldsEachValidHitOnceWithItsSession() {
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        List<Record> hits = IcebergReader.rows(catalog, HitflowTables.HITS);
        Map<String, Record> byId =
                hits.stream().collect(Collectors.toMap(r -> (String) r.getField("hit_id"), r -> r));
        assertThat(byId.keySet())
                .containsExactlyInAnyOrder("a1", "a2", "a3", "a4", "a5", "b1", "c1");
        assertThat(hits).hasSize(7);

        String alice = visitor(IdKind.COOKIE, ALICE_COOKIE);
        String bob = visitor(IdKind.MOBILE, BOB_MOBILE);
        for (String id : List.of("a1", "a2", "a3", "a4", "a5")) {
            assertThat(byId.get(id).getField("visitor_id")).isEqualTo(alice);
            assertThat(byId.get(id).getField("id_kind")).isEqualTo("COOKIE");
            assertThat(byId.get(id).getField("key_version")).isEqualTo("v1");
            assertThat(byId.get(id).getField("late")).isEqualTo(false);
        }
        assertThat(byId.get("b1").getField("visitor_id")).isEqualTo(bob);
        assertThat(byId.get("b1").getField("id_kind")).isEqualTo("MOBILE");
        assertThat(byId.get("b1").getField("consent")).isEqualTo("EXEMPT");
        assertThat(byId.get("c1").getField("visitor_id")).isNull();
        assertThat(byId.get("c1").getField("session_id")).isNull();
        assertThat(byId.get("c1").getField("consent")).isEqualTo("OPT_OUT");
        // alice's and bob's hits went into the visitor sketches, carol's (no visitor ID) did not
        assertThat(
                        hits.stream()
                                .filter(r -> (Boolean) r.getField("counted_as_visitor"))
                                .map(r -> (String) r.getField("hit_id"))
                                .sorted()
                                .toList())
                .containsExactly("a1", "a2", "a3", "a4", "a5", "b1");

        // a1..a3 share one session, a4..a5 another
        Object s1 = byId.get("a1").getField("session_id");
        Object s2 = byId.get("a4").getField("session_id");
        assertThat(s1).isNotNull().isNotEqualTo(s2);
        assertThat(byId.get("a2").getField("session_id")).isEqualTo(s1);
        assertThat(byId.get("a3").getField("session_id")).isEqualTo(s1);
        assertThat(byId.get("a5").getField("session_id")).isEqualTo(s2);

        // day in the tenant's zone; received_at as timestamptz
        assertThat(byId.get("a1").getField("day")).isEqualTo(LocalDate.of(2026, 3, 10));
        assertThat(((OffsetDateTime) byId.get("a1").getField("received_at")).toInstant())
                .isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(byId.get("a1").getField("tenant_id")).isEqualTo("acme");
        assertThat(byId.get("a1").getField("page")).isEqualTo("/home");
        assertThat(byId.get("a5").getField("event_action")).isEqualTo("play");

        // enrichment: city-level geo from MaxMind's test database, agent, scrubbed URL, GPS cell
        Record a1 = byId.get("a1");
        assertThat(List.of(a1.getField("country"), a1.getField("region"), a1.getField("city")))
                .containsExactly("GB", "ENG", "London");
        Record b1 = byId.get("b1");
        assertThat(List.of(b1.getField("country"), b1.getField("region"), b1.getField("city")))
                .containsExactly("US", "CA", "San Diego");
        assertThat(a1.getField("url")).isEqualTo("https://acme.example/home?q=x");
        assertThat(a1.getField("geo_cell")).isEqualTo("u09tv");
        assertThat(b1.getField("geo_cell")).isNull();
        assertThat(a1.getField("device_class")).isEqualTo("Desktop");
        assertThat(a1.getField("os_name")).isEqualTo("Linux");
        assertThat(a1.getField("agent_name")).isEqualTo("HitflowTest");
        assertThat(a1.getField("source_class")).isEqualTo("direct");
    }

    @Test
    void sessionsTableHoldsTheExpectedSessions() {
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        List<Record> sessions =
                new ArrayList<>(IcebergReader.rows(catalog, HitflowTables.SESSIONS));
        sessions.sort(
                Comparator.comparing((Record r) -> ((OffsetDateTime) r.getField("started_at")))
                        .thenComparing(r -> (String) r.getField("visitor_id")));
        assertThat(sessions).hasSize(3);
        String alice = visitor(IdKind.COOKIE, ALICE_COOKIE);
        String bob = visitor(IdKind.MOBILE, BOB_MOBILE);

        Record first = sessions.get(0);
        assertThat(first.getField("visitor_id")).isEqualTo(alice);
        assertThat(first.getField("hits")).isEqualTo(3);
        assertThat(first.getField("page_views")).isEqualTo(3);
        assertThat(first.getField("path")).isEqualTo(List.of("/home", "/products", "/cart"));
        assertThat(first.getField("time_on_page_ms")).isEqualTo(List.of(MIN, 30 * MIN, 0L));
        assertThat(first.getField("duration_ms")).isEqualTo(31 * MIN);
        assertThat(first.getField("entry_page")).isEqualTo("/home");
        assertThat(first.getField("exit_page")).isEqualTo("/cart");
        assertThat(first.getField("bounce")).isEqualTo(false);
        assertThat(first.getField("day")).isEqualTo(LocalDate.of(2026, 3, 10));

        Record bobs = sessions.get(1);
        assertThat(bobs.getField("visitor_id")).isEqualTo(bob);
        assertThat(bobs.getField("path")).isEqualTo(List.of("/"));
        assertThat(bobs.getField("bounce")).isEqualTo(true);
        assertThat(bobs.getField("duration_ms")).isEqualTo(0L);

        Record second = sessions.get(2);
        assertThat(second.getField("visitor_id")).isEqualTo(alice);
        assertThat(second.getField("hits")).isEqualTo(2);
        assertThat(second.getField("page_views")).isEqualTo(1);
        assertThat(second.getField("events")).isEqualTo(1);
        assertThat(second.getField("path")).isEqualTo(List.of("/home"));
        assertThat(second.getField("time_on_page_ms")).isEqualTo(List.of(10_000L));
        assertThat(second.getField("bounce")).isEqualTo(true);
        assertThat(((OffsetDateTime) second.getField("started_at")).toInstant())
                .isEqualTo(Instant.ofEpochMilli(T0 + 61 * MIN + 1));
    }

    @Test
    void noRawIdentifierInAnythingTheRunWroteNorInTheLogs() throws Exception {
        List<String> raw =
                List.of(
                        ALICE_COOKIE,
                        BOB_MOBILE,
                        BOB_LOGIN,
                        CAROL_COOKIE,
                        IP_ALICE,
                        IP_BOB,
                        UA,
                        EMAIL_IN_URL,
                        "alice@mail.example",
                        GPS_LAT);
        // dead letters are the one place raw input may rest (short retention)
        List<String> findings =
                RawValueScanner.scan(warehouse, raw, List.of(warehouse.resolve("dead-letters")));
        assertThat(findings).isEmpty();
        // and the dead letters did keep the invalid input
        assertThat(
                        RawValueScanner.scan(
                                warehouse.resolve("dead-letters"),
                                List.of("81.2.69.142"),
                                List.of()))
                .isNotEmpty();

        Path log = Path.of("target/test-logs/hitflow-tests.log");
        assertThat(log).exists();
        String logText = Files.readString(log);
        assertThat(logText).contains("LocalJob - run ").doesNotContain(raw.toArray(new String[0]));
        assertThat(stdout).doesNotContain(raw.toArray(new String[0]));
    }

    @Test
    void pageTransitionsCountTheSessionsSteps() {
        List<String> rows =
                IcebergReader.rows(HitflowCatalog.local(warehouse), HitflowTables.PAGE_TRANSITIONS)
                        .stream()
                        .map(
                                r ->
                                        r.getField("day")
                                                + " "
                                                + r.getField("from_page")
                                                + " -> "
                                                + r.getField("to_page")
                                                + " = "
                                                + r.getField("transitions"))
                        .sorted()
                        .toList();
        assertThat(rows)
                .containsExactly(
                        "2026-03-10 (entrance) -> / = 1",
                        "2026-03-10 (entrance) -> /home = 2",
                        "2026-03-10 / -> (exit) = 1",
                        "2026-03-10 /cart -> (exit) = 1",
                        "2026-03-10 /home -> (exit) = 1",
                        "2026-03-10 /home -> /products = 1",
                        "2026-03-10 /products -> /cart = 1");
    }

    @Test
    void aggregatesCountHitsSessionsAndVisitors() {
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        List<Record> daily =
                IcebergReader.rows(
                        catalog,
                        org.apache.iceberg.catalog.TableIdentifier.of(
                                "analytics", "traffic_daily"));
        assertThat(daily).hasSize(1);
        Record day = daily.get(0);
        assertThat(day.getField("day")).isEqualTo(LocalDate.of(2026, 3, 10));
        assertThat(day.getField("time_zone")).isEqualTo("Europe/Paris");
        assertThat(
                        List.of(
                                day.getField("hits"),
                                day.getField("page_views"),
                                day.getField("sessions"),
                                day.getField("bounces"),
                                day.getField("session_duration_ms"),
                                day.getField("events")))
                .containsExactly(7L, 6L, 3L, 2L, 31 * MIN + 10_000L, 1L);
        java.nio.ByteBuffer sketch = (java.nio.ByteBuffer) day.getField("visitors");
        byte[] bytes = new byte[sketch.remaining()];
        sketch.duplicate().get(bytes);
        // alice and bob; carol opted out and counts in hits only
        assertThat(Math.round(dev.hitflow.jobs.aggregate.HllSketches.unionEstimate(List.of(bytes))))
                .isEqualTo(2L);
        java.nio.ByteBuffer trino = (java.nio.ByteBuffer) day.getField("visitors_trino");
        byte[] trinoBytes = new byte[trino.remaining()];
        trino.duplicate().get(trinoBytes);
        assertThat(
                        io.airlift.stats.cardinality.HyperLogLog.newInstance(
                                        io.airlift.slice.Slices.wrappedBuffer(trinoBytes))
                                .cardinality())
                .isEqualTo(2L);
        List<Record> hourly =
                IcebergReader.rows(
                        catalog,
                        org.apache.iceberg.catalog.TableIdentifier.of(
                                "analytics", "traffic_hourly"));
        // 11:00 Paris: a1, a2, b1, c1; 11:31: a3; 12:01: a4, a5
        assertThat(
                        hourly.stream()
                                .map(r -> r.getField("hour") + "h=" + r.getField("hits"))
                                .sorted()
                                .toList())
                .containsExactly("11h=5", "12h=2");
    }

    @Test
    void hitflowSqlQueriesTheTables() {
        StringWriter out = new StringWriter();
        CommandLine cli = HitflowCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        int exit =
                cli.execute(
                        "sql",
                        "--warehouse",
                        warehouse.toString(),
                        "-e",
                        "SELECT consent, count(*) AS hits FROM hits GROUP BY consent ORDER BY consent",
                        "-e",
                        "SELECT count(*) AS sessions, sum(page_views) AS pv FROM sessions",
                        "-e",
                        "SELECT SUM(hits) AS hits, ROUND(hll_union_estimate(visitors)) AS visitors"
                                + " FROM traffic_daily WHERE `day` BETWEEN DATE '2026-03-01' AND"
                                + " DATE '2026-03-31'",
                        "-e",
                        "SELECT hits, sessions, ROUND(visitors) AS v FROM traffic_daily_totals",
                        "-e",
                        // the exact count the sketches estimate
                        "SELECT COUNT(DISTINCT visitor_id) FILTER (WHERE counted_as_visitor) AS"
                                + " visitors FROM hits");
        assertThat(exit).isZero();
        assertThat(out.toString())
                .isEqualTo(
                        """
                        consent | hits
                        --------+-----
                        EXEMPT  | 1
                        OPT_IN  | 5
                        OPT_OUT | 1
                        3 rows
                        sessions | pv
                        ---------+---
                        3        | 5
                        1 row
                        hits | visitors
                        -----+---------
                        7    | 2.0
                        1 row
                        hits | sessions | v
                        -----+----------+----
                        7    | 3        | 2.0
                        1 row
                        visitors
                        --------
                        2
                        1 row
                        """);
    }
}
