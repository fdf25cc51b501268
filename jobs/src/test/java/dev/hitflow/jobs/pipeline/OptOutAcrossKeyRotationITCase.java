package dev.hitflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hitflow.jobs.cli.HitflowCommand;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.RawValueScanner;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.IdKind;
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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An opt-out taken by {@code hitflow rights} (identifier on standard input) holds for a new {@code
 * hitflow local} run (no state of any earlier job) after the tenant's key was rotated: the durable
 * registry matches under the suppression key, which does not rotate.
 */
class OptOutAcrossKeyRotationITCase {
    static final long T0 = Instant.parse("2026-03-27T10:00:00Z").toEpochMilli();
    static final long MIN = 60_000;
    static final byte[] ACME_KEY_V2 =
            "acme-test-key-v2-0123456789abcd!".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;

    static String hit(String id, long at, String cookie) {
        return "{\"hit_id\":\""
                + id
                + "\",\"received_at\":"
                + at
                + ",\"site_id\":\"acme-shop\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"81.2.69.142\","
                + "\"cookie_id\":\""
                + cookie
                + "\",\"consent\":\"OPT_IN\",\"page\":\"/"
                + id
                + "\"}";
    }

    static int hitflow(InputStream stdin, String... args) {
        InputStream before = System.in;
        System.setIn(stdin);
        try {
            CommandLine cli = HitflowCommand.commandLine();
            cli.setOut(new PrintWriter(new StringWriter()));
            return cli.execute(args);
        } finally {
            System.setIn(before);
        }
    }

    static InputStream nothing() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Test
    void optOutHoldsForANewJobAfterTheKeyRotates() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path warehouse = dir.resolve("w");
        Path before = dir.resolve("before.jsonl");
        Files.write(before, List.of(hit("b1", T0, "ck-opt"), hit("b2", T0, "ck-keep")));
        assertThat(
                        hitflow(
                                nothing(),
                                "local",
                                "--input",
                                before.toString(),
                                "--tenants",
                                tenants.toString(),
                                "--warehouse",
                                warehouse.toString()))
                .isZero();

        // the identifier on standard input, never on the command line
        assertThat(
                        hitflow(
                                new ByteArrayInputStream(
                                        "ck-opt\n".getBytes(StandardCharsets.UTF_8)),
                                "rights",
                                "opt-out",
                                "--warehouse",
                                warehouse.toString(),
                                "--tenants",
                                tenants.toString(),
                                "--tenant",
                                "acme",
                                "--kind",
                                "COOKIE",
                                "--request-id",
                                "opt-1"))
                .isZero();

        // rotate: v2 becomes current, v1 stays live
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(
                keys,
                Files.readString(keys)
                        + "  v2: "
                        + Base64.getEncoder().encodeToString(ACME_KEY_V2)
                        + "\n");
        Files.writeString(
                tenants, Files.readString(tenants).replace("current_key: v1", "current_key: v2"));

        Path later = dir.resolve("later.jsonl");
        Files.write(
                later,
                List.of(
                        hit("l1", T0 + 60 * MIN, "ck-opt"),
                        hit("l2", T0 + 61 * MIN, "ck-opt"),
                        hit("l3", T0 + 60 * MIN, "ck-keep")));
        assertThat(
                        hitflow(
                                nothing(),
                                "local",
                                "--input",
                                later.toString(),
                                "--tenants",
                                tenants.toString(),
                                "--warehouse",
                                warehouse.toString()))
                .isZero();

        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        Map<String, Record> hits =
                IcebergReader.rows(catalog, HitflowTables.HITS).stream()
                        .collect(Collectors.toMap(r -> (String) r.getField("hit_id"), r -> r));
        String keepV2 =
                new VisitorIdHasher("acme", "v2", ACME_KEY_V2).visitorId(IdKind.COOKIE, "ck-keep");
        String optV1 =
                new VisitorIdHasher("acme", "v1", TestTenants.ACME_KEY)
                        .visitorId(IdKind.COOKIE, "ck-opt");
        assertThat(hits.values())
                .extracting(
                        r -> r.getField("hit_id"),
                        r -> r.getField("visitor_id"),
                        r -> r.getField("key_version"),
                        r -> r.getField("consent"))
                .containsExactlyInAnyOrder(
                        tuple("b1", optV1, "v1", "OPT_IN"),
                        tuple(
                                "b2",
                                new VisitorIdHasher("acme", "v1", TestTenants.ACME_KEY)
                                        .visitorId(IdKind.COOKIE, "ck-keep"),
                                "v1",
                                "OPT_IN"),
                        tuple("l1", null, null, "OPT_OUT"),
                        tuple("l2", null, null, "OPT_OUT"),
                        tuple("l3", keepV2, "v2", "OPT_IN"));
        assertThat(hits.get("l1").getField("session_id")).isNull();
        assertThat(hits.get("l2").getField("session_id")).isNull();
        // the later run's sessions: ck-keep only
        assertThat(IcebergReader.rows(catalog, HitflowTables.SESSIONS))
                .extracting(r -> r.getField("visitor_id"), r -> r.getField("entry_page"))
                .containsExactlyInAnyOrder(
                        tuple(optV1, "/b1"),
                        tuple(hits.get("b2").getField("visitor_id"), "/b2"),
                        tuple(keepV2, "/l3"));

        // the registry: one pseudonymous row, under the suppression key; nothing raw anywhere
        String suppressionId =
                new VisitorIdHasher("acme", "suppression", TestTenants.ACME_SUPPRESSION_KEY)
                        .suppressionId(IdKind.COOKIE, "ck-opt");
        List<Record> registry = IcebergReader.rows(catalog, RightsTables.SUPPRESSIONS);
        assertThat(registry)
                .extracting(
                        r -> r.getField("tenant_id"),
                        r -> r.getField("suppression_id"),
                        r -> r.getField("request_id"),
                        r -> r.getField("type"),
                        r -> r.getField("id_kind"),
                        r -> r.getField("source"))
                .containsExactly(
                        tuple(
                                "acme",
                                suppressionId,
                                "opt-1",
                                "OPT_OUT",
                                "COOKIE",
                                "hitflow rights"));
        for (Record row : registry) {
            for (int i = 0; i < row.size(); i++) {
                assertThat(String.valueOf(row.get(i))).doesNotContain("ck-opt");
            }
        }
        assertThat(suppressionId).isNotEqualTo(optV1);
        assertThat(
                        RawValueScanner.scan(
                                warehouse,
                                List.of("ck-opt", "ck-keep"),
                                List.of(warehouse.resolve("dead-letters"))))
                .isEmpty();
    }
}
