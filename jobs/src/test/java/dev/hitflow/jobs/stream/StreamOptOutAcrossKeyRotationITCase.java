package dev.hitflow.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.RightsTables;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An opt-out taken by {@code hitflow rights} (identifier on standard input; it never went through
 * the requests topic) holds for a stream job started from nothing after the tenant's key rotated:
 * the job loads the durable registry at start and matches under the suppression key.
 */
class StreamOptOutAcrossKeyRotationITCase {
    static final long T0 = Instant.parse("2026-06-03T10:00:00Z").toEpochMilli();
    static final byte[] ACME_KEY_V2 =
            "acme-test-key-v2-0123456789abcd!".getBytes(StandardCharsets.US_ASCII);

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

    static byte[] hit(String id, long at, String cookie) throws Exception {
        return StreamTopics.encode(
                RawHit.newBuilder()
                        .setHitId(id)
                        .setReceivedAt(at)
                        .setSiteId("acme-shop")
                        .setHitType(HitType.PAGE_VIEW)
                        .setIp("81.2.69.142")
                        .setCookieId(cookie)
                        .setConsent(Consent.OPT_IN)
                        .setPage("/" + id)
                        .build());
    }

    @Test
    void aNewStreamJobSuppressesAnOptOutTakenBeforeTheKeyRotated(@TempDir Path dir)
            throws Exception {
        StreamTopics topics = new StreamTopics("rotation").create(kafka, 2);
        Path tenantsFile = TestTenants.writeAcme(dir);
        Path warehouse = Files.createDirectories(dir.resolve("w"));
        // the tables exist before any job ran (what a first deployment's prepare does)
        new StreamJob(
                        topics.settings(
                                kafka,
                                tenantsFile,
                                warehouse,
                                true,
                                Duration.ofSeconds(1),
                                Duration.ofMinutes(1)))
                .prepare();

        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream("ck-opt\n".getBytes(StandardCharsets.UTF_8)));
        try {
            CommandLine cli = HitflowCommand.commandLine();
            cli.setOut(new PrintWriter(new StringWriter()));
            assertThat(
                            cli.execute(
                                    "rights",
                                    "opt-out",
                                    "--warehouse",
                                    warehouse.toString(),
                                    "--tenants",
                                    tenantsFile.toString(),
                                    "--tenant",
                                    "acme",
                                    "--kind",
                                    "COOKIE",
                                    "--request-id",
                                    "opt-1"))
                    .isZero();
        } finally {
            System.setIn(stdin);
        }

        Path keys = dir.resolve("keys.yaml");
        Files.writeString(
                keys,
                Files.readString(keys)
                        + "  v2: "
                        + Base64.getEncoder().encodeToString(ACME_KEY_V2)
                        + "\n");
        Files.writeString(
                tenantsFile,
                Files.readString(tenantsFile).replace("current_key: v1", "current_key: v2"));

        kafka.send(topics.hits(), 0, null, hit("l1", T0, "ck-opt"));
        kafka.send(topics.hits(), 1, null, hit("l2", T0 + 60_000, "ck-opt"));
        kafka.send(topics.hits(), 0, null, hit("l3", T0, "ck-keep"));

        // a new job: fresh consumer groups, no savepoint, no state of any earlier job
        StreamJob job =
                new StreamJob(
                        topics.settings(
                                kafka,
                                tenantsFile,
                                warehouse,
                                true,
                                Duration.ofSeconds(1),
                                Duration.ofMinutes(1)));
        job.prepare();
        var env = LocalJob.localEnvironment(warehouse.resolve("_cp"), 2, Duration.ofSeconds(1));
        job.build(env);
        env.execute("rotation-it");

        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        String keepV2 =
                new VisitorIdHasher("acme", "v2", ACME_KEY_V2).visitorId(IdKind.COOKIE, "ck-keep");
        assertThat(IcebergReader.rows(catalog, HitflowTables.HITS))
                .extracting(
                        r -> r.getField("hit_id"),
                        r -> r.getField("visitor_id"),
                        r -> r.getField("key_version"),
                        r -> r.getField("consent"),
                        r -> r.getField("session_id") == null)
                .containsExactlyInAnyOrder(
                        tuple("l1", null, null, "OPT_OUT", true),
                        tuple("l2", null, null, "OPT_OUT", true),
                        tuple("l3", keepV2, "v2", "OPT_IN", false));
        assertThat(IcebergReader.rows(catalog, HitflowTables.SESSIONS))
                .extracting(r -> r.getField("visitor_id"), r -> r.getField("entry_page"))
                .containsExactly(tuple(keepV2, "/l3"));

        List<Record> registry = IcebergReader.rows(catalog, RightsTables.SUPPRESSIONS);
        assertThat(registry)
                .extracting(
                        r -> r.getField("tenant_id"),
                        r -> r.getField("suppression_id"),
                        r -> r.getField("request_id"),
                        r -> r.getField("source"))
                .containsExactly(
                        tuple(
                                "acme",
                                new VisitorIdHasher(
                                                "acme",
                                                "suppression",
                                                TestTenants.ACME_SUPPRESSION_KEY)
                                        .suppressionId(IdKind.COOKIE, "ck-opt"),
                                "opt-1",
                                "hitflow rights"));
        for (Record row : registry) {
            for (int i = 0; i < row.size(); i++) {
                assertThat(String.valueOf(row.get(i))).doesNotContain("ck-opt");
            }
        }
        assertThat(RawValueScanner.scan(warehouse, List.of("ck-opt", "ck-keep"), List.of()))
                .isEmpty();
    }
}
