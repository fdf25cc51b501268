package dev.hitflow.jobs.bench;

import dev.hitflow.jobs.generate.TrafficGenerator;
import dev.hitflow.jobs.ingest.JsonHitDecoder;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.LocalKeys;
import dev.hitflow.jobs.session.SessionBuilder;
import dev.hitflow.jobs.sink.DetailRows;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.udfs.HitEnricher;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.data.FlinkParquetWriters;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a {@code hits} row costs Iceberg's Parquet writer (the busiest thread of the pipeline in the
 * warm profile), one data file of {@value #ROWS} rows per operation, under the table properties of
 * each {@link #properties} variant. The rows are the pipeline's own: generated realistic traffic
 * (seed 42) decoded, put through the privacy gate on the full-size GeoLite2 City and YAUAA, given
 * session IDs (one per visitor and half hour, as the sessionizer would) and laid out by {@link
 * DetailRows#hit}, in the order the sessionizer emits them (session by session). Single thread:
 * rows/s is per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(
        value = 1,
        jvmArgs = {
            "-Xmx2g",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED"
        })
@OperationsPerInvocation(HitsWriterBenchmark.ROWS)
public class HitsWriterBenchmark {
    /** Rows per data file: about what one writer subtask gets per partition per checkpoint. */
    static final int ROWS = 50_000;

    /** Columns whose min/max bounds prune nothing: random IDs and full URLs. */
    static final List<String> RANDOM_COLUMNS = List.of("hit_id", "visitor_id", "session_id", "url");

    /**
     * default: the tables' properties as {@link HitflowCatalog} creates them (zstd); the others add
     * one change each.
     */
    @Param({"default", "no-random-stats", "dict-256k", "no-random-stats+dict-256k", "zstd-1"})
    public String properties;

    private RowData[] rows;
    private Map<String, String> props;
    private RowType flinkType;
    private Path dir;
    private int file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        rows = HitsRows.make(ROWS);
        flinkType = FlinkSchemaUtil.convert(HitflowTables.HITS_SCHEMA);
        props = properties(properties);
        dir = Files.createTempDirectory("hits-writer-bench");
    }

    /** The hits table's properties with the changes of a variant ("a+b"). */
    static Map<String, String> properties(String variant) {
        Map<String, String> props =
                new HashMap<>(HitflowCatalog.tableProperties(HitflowTables.HITS_TABLE));
        for (String change : variant.split("\\+")) {
            switch (change) {
                case "default" -> {}
                case "no-random-stats" ->
                        RANDOM_COLUMNS.forEach(
                                c -> props.put("write.parquet.stats-enabled.column." + c, "false"));
                case "dict-256k" -> props.put("write.parquet.dict-size-bytes", "262144");
                case "zstd-1" -> props.put("write.parquet.compression-level", "1");
                default -> throw new IllegalArgumentException(variant);
            }
        }
        return props;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /** One data file: every row added, the file closed and its Iceberg metrics read. */
    @Benchmark
    public long writeFile() throws IOException {
        return write(rows, props, flinkType, dir.resolve("hits-" + (file++) + ".parquet"));
    }

    static long write(RowData[] rows, Map<String, String> props, RowType flinkType, Path path)
            throws IOException {
        File out = path.toFile();
        FileAppender<RowData> appender =
                Parquet.write(org.apache.iceberg.Files.localOutput(out))
                        .schema(HitflowTables.HITS_SCHEMA)
                        .createWriterFunc(type -> FlinkParquetWriters.buildWriter(flinkType, type))
                        .setAll(props)
                        .metricsConfig(MetricsConfig.fromProperties(props))
                        .overwrite()
                        .build();
        for (RowData row : rows) {
            appender.add(row);
        }
        appender.close();
        Metrics metrics = appender.metrics();
        if (metrics.recordCount() != rows.length) {
            throw new IllegalStateException(metrics.recordCount() + " rows written");
        }
        long bytes = out.length();
        Files.delete(path);
        return bytes;
    }

    /**
     * The variants alternated in one JVM, file after file, for {@code rounds} rounds after 3 of
     * warm-up: on a machine whose speed drifts between seconds (this one: +-25% between JMH
     * iterations), alternation puts every variant under the same drift. Prints, per variant, the
     * median thread CPU time and wall time per row, and their ratios to the first variant.
     */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        List<String> variants =
                args.length > 1
                        ? List.of(args[1].split(","))
                        : List.of("default", "no-random-stats", "dict-256k", "zstd-1");
        RowData[] rows = HitsRows.make(ROWS);
        RowType flinkType = FlinkSchemaUtil.convert(HitflowTables.HITS_SCHEMA);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Path dir = Files.createTempDirectory("hits-writer-alternated");
        Map<String, long[]> cpu = new LinkedHashMap<>();
        Map<String, long[]> wall = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        Map<String, Map<String, String>> props = new LinkedHashMap<>();
        for (String v : variants) {
            props.put(v, properties(v));
            cpu.put(v, new long[rounds]);
            wall.put(v, new long[rounds]);
        }
        for (int round = -3; round < rounds; round++) {
            for (String v : variants) {
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                long result = write(rows, props.get(v), flinkType, dir.resolve(v + ".parquet"));
                long w = System.nanoTime() - w0;
                long c = threads.getCurrentThreadCpuTime() - c0;
                if (round >= 0) {
                    cpu.get(v)[round] = c;
                    wall.get(v)[round] = w;
                    bytes.put(v, result);
                }
            }
        }
        Files.delete(dir);
        double baseCpu = median(cpu.get(variants.get(0)));
        double baseWall = median(wall.get(variants.get(0)));
        System.out.printf(
                "%d rows per file, %d rounds alternated (3 of warm-up before)%n", ROWS, rounds);
        System.out.printf(
                "%-30s %12s %10s %12s %10s %12s%n",
                "variant", "cpu us/row", "vs first", "wall us/row", "vs first", "file bytes");
        for (String v : variants) {
            double c = median(cpu.get(v));
            double w = median(wall.get(v));
            System.out.printf(
                    "%-30s %12.3f %10.3f %12.3f %10.3f %,12d%n",
                    v,
                    c / 1000.0 / ROWS,
                    c / baseCpu,
                    w / 1000.0 / ROWS,
                    w / baseWall,
                    bytes.get(v));
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** The pipeline's hits rows, built once per trial. */
    static final class HitsRows {
        private HitsRows() {}

        static RowData[] make(int count) throws IOException {
            TenantRegistry tenants = LocalJob.sampleTenantRegistry();
            List<String> sites = new ArrayList<>();
            tenants.tenants().forEach(t -> sites.addAll(t.sites()));
            StringWriter lines = new StringWriter();
            // more lines than rows: invalid ones, opt-outs (no visitor) are skipped
            new TrafficGenerator(
                            42,
                            sites,
                            LocalJob.GENERATED_START.toEpochMilli(),
                            TrafficGenerator.Spread.REALISTIC)
                    .write(count * 2L, lines);
            Path keys = Files.createTempFile("bench-keys", ".yaml");
            Files.delete(keys);
            LocalKeys.ensure(keys, tenants);
            Path city =
                    MaxMindTestDatabases.fullSizeCity()
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "the full-size GeoLite2 City is not found"));
            JsonHitDecoder decoder = new JsonHitDecoder();
            Map<String, List<EnrichedHit>> bySession = new LinkedHashMap<>();
            int kept = 0;
            try (GeoLocator geo = GeoLocator.open(city)) {
                HitEnricher gate =
                        new HitEnricher(KeyRing.load(keys), geo, new UserAgentClassifier());
                for (String line : lines.toString().lines().toList()) {
                    if (kept == count) {
                        break;
                    }
                    Optional<EnrichedHit> hit = enrich(decoder, gate, tenants, line);
                    if (hit.isEmpty() || hit.get().getVisitorId() == null) {
                        continue;
                    }
                    EnrichedHit h = hit.get();
                    String session = h.getVisitorId() + "/" + h.getReceivedAt() / 1_800_000L;
                    bySession.computeIfAbsent(session, s -> new ArrayList<>()).add(h);
                    kept++;
                }
            } finally {
                Files.deleteIfExists(keys);
            }
            List<RowData> out = new ArrayList<>(count);
            for (List<EnrichedHit> session : bySession.values()) {
                session.sort(Comparator.comparingLong(EnrichedHit::getReceivedAt));
                String id = SessionBuilder.sessionId(session.get(0));
                for (EnrichedHit h : session) {
                    h.setSessionId(id);
                    out.add(DetailRows.hit(h));
                }
            }
            if (out.size() != count) {
                throw new IllegalStateException("made " + out.size() + " rows, not " + count);
            }
            return out.toArray(RowData[]::new);
        }

        private static Optional<EnrichedHit> enrich(
                JsonHitDecoder decoder, HitEnricher gate, TenantRegistry tenants, String line) {
            RawHit raw;
            try {
                raw = decoder.decode(line);
            } catch (JsonHitDecoder.DecodeException e) {
                return Optional.empty();
            }
            Optional<TenantConfig> tenant = tenants.tenantForSite(raw.getSiteId());
            if (tenant.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(gate.enrich(raw, tenant.get()));
            } catch (RuntimeException e) {
                return Optional.empty(); // what ingest's validation would have rejected
            }
        }
    }
}
