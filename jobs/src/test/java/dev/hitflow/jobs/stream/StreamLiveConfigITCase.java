package dev.hitflow.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hitflow.jobs.cli.HitflowCommand;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.KafkaTestBroker;
import dev.hitflow.jobs.testing.RawValueScanner;
import dev.hitflow.jobs.testing.StreamTopics;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.RightsTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The running stream job follows tenants.config and rights.requests without a restart: a tenant
 * added through the topic gets its hits processed (one that came before it is a dead letter, and
 * {@code hitflow replay} brings it back), a changed timeout cuts sessions differently from then on,
 * and an opt-out turns that visitor's later hits into OPT_OUT hits. Real broker, unbounded job,
 * stopped by the test.
 */
class StreamLiveConfigITCase {
    static final byte[] BETA_KEY =
            "beta-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII);
    static final long T0 = Instant.parse("2026-06-03T10:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;

    static KafkaTestBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static byte[] hit(String id, long at, String site, String cookie) throws Exception {
        return StreamTopics.encode(
                RawHit.newBuilder()
                        .setHitId(id)
                        .setReceivedAt(at)
                        .setSiteId(site)
                        .setHitType(HitType.PAGE_VIEW)
                        .setIp("81.2.69.142")
                        .setCookieId(cookie)
                        .setConsent(Consent.OPT_IN)
                        .setPage("/" + id)
                        .build());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void configChangesAndOptOutsTakeEffectWithoutARestart(@TempDir Path dir) throws Exception {
        StreamTopics topics = new StreamTopics("live").create(kafka, 2);
        Path tenantsFile = TestTenants.writeAcme(dir);
        Base64.Encoder b64 = Base64.getEncoder();
        Files.writeString(
                dir.resolve("keys.yaml"),
                "acme:\n  v1: "
                        + b64.encodeToString(TestTenants.ACME_KEY)
                        + "\n  suppression: "
                        + b64.encodeToString(TestTenants.ACME_SUPPRESSION_KEY)
                        + "\nbeta:\n  v1: "
                        + b64.encodeToString(BETA_KEY)
                        + "\n  suppression: "
                        + b64.encodeToString(BETA_KEY)
                        + "\n");
        Path warehouse = Files.createDirectories(dir.resolve("w"));
        StreamJob job =
                new StreamJob(
                        topics.settings(
                                kafka,
                                tenantsFile,
                                warehouse,
                                false,
                                Duration.ofMillis(500),
                                Duration.ofSeconds(5)));
        job.prepare();
        var env = LocalJob.localEnvironment(warehouse.resolve("_cp"), 2, Duration.ofMillis(500));
        job.build(env);
        JobClient client = env.executeAsync("live-config-it");
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        try {
            // Before any change: a hit of a site nobody has yet, and one of a visitor who will
            // opt out.
            kafka.send(topics.hits(), 1, null, hit("early-beta", T0, "beta-web", "cookie-b"));
            kafka.send(topics.hits(), 0, null, hit("before-optout", T0, "acme-shop", "cookie-o"));
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));

            // Through the topics: tenant beta (1 min timeout), acme's timeout down to 2 min,
            // and an opt-out.
            kafka.send(
                    topics.config(),
                    null,
                    utf8("beta"),
                    utf8(
                            """
                            id: beta
                            country: DE
                            time_zone: Europe/Berlin
                            sites: [beta-web]
                            default_consent: OPT_IN
                            session: {inactivity_timeout: PT1M, max_length: PT1H}
                            current_key: v1
                            """));
            kafka.send(
                    topics.config(),
                    null,
                    utf8("acme"),
                    utf8(
                            """
                            id: acme
                            country: FR
                            time_zone: Europe/Paris
                            sites: [acme-shop]
                            identified_visitors: true
                            default_consent: OPT_IN
                            session: {inactivity_timeout: PT2M, max_length: PT24H}
                            current_key: v1
                            """));
            kafka.send(
                    topics.rights(),
                    null,
                    null,
                    utf8(
                            "{\"request_id\":\"r-1\",\"tenant_id\":\"acme\",\"type\":\"OPT_OUT\","
                                    + "\"kind\":\"COOKIE\",\"identifier\":\"cookie-o\"}"));
            kafka.awaitCommittedToEnd(
                    topics.configGroup(), topics.config(), Duration.ofSeconds(60));
            kafka.awaitCommittedToEnd(
                    topics.rightsGroup(), topics.rights(), Duration.ofSeconds(60));

            // The hit that came before its tenant is a dead letter; replayed now, it goes through.
            assertThat(kafka.readJson(topics.dlq(), 1, Duration.ofSeconds(30))).hasSize(1);
            StringWriter replayOut = new StringWriter();
            CommandLine replay = HitflowCommand.commandLine();
            replay.setOut(new PrintWriter(replayOut));
            assertThat(
                            replay.execute(
                                    "replay",
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--from",
                                    topics.dlq(),
                                    "--to",
                                    topics.hits()))
                    .isZero();
            assertThat(replayOut.toString())
                    .isEqualTo(
                            "replayed 1 dead letters (UNKNOWN_SITE) from live.dlq to live.hits"
                                    + System.lineSeparator());

            // Both partitions were idle while the config changed: wake them together, so that
            // neither is read far ahead of the other (an idle partition does not hold the
            // watermark back, and the other's hits would make its first ones late).
            long t1 = T0 + 10 * MIN;
            kafka.send(topics.hits(), 0, null, hit("wake-0", t1 - 1_000, "acme-shop", "w0"));
            kafka.send(topics.hits(), 1, null, hit("wake-1", t1 - 1_000, "acme-shop", "w1"));
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));

            // Under the new config, in three rounds, each through a completed checkpoint before
            // the next: within a round the hits are at most 30 s apart (the disorder bound), so
            // whichever partition is read first, and whether the other one counts as idle
            // meanwhile, none of them is late. Partition 1 then falls silent: only its idleness
            // lets the watermark follow the clock hit on partition 0 and close the sessions.
            kafka.send(topics.hits(), 1, null, hit("beta-1", t1, "beta-web", "cookie-b"));
            kafka.send(topics.hits(), 1, null, hit("after-optout-1", t1, "acme-shop", "cookie-o"));
            kafka.send(topics.hits(), 0, null, hit("acme-1", t1, "acme-shop", "cookie-a"));
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));
            kafka.send(
                    topics.hits(),
                    1,
                    null,
                    hit("after-optout-2", t1 + 70_000, "acme-shop", "cookie-o"));
            kafka.send(topics.hits(), 1, null, hit("beta-2", t1 + 90_000, "beta-web", "cookie-b"));
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));
            kafka.send(
                    topics.hits(), 0, null, hit("acme-2", t1 + 5 * MIN, "acme-shop", "cookie-a"));
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));
            kafka.send(topics.hits(), 0, null, hit("clock", T0 + 5 * 60 * MIN, "acme-shop", "c"));

            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (IcebergReader.rows(catalog, HitflowTables.SESSIONS).size() < 8
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(60));
        } finally {
            client.cancel().get();
        }

        // The clock hit's session is still open: the sessionizer holds its hits until it closes.
        Map<String, Record> hits =
                IcebergReader.rows(catalog, HitflowTables.HITS).stream()
                        .collect(Collectors.toMap(r -> (String) r.getField("hit_id"), r -> r));
        assertThat(hits.keySet())
                .containsExactlyInAnyOrder(
                        "early-beta",
                        "before-optout",
                        "beta-1",
                        "beta-2",
                        "acme-1",
                        "acme-2",
                        "after-optout-1",
                        "after-optout-2",
                        "wake-0",
                        "wake-1");
        String optedOut = (String) hits.get("before-optout").getField("visitor_id");
        assertThat(optedOut).hasSize(32);
        for (String id : List.of("after-optout-1", "after-optout-2")) {
            assertThat(hits.get(id).getField("visitor_id")).isNull();
            assertThat(hits.get(id).getField("session_id")).isNull();
            assertThat(hits.get(id).getField("consent")).isEqualTo("OPT_OUT");
        }
        assertThat(hits.get("beta-1").getField("tenant_id")).isEqualTo("beta");

        // beta: 90 s apart under a 1 min timeout; acme: 5 min apart under the new 2 min (one
        // session under the old 30); the opted-out visitor: only the hit from before.
        assertThat(IcebergReader.rows(catalog, HitflowTables.SESSIONS))
                .as(
                        "sessions; hits: %s",
                        hits.values().stream()
                                .map(
                                        r ->
                                                r.getField("hit_id")
                                                        + " late="
                                                        + r.getField("late")
                                                        + " session="
                                                        + r.getField("session_id"))
                                .toList())
                .extracting(
                        r -> r.getField("tenant_id"),
                        r -> r.getField("entry_page"),
                        r -> r.getField("hits"))
                .containsExactlyInAnyOrder(
                        tuple("beta", "/early-beta", 1),
                        tuple("beta", "/beta-1", 1),
                        tuple("beta", "/beta-2", 1),
                        tuple("acme", "/acme-1", 1),
                        tuple("acme", "/acme-2", 1),
                        tuple("acme", "/before-optout", 1),
                        tuple("acme", "/wake-0", 1),
                        tuple("acme", "/wake-1", 1));

        assertThat(IcebergReader.rows(catalog, RightsTables.RIGHTS_QUEUE))
                .extracting(
                        r -> r.getField("request_id"),
                        r -> r.getField("tenant_id"),
                        r -> r.getField("type"),
                        r -> r.getField("key_version"),
                        r -> r.getField("visitor_id"))
                .containsExactly(tuple("r-1", "acme", "OPT_OUT", "v1", optedOut));
        // and in the durable opt-out registry, under the suppression key, for every later job
        assertThat(IcebergReader.rows(catalog, RightsTables.SUPPRESSIONS))
                .extracting(
                        r -> r.getField("request_id"),
                        r -> r.getField("tenant_id"),
                        r -> r.getField("suppression_id"),
                        r -> r.getField("type"),
                        r -> r.getField("id_kind"),
                        r -> r.getField("source"))
                .containsExactly(
                        tuple(
                                "r-1",
                                "acme",
                                new dev.hitflow.udfs.identity.VisitorIdHasher(
                                                "acme",
                                                "suppression",
                                                TestTenants.ACME_SUPPRESSION_KEY)
                                        .suppressionId(
                                                dev.hitflow.schemas.avro.IdKind.COOKIE, "cookie-o"),
                                "OPT_OUT",
                                "COOKIE",
                                topics.rights()));

        // Still the one dead letter: the replayed hit found its tenant.
        List<JsonNode> dead = kafka.readJson(topics.dlq(), 1, Duration.ofSeconds(20));
        assertThat(dead).extracting(d -> d.get("reason").asText()).containsExactly("UNKNOWN_SITE");
        RawHit replayable =
                RawHit.getDecoder()
                        .decode(
                                Base64.getDecoder()
                                        .decode(dead.get(0).get("original_base64").asText()));
        assertThat(replayable.getHitId()).isEqualTo("early-beta");

        assertThat(
                        RawValueScanner.scan(
                                warehouse, List.of("cookie-o", "cookie-a", "cookie-b"), List.of()))
                .isEmpty();
    }
}
