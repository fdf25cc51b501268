package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.pipeline.HitflowPipeline;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hitflow local}: the whole pipeline on an embedded Flink mini cluster. */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on an embedded Flink mini cluster: generated or file input,"
                    + " a local Iceberg warehouse (JDBC catalog 'hitflow' on SQLite), to the end of"
                    + " the input; then prints what it made.",
        },
        footer = {
            "",
            "Examples:",
            "  hitflow local --generate 200000 --warehouse /tmp/w",
            "  hitflow local --input hits.jsonl --tenants tenants.yaml --warehouse /tmp/w"
        })
public final class LocalCommand implements Callable<Integer> {
    @CommandLine.ArgGroup(multiplicity = "1")
    InputChoice input;

    static final class InputChoice {
        @Option(
                names = "--generate",
                paramLabel = "N",
                description = "Generate N synthetic hits (deterministic for --seed).")
        long generate;

        @Option(
                names = "--input",
                paramLabel = "FILE",
                description = "Read hits from FILE: JSON Lines, or an Avro container file (.avro).")
        Path file;
    }

    @Option(
            names = "--tenants",
            paramLabel = "FILE",
            description = "Tenant configuration (YAML or JSON). Default: the built-in sample.")
    Path tenants;

    @Option(
            names = "--warehouse",
            paramLabel = "DIR",
            defaultValue = "hitflow-warehouse",
            description = "Local Iceberg warehouse folder (default: ${DEFAULT-VALUE}).")
    Path warehouse;

    @Option(
            names = "--geoip",
            paramLabel = "FILE",
            description =
                    "MaxMind City database for geolocation (default: MaxMind's City test database"
                            + " from ../shared/data/maxmind when found, else none).")
    Path geoip;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism of the mini cluster (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT5S",
            paramLabel = "DURATION",
            description =
                    "Checkpoint (and so Iceberg commit) interval, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "PT30S",
            paramLabel = "DURATION",
            description =
                    "Disorder of received_at the watermark allows (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalJob job =
                LocalJob.prepare(
                        new LocalJob.Options(
                                input.file,
                                input.generate,
                                seed,
                                tenants,
                                warehouse,
                                parallelism,
                                checkpointInterval,
                                outOfOrderness == null
                                        ? HitflowPipeline.DEFAULT_OUT_OF_ORDERNESS
                                        : outOfOrderness,
                                geoip));
        out.println(
                "tenants:   "
                        + job.tenantsOrigin()
                        + " ("
                        + job.tenants().tenants().size()
                        + " tenants)");
        out.println(
                "keys:      "
                        + job.keysFile()
                        + (job.keysCreated()
                                ? " (created now with random keys; keep it: visitor IDs depend on it)"
                                : ""));
        out.println("geoip:     " + job.geoDescription());
        out.println("warehouse: " + job.warehouse());
        out.flush();

        LocalJob.Result result = job.run();

        long hits = result.rowsPerTable().getOrDefault("analytics.hits", 0L);
        long read = hits + result.deadLetters();
        double seconds = Math.max(result.elapsed().toMillis(), 1) / 1000.0;
        out.println();
        out.println("input:     " + result.input());
        out.printf(
                Locale.ROOT,
                "run %s: %,d records in %.1f s (%,.0f hits/s)%n",
                result.runId(),
                read,
                seconds,
                read / seconds);
        out.println("rows committed by this run:");
        for (Map.Entry<String, Long> e : result.rowsPerTable().entrySet()) {
            out.printf(Locale.ROOT, "  %-28s %,12d%n", e.getKey(), e.getValue());
        }
        out.printf(Locale.ROOT, "dead letters: %,d%n", result.deadLetters());
        for (Map.Entry<String, Long> e : result.deadLettersByReason().entrySet()) {
            out.printf(Locale.ROOT, "  %-28s %,12d%n", e.getKey(), e.getValue());
        }
        out.println("  in " + result.deadLetterDir());
        out.println();
        printCatalog(out, job.warehouse());
        out.flush();
        return 0;
    }

    static void printCatalog(PrintWriter out, Path warehouse) {
        String db = warehouse.resolve(HitflowCatalog.SQLITE_FILE).toString();
        String name = HitflowCatalog.NAME;
        out.println("Query it: Iceberg JDBC catalog '" + name + "' on SQLite " + db);
        out.println("  Spark SQL:");
        out.println("    spark-sql \\");
        out.println(
                "      --packages org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.11.0,org.xerial:sqlite-jdbc:3.50.3.0 \\");
        out.println(
                "      --conf spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions \\");
        out.println(
                "      --conf spark.sql.catalog."
                        + name
                        + "=org.apache.iceberg.spark.SparkCatalog \\");
        out.println("      --conf spark.sql.catalog." + name + ".type=jdbc \\");
        out.println("      --conf spark.sql.catalog." + name + ".uri=jdbc:sqlite:" + db + " \\");
        out.println("      --conf spark.sql.catalog." + name + ".jdbc.schema-version=V1 \\");
        out.println("      --conf spark.sql.catalog." + name + ".warehouse=" + warehouse.toUri());
        out.println(
                "    spark-sql> SELECT tenant_id, count(*) FROM "
                        + name
                        + ".analytics.hits GROUP BY tenant_id;");
        printTrinoCatalog(out, warehouse);
        out.println("  Flink SQL: hitflow sql --warehouse " + warehouse);
        out.println(
                "  DuckDB:    INSTALL iceberg; LOAD iceberg; SELECT count(*) FROM iceberg_scan('"
                        + warehouse.resolve("analytics/hits")
                        + "', allow_moved_paths = true);");
    }

    /**
     * Trino's Iceberg connector on the same catalog: etc/catalog/hitflow.properties, with
     * sqlite-jdbc copied into plugin/iceberg/. The metadata holds absolute paths, so the local file
     * system is rooted at / (rooted at the warehouse, Trino answers "Metadata not found").
     */
    static void printTrinoCatalog(PrintWriter out, Path warehouse) {
        String name = HitflowCatalog.NAME;
        out.println(
                "  Trino:     etc/catalog/"
                        + name
                        + ".properties (sqlite-jdbc-3.50.3.0.jar copied into plugin/iceberg/):");
        out.println("    connector.name=iceberg");
        out.println("    iceberg.catalog.type=jdbc");
        out.println("    iceberg.jdbc-catalog.catalog-name=" + name);
        out.println("    iceberg.jdbc-catalog.driver-class=org.sqlite.JDBC");
        out.println(
                "    iceberg.jdbc-catalog.connection-url=jdbc:sqlite:"
                        + warehouse.resolve(HitflowCatalog.SQLITE_FILE));
        out.println("    iceberg.jdbc-catalog.default-warehouse-dir=" + warehouse.toUri());
        out.println("    iceberg.jdbc-catalog.schema-version=V1");
        out.println("    fs.native-local.enabled=true");
        out.println("    local.location=/");
        out.println(
                "    trino> SELECT tenant_id, cardinality(merge(CAST(visitors_trino AS HyperLogLog)))"
                        + " AS visitors FROM "
                        + name
                        + ".analytics.traffic_daily GROUP BY tenant_id;");
    }
}
