package dev.hitflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.TestTenants;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Raw input kept as local dead letters expires: {@code maintain} deletes the files written before
 * its clock minus {@code dead_letter_retention}, and an erasure removes the dead letters that carry
 * the erased identifier while they exist.
 */
class DeadLetterMaintenanceTest {
    static final Instant NOW = Instant.parse("2026-12-10T00:00:00Z");

    @TempDir Path dir;
    Path tenants;
    Path warehouse;
    Path deadLetters;

    @BeforeEach
    void warehouse() throws IOException {
        tenants = TestTenants.writeAcme(dir);
        warehouse = Files.createDirectories(dir.resolve("w"));
        HitflowCatalog.local(warehouse).createTables();
        deadLetters = warehouse.resolve("dead-letters");
    }

    static String letter(String cookie) {
        String hit =
                "{\"hit_id\":\"h\",\"site_id\":\"acme-shop\",\"cookie_id\":\""
                        + cookie
                        + "\",\"ip\":\"81.2.69.142\"}";
        return "{\"reason\":\"MISSING_FIELD\",\"detail\":\"received_at is missing\","
                + "\"source\":\"in.jsonl\",\"original\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(hit)
                + "}";
    }

    Path deadLetterFile(String run, String name, Duration age, String... cookies)
            throws IOException {
        Path file = Files.createDirectories(deadLetters.resolve("run=" + run)).resolve(name);
        Files.write(file, Stream.of(cookies).map(DeadLetterMaintenanceTest::letter).toList());
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(age)));
        return file;
    }

    List<String> listing() throws IOException {
        try (Stream<Path> files = Files.walk(deadLetters)) {
            return files.filter(p -> !p.equals(deadLetters))
                    .map(p -> deadLetters.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    static String hitflow(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        try {
            CommandLine cli = HitflowCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute(args)).isZero();
        } finally {
            System.setIn(before);
        }
        return out.toString();
    }

    @Test
    void maintainDeletesDeadLetterFilesPastTheRetention() throws IOException {
        Files.writeString(tenants, "dead_letter_retention: P7D\n" + Files.readString(tenants));
        deadLetterFile("old", "dead-letters-a-0.jsonl", Duration.ofDays(8), "c1");
        deadLetterFile("old", ".dead-letters-a-1.jsonl.inprogress.x", Duration.ofDays(9), "c2");
        deadLetterFile("mixed", "dead-letters-b-0.jsonl", Duration.ofDays(7).plusMinutes(1), "c3");
        deadLetterFile("mixed", "dead-letters-b-1.jsonl", Duration.ofDays(6), "c4");
        deadLetterFile("new", "dead-letters-c-0.jsonl", Duration.ofHours(1), "c5");
        assertThat(listing())
                .containsExactly(
                        "run=mixed",
                        "run=mixed/dead-letters-b-0.jsonl",
                        "run=mixed/dead-letters-b-1.jsonl",
                        "run=new",
                        "run=new/dead-letters-c-0.jsonl",
                        "run=old",
                        "run=old/.dead-letters-a-1.jsonl.inprogress.x",
                        "run=old/dead-letters-a-0.jsonl");

        String out =
                hitflow(
                        "",
                        "maintain",
                        "--warehouse",
                        warehouse.toString(),
                        "--tenants",
                        tenants.toString(),
                        "--now",
                        NOW.toString());

        assertThat(listing())
                .containsExactly(
                        "run=mixed",
                        "run=mixed/dead-letters-b-1.jsonl",
                        "run=new",
                        "run=new/dead-letters-c-0.jsonl");
        assertThat(out)
                .contains(
                        "  dead letters written before 2026-12-03T00:00:00Z (dead_letter_retention"
                                + " PT168H): deleted 3 files, ");
    }

    @Test
    void erasureRemovesTheDeadLettersCarryingTheIdentifier() throws IOException {
        deadLetterFile("r1", "dead-letters-a-0.jsonl", Duration.ofHours(2), "ck-erase", "ck-erase");
        Path mixed =
                deadLetterFile(
                        "r2",
                        "dead-letters-b-0.jsonl",
                        Duration.ofHours(1),
                        "ck-other",
                        "ck-erase");

        String out =
                hitflow(
                        "ck-erase\n",
                        "rights",
                        "erase",
                        "--warehouse",
                        warehouse.toString(),
                        "--tenants",
                        tenants.toString(),
                        "--tenant",
                        "acme",
                        "--kind",
                        "COOKIE",
                        "--request-id",
                        "e-1");

        assertThat(listing()).containsExactly("run=r2", "run=r2/dead-letters-b-0.jsonl");
        assertThat(Files.readAllLines(mixed)).containsExactly(letter("ck-other"));
        assertThat(out).contains("  request e-1: removed 3 dead letters carrying the identifier");
        assertThat(out).doesNotContain("ck-erase");
    }
}
