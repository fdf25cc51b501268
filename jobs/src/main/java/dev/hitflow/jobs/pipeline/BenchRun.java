package dev.hitflow.jobs.pipeline;

import dev.hitflow.jobs.ingest.ControlTopics;
import dev.hitflow.jobs.ingest.FileHitSource;
import dev.hitflow.jobs.ingest.IngestedHits;
import dev.hitflow.jobs.session.SessionizeFunction;
import dev.hitflow.jobs.sink.DetailRows;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.IcebergSinks;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;

/**
 * The end-to-end benchmark: one input file, three jobs on the same mini cluster settings, each into
 * its own fresh warehouse. (a) pass-through: file -> decode/validate -> hits table, no enrichment
 * or sessions, the floor; (b) the full Hitflow pipeline; (c) what a user might write instead: Flink
 * SQL with the SESSION window table-valued function over the same file.
 */
public final class BenchRun {
    /**
     * One variant's figures. {@code cpu} is the CPU time the whole JVM used during the run (every
     * thread: tasks, JIT compilers, GC): the work a variant costs, which moves far less than its
     * wall-clock rate when the machine is shared. {@code jit} is the part of it the JIT compilers
     * spent compiling (the JVM's compilation time): on 2 cores the JIT is still compiling minutes
     * into a run of the full pipeline, a cost a long-running job stops paying.
     */
    public record Figures(
            String variant,
            long records,
            Duration elapsed,
            long peakHeapBytes,
            long maxCheckpointBytes,
            Duration cpu,
            Duration jit) {
        public double recordsPerSecond() {
            return records / Math.max(elapsed.toNanos() / 1e9, 1e-9);
        }

        /** CPU microseconds per record, over every thread of the JVM. */
        public double cpuMicrosPerRecord() {
            return cpu.toNanos() / 1e3 / Math.max(records, 1);
        }

        /** The same without the JIT's compiling: what a record costs once the code is compiled. */
        public double cpuMicrosPerRecordWithoutJit() {
            return Math.max(cpu.minus(jit).toNanos(), 0) / 1e3 / Math.max(records, 1);
        }
    }

    /** Time the JIT compilers have spent compiling in this JVM so far. */
    public static Duration compilationTime() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? Duration.ofMillis(jit.getTotalCompilationTime())
                : Duration.ZERO;
    }

    /**
     * The JVM's garbage collectors, as it names them ("PS Scavenge/PS MarkSweep" for the parallel
     * collector, "G1 Young Generation/G1 Old Generation" for G1): figures depend on it.
     */
    public static String collectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .filter(name -> !name.contains("Concurrent GC"))
                .collect(Collectors.joining("/"));
    }

    /** CPU time used so far by this JVM, every thread included. */
    public static Duration processCpuTime() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Duration.ofNanos(Math.max(os.getProcessCpuTime(), 0));
        }
        return Duration.ZERO;
    }

    private final Path input;
    private final long records;
    private final TenantRegistry tenants;
    private final Path keysFile;
    private final Path root;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final Path geoDatabase;

    public BenchRun(
            Path input,
            long records,
            TenantRegistry tenants,
            Path keysFile,
            Path root,
            int parallelism,
            Duration checkpointInterval,
            Path geoDatabase) {
        this.input = input;
        this.geoDatabase = geoDatabase;
        this.records = records;
        this.tenants = tenants;
        this.keysFile = keysFile;
        this.root = root;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
    }

    /**
     * File -> decode + validate into discarding sinks: what reading and decoding cost, the first
     * line of the per-stage budget (each variant after it adds one stage).
     */
    public Figures decodeOnly() throws Exception {
        return measure(
                "decode-only",
                (env, warehouse, catalog) -> {
                    IngestedHits in = FileHitSource.read(env, input, tenants);
                    in.hits().sinkTo(new DiscardingSink<>()).name("discard-hits");
                    in.deadLetters().sinkTo(new DiscardingSink<>()).name("discard-dead-letters");
                });
    }

    public Figures passThrough() throws Exception {
        return measure(
                "pass-through",
                (env, warehouse, catalog) -> {
                    IngestedHits in = FileHitSource.read(env, input, tenants);
                    // the pipeline's own sinks: what the floor saves, the pipeline saves too
                    IcebergSinks sinks =
                            new IcebergSinks(
                                    catalog,
                                    warehouse.resolve("dead-letters").toUri().toString(),
                                    "bench");
                    sinks.deadLetters(in.deadLetters());
                    sinks.write(
                            HitflowTables.HITS_TABLE,
                            in.hits()
                                    .map(new PassThroughRow(tenants))
                                    .returns(DetailRows.HITS.typeInfo())
                                    .name("pass-through-rows")
                                    .uid("pass-through-rows"));
                });
    }

    public Figures full() throws Exception {
        return measure(
                "hitflow",
                (env, warehouse, catalog) ->
                        new HitflowPipeline(
                                        new HitflowPipeline.Settings(
                                                tenants,
                                                keysFile,
                                                HitflowPipeline.DEFAULT_OUT_OF_ORDERNESS,
                                                geoDatabase,
                                                true,
                                                catalog))
                                .buildForFile(
                                        FileHitSource.read(env, input, tenants),
                                        new IcebergSinks(
                                                catalog,
                                                warehouse
                                                        .resolve("dead-letters")
                                                        .toUri()
                                                        .toString(),
                                                "bench")));
    }

    public Figures flinkSqlSessionWindows() throws Exception {
        return measure(
                "flink-sql-session-tvf",
                (env, warehouse, catalog) -> {
                    StreamTableEnvironment sql = StreamTableEnvironment.create(env);
                    sql.executeSql(
                            "CREATE TEMPORARY TABLE raw_hits ("
                                    + " hit_id STRING, received_at BIGINT, site_id STRING, hit_type STRING,"
                                    + " ip STRING, user_agent STRING, cookie_id STRING, mobile_id STRING,"
                                    + " page STRING, url STRING,"
                                    + " ts AS TO_TIMESTAMP_LTZ(received_at, 3),"
                                    + " visitor AS SHA2(COALESCE(cookie_id, mobile_id, CONCAT(ip,"
                                    + " user_agent)), 256),"
                                    + " WATERMARK FOR ts AS ts - INTERVAL '30' SECOND"
                                    + ") WITH ('connector' = 'filesystem', 'path' = '"
                                    + input.toUri()
                                    + "', 'format' = 'json', 'json.ignore-parse-errors' = 'true')");
                    StringBuilder props = new StringBuilder("'type' = 'iceberg'");
                    catalog.properties()
                            .forEach(
                                    (k, v) ->
                                            props.append(", '")
                                                    .append(k)
                                                    .append("' = '")
                                                    .append(v)
                                                    .append('\''));
                    sql.executeSql("CREATE CATALOG bench WITH (" + props + ")");
                    sql.executeSql("CREATE DATABASE IF NOT EXISTS bench.baseline");
                    sql.executeSql(
                            "CREATE TABLE IF NOT EXISTS bench.baseline.hits (site_id STRING,"
                                    + " hit_id STRING, ts TIMESTAMP_LTZ(3), visitor STRING, hit_type STRING,"
                                    + " page STRING)");
                    sql.executeSql(
                            "CREATE TABLE IF NOT EXISTS bench.baseline.sessions (site_id STRING,"
                                    + " visitor STRING, started_at TIMESTAMP_LTZ(3), ended_at"
                                    + " TIMESTAMP_LTZ(3), hits BIGINT, page_views BIGINT)");
                    sql.executeSql(
                            "CREATE TEMPORARY VIEW valid_hits AS SELECT site_id, hit_id, ts, hit_type,"
                                    + " COALESCE(page, url) AS page, visitor FROM raw_hits WHERE"
                                    + " hit_id IS NOT NULL AND site_id IS NOT NULL AND ip IS NOT NULL AND"
                                    + " received_at > 946684800000");
                    StreamStatementSet inserts = sql.createStatementSet();
                    inserts.addInsertSql(
                            "INSERT INTO bench.baseline.hits SELECT site_id, hit_id, ts, visitor,"
                                    + " hit_type, page FROM valid_hits");
                    inserts.addInsertSql(
                            "INSERT INTO bench.baseline.sessions SELECT site_id, visitor, window_start,"
                                    + " window_end, COUNT(*), SUM(CASE WHEN hit_type = 'PAGE_VIEW' THEN 1"
                                    + " ELSE 0 END) FROM TABLE(SESSION(TABLE valid_hits PARTITION BY ("
                                    + " site_id, visitor), DESCRIPTOR(ts), INTERVAL '30' MINUTES)) GROUP BY"
                                    + " site_id, visitor, window_start, window_end");
                    inserts.attachAsDataStream();
                });
    }

    /**
     * The sessionizer alone: decode, gate and sessionize into a discarding sink, with the given
     * state backend ("hashmap" or "rocksdb"); {@code sessionize == false} stops after the gate, the
     * baseline for the sessionizer's own cost.
     */
    public Figures sessionizer(String stateBackend, boolean sessionize) throws Exception {
        return measure(
                sessionize ? "sessionize-" + stateBackend : "gate-only",
                stateBackend,
                (env, warehouse, catalog) -> {
                    HitflowPipeline pipeline =
                            new HitflowPipeline(
                                    new HitflowPipeline.Settings(
                                            tenants,
                                            keysFile,
                                            HitflowPipeline.DEFAULT_OUT_OF_ORDERNESS,
                                            geoDatabase,
                                            true,
                                            catalog));
                    var enriched =
                            pipeline.gate(
                                            pipeline.withEventTime(
                                                    FileHitSource.read(env, input, tenants).hits()),
                                            ControlTopics.noTenantConfigChanges(env))
                                    .filter(h -> h.getVisitorId() != null);
                    if (sessionize) {
                        enriched.keyBy(SessionizeFunction::key)
                                .process(new SessionizeFunction())
                                .returns(new AvroTypeInfo<>(EnrichedHit.class))
                                .sinkTo(new DiscardingSink<>());
                    } else {
                        enriched.sinkTo(new DiscardingSink<>());
                    }
                });
    }

    @FunctionalInterface
    private interface JobBuilder {
        void build(StreamExecutionEnvironment env, Path warehouse, HitflowCatalog catalog)
                throws Exception;
    }

    private Figures measure(String variant, JobBuilder builder) throws Exception {
        return measure(variant, "hashmap", builder);
    }

    private Figures measure(String variant, String stateBackend, JobBuilder builder)
            throws Exception {
        Path warehouse = root.resolve(variant);
        deleteRecursively(warehouse);
        Files.createDirectories(warehouse);
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        catalog.createTables();

        Path checkpoints = warehouse.resolve("_checkpoints");
        StreamExecutionEnvironment env =
                LocalJob.localEnvironment(
                        checkpoints, parallelism, checkpointInterval, stateBackend);
        builder.build(env, warehouse, catalog);

        Sampler usage = Sampler.start(checkpoints, sinceStart -> {});
        env.execute("hitflow-bench " + variant);
        usage.stop();
        return usage.figures(variant, records);
    }

    /**
     * What a run uses, sampled while it runs: its time from start to stop, the heap pools' peak
     * (reset at the start, after a GC), the largest size of its checkpoint folder (every second),
     * and the JVM's CPU time. Shared with the stream benchmark, which also samples its ingest
     * progress at each tick.
     */
    public static final class Sampler {
        private final List<MemoryPoolMXBean> heap;
        private final AtomicLong maxCheckpoint = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private long started;
        private Duration cpuBefore;
        private Duration jitBefore;
        private Duration elapsed;
        private Duration cpu;
        private Duration jit;

        private Sampler(Path checkpoints, LongConsumer eachTick) {
            heap =
                    ManagementFactory.getMemoryPoolMXBeans().stream()
                            .filter(p -> p.getType() == MemoryType.HEAP)
                            .toList();
            thread =
                    new Thread(
                            () -> {
                                while (running.get()) {
                                    eachTick.accept(System.nanoTime() - started);
                                    maxCheckpoint.accumulateAndGet(size(checkpoints), Math::max);
                                    try {
                                        // Checkpoints come every few seconds. Walking the folder
                                        // five times a second made the walk hot enough for the
                                        // JIT to compile it during the timed run (1.6 s of C2).
                                        Thread.sleep(1000);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            },
                            "bench-sampler");
            thread.setDaemon(true);
        }

        /**
         * Starts the clock and the sampling; {@code eachTick} runs on the sampler's thread at every
         * sample, with the nanoseconds since the start.
         */
        public static Sampler start(Path checkpoints, LongConsumer eachTick) {
            Sampler sampler = new Sampler(checkpoints, eachTick);
            System.gc();
            sampler.heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            sampler.cpuBefore = processCpuTime();
            sampler.jitBefore = compilationTime();
            sampler.started = System.nanoTime();
            sampler.thread.start();
            return sampler;
        }

        /** Stops the clock and the sampling. */
        public void stop() throws InterruptedException {
            elapsed = Duration.ofNanos(System.nanoTime() - started);
            cpu = processCpuTime().minus(cpuBefore);
            jit = compilationTime().minus(jitBefore);
            running.set(false);
            thread.join();
        }

        /** From start to stop. */
        public Duration elapsed() {
            return elapsed;
        }

        /** The run's figures (after {@link #stop}). */
        public Figures figures(String variant, long records) {
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            return new Figures(variant, records, elapsed, peak, maxCheckpoint.get(), cpu, jit);
        }
    }

    /** Bytes of the files below {@code dir} (0 when it is gone or changing), for the figures. */
    public static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    return 0; // deleted while we looked
                                }
                            })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p); // a job's own cleanup may have been first
            }
        }
    }

    /**
     * The floor: a validated raw hit as a hits row with no enrichment (and no raw identifier).
     * Public for the stream benchmark's pass-through, which needs the same row.
     */
    public static final class PassThroughRow implements MapFunction<RawHit, RowData> {
        private static final long serialVersionUID = 1L;
        private final TenantRegistry tenants;

        /** {@code tenants} must know every site it sees (validate with known sites first). */
        public PassThroughRow(TenantRegistry tenants) {
            this.tenants = tenants;
        }

        @Override
        public RowData map(RawHit hit) {
            TenantConfig tenant = tenants.tenantForSite(hit.getSiteId()).orElseThrow();
            return DetailRows.HITS
                    .newRow()
                    .string("tenant_id", tenant.id())
                    .string("site_id", hit.getSiteId())
                    .string("hit_id", hit.getHitId())
                    .timestamp("received_at", hit.getReceivedAt())
                    .value(
                            "day",
                            (int)
                                    Instant.ofEpochMilli(hit.getReceivedAt())
                                            .atZone(tenant.timeZone())
                                            .toLocalDate()
                                            .toEpochDay())
                    .string("hit_type", hit.getHitType())
                    .string("consent", tenant.defaultConsent())
                    .value("late", false)
                    .value("is_bot", false)
                    .value("counted_as_visitor", false)
                    .string("page", hit.getPage())
                    .build();
        }
    }
}
