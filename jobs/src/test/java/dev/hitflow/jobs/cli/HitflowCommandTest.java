package dev.hitflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.testing.TestTenants;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad usage and bad configuration stop at start with exit 2 and one line naming the problem. */
class HitflowCommandTest {
    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HitflowCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpExplainsEveryCommandAndOption() {
        Run top = run("--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("local").contains("Exit codes");
        Run local = run("local", "--help");
        assertThat(local.exit()).isZero();
        assertThat(local.out())
                .contains("--generate=N")
                .contains("--input=FILE")
                .contains("--tenants=FILE")
                .contains("--warehouse=DIR")
                .contains("--seed")
                .contains("--parallelism")
                .contains("--checkpoint-interval")
                .contains("--out-of-orderness");
    }

    @Test
    void missingTenantConfigExitsTwoNamingTheFile() {
        Path missing = dir.resolve("nope.yaml");
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        missing.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("hitflow: tenant config " + missing + " does not exist");
    }

    @Test
    void invalidTenantConfigExitsTwoNamingTenantAndKey() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(
                tenants,
                "tenants:\n  - id: acme\n    country: FR\n    time_zone: Europe/Paris\n"
                        + "    sites: [s]\n    sesion: {}\n");
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith(
                        "hitflow: tenant config "
                                + tenants
                                + ", tenant 'acme': unknown key 'sesion'");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void badTimeZoneIsNamed() throws Exception {
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(
                tenants,
                "tenants:\n  - id: acme\n    country: FR\n    time_zone: Europe/Pariss\n    sites: [s]\n");
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains(
                        "tenant 'acme': 'time_zone' must be an IANA zone such as Europe/Paris, got 'Europe/Pariss'");
    }

    @Test
    void missingInputFileExitsTwo() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path input = dir.resolve("missing.jsonl");
        Run r =
                run(
                        "local",
                        "--input",
                        input.toString(),
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("hitflow: input file " + input + " does not exist");
    }

    @Test
    void unwritableWarehouseExitsTwo() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path warehouse = file.resolve("warehouse");
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        warehouse.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "hitflow: warehouse folder "
                                + warehouse.toAbsolutePath()
                                + " cannot be created");
    }

    @Test
    void missingKeyVersionExitsTwoWithoutKeyMaterial() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Files.writeString(
                tenants, Files.readString(tenants).replace("current_key: v1", "current_key: v2"));
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("hitflow: no key version 'v2' for tenant 'acme' in the keys file");
    }

    @Test
    void inputAndGenerateTogetherIsBadUsage() {
        Run r = run("local", "--generate", "10", "--input", "x.jsonl");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void corruptGeoDatabaseExitsTwoNamingIt() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path db =
                dev.hitflow.udfs.geo.MaxMindTestDatabases.file(
                                "GeoIP2-City-Test-Broken-Double-Format.mmdb")
                        .orElseThrow();
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--geoip",
                        db.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("hitflow: GeoIP database " + db + " cannot be read");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void maintainRefusesABadRequestsFileBeforeChangingAnything() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path warehouse = dir.resolve("w");
        dev.hitflow.jobs.sink.HitflowCatalog local =
                dev.hitflow.jobs.sink.HitflowCatalog.local(warehouse);
        Files.createDirectories(warehouse);
        local.createTables(local.open());
        Path requests = dir.resolve("requests.jsonl");
        Files.writeString(
                requests,
                "{\"request_id\":\"r\",\"tenant_id\":\"acme\",\"type\":\"ERASURE\",\"kind\":\"EMAIL\",\"identifier\":\"bob@x.example\"}\n");
        Run r =
                run(
                        "maintain",
                        "--warehouse",
                        warehouse.toString(),
                        "--tenants",
                        tenants.toString(),
                        "--requests",
                        requests.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "hitflow: requests file "
                                + requests
                                + ", line 1: 'kind' must be COOKIE, MOBILE or USER");
        assertThat(r.err()).doesNotContain("bob@x.example");
        Run missing = run("maintain", "--warehouse", dir.resolve("none").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("has no catalog.db");
    }

    @Test
    void rightsHelpShowsNoOptionThatTakesAnIdentifier() {
        Run help = run("rights", "--help");
        assertThat(help.exit()).isZero();
        // every option the help shows that takes a value, with what the value is
        List<String> shownWithValue =
                HitflowCommand.commandLine()
                        .getSubcommands()
                        .get("rights")
                        .getCommandSpec()
                        .options()
                        .stream()
                        .filter(o -> !o.hidden() && o.arity().max() > 0)
                        .map(o -> o.longestName() + "=" + o.paramLabel())
                        .sorted()
                        .toList();
        assertThat(shownWithValue)
                .containsExactly(
                        "--catalog-properties=FILE",
                        "--export-dir=DIR",
                        "--identifiers-file=FILE",
                        "--kind=KIND",
                        "--request-id=<requestId>",
                        "--tenant=<tenant>",
                        "--tenants=FILE",
                        "--warehouse=DIR");
        for (String option : shownWithValue) {
            assertThat(help.out()).contains(option);
        }
        assertThat(help.out())
                .doesNotContain("--cookie")
                .doesNotContain("--mobile")
                .doesNotContain("--user");
    }

    @Test
    void rightsWithAnIdentifierOnTheCommandLineExitsTwoSayingWhereItGoes() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        for (String[] old :
                List.of(
                        new String[] {"--cookie", "COOKIE"},
                        new String[] {"--mobile", "MOBILE"},
                        new String[] {"--user", "USER"})) {
            Run r =
                    run(
                            "rights",
                            "opt-out",
                            "--warehouse",
                            dir.resolve("w").toString(),
                            "--tenants",
                            tenants.toString(),
                            "--tenant",
                            "acme",
                            "--kind",
                            old[1],
                            old[0],
                            "secret-id-42");
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().lines().findFirst().orElseThrow())
                    .isEqualTo(
                            old[0]
                                    + " is gone: identifiers are never given on the command line"
                                    + " (shell history, process list). Give --kind "
                                    + old[1]
                                    + " and the identifier on standard input, one per line, or in"
                                    + " --identifiers-file FILE");
            assertThat(r.err()).doesNotContain("secret-id-42");
        }
    }

    @Test
    void keysFileWithoutASuppressionKeyExitsTwoSayingHowToAddOne() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(
                keys,
                Files.readString(keys)
                        .lines()
                        .filter(l -> !l.contains("suppression"))
                        .toList()
                        .stream()
                        .reduce("", (a, b) -> a + b + "\n"));
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "hitflow: keys file "
                                + keys
                                + ": tenant 'acme' has no 'suppression' key. Add one beside its"
                                + " versions (suppression: <base64 of 32 random bytes>, e.g. from"
                                + " `openssl rand -base64 32`) and never rotate it: opt-outs are"
                                + " matched under it, so they hold across rotations of the"
                                + " visitor-ID key");
    }

    @Test
    void badDeadLetterRetentionExitsTwoNamingTheKey() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Files.writeString(tenants, "dead_letter_retention: 7 days\n" + Files.readString(tenants));
        Run r =
                run(
                        "local",
                        "--generate",
                        "10",
                        "--tenants",
                        tenants.toString(),
                        "--warehouse",
                        dir.resolve("w").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "hitflow: tenant config "
                                + tenants
                                + ": 'dead_letter_retention' must be an ISO-8601 duration such as"
                                + " PT30M, got '7 days'");
    }

    @Test
    void benchRoundsBelowOneExitTwo() {
        Run r = run("bench", "--rounds", "0", "--warehouse", dir.resolve("b").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--rounds must be at least 1, not 0");
    }

    @Test
    void benchMediansTakeTheMiddleValueOrTheMeanOfTheMiddleTwo() {
        assertThat(BenchCommand.median(List.of(3.0, 1.0, 2.0), v -> v)).isEqualTo(2.0);
        assertThat(BenchCommand.median(List.of(4.0, 1.0, 2.0, 3.0), v -> v)).isEqualTo(2.5);
    }

    @Test
    void localPrintsTrinosCatalogSettingsBesideTheOthers() {
        StringWriter out = new StringWriter();
        LocalCommand.printCatalog(new PrintWriter(out), Path.of("/tmp/w"));
        assertThat(out.toString())
                .contains("spark.sql.catalog.hitflow.uri=jdbc:sqlite:/tmp/w/catalog.db")
                .contains(
                        """
                          Trino:     etc/catalog/hitflow.properties (sqlite-jdbc-3.50.3.0.jar copied into plugin/iceberg/):
                            connector.name=iceberg
                            iceberg.catalog.type=jdbc
                            iceberg.jdbc-catalog.catalog-name=hitflow
                            iceberg.jdbc-catalog.driver-class=org.sqlite.JDBC
                            iceberg.jdbc-catalog.connection-url=jdbc:sqlite:/tmp/w/catalog.db
                            iceberg.jdbc-catalog.default-warehouse-dir=file:///tmp/w
                            iceberg.jdbc-catalog.schema-version=V1
                            fs.native-local.enabled=true
                            local.location=/
                        """)
                .contains("cardinality(merge(CAST(visitors_trino AS HyperLogLog)))")
                .contains("Flink SQL: hitflow sql --warehouse /tmp/w");
    }
}
