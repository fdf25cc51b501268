package dev.hitflow.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hitflow.jobs.generate.TrafficGenerator;
import dev.hitflow.jobs.ingest.HitValidator;
import dev.hitflow.jobs.ingest.IngestedHits;
import dev.hitflow.jobs.ingest.JsonHitDecoder;
import dev.hitflow.jobs.ingest.KafkaHitSource;
import dev.hitflow.jobs.ingest.SingleObjectIngestFunction;
import dev.hitflow.jobs.pipeline.BenchRun;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.DetailRows;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.IcebergSinks;
import dev.hitflow.jobs.sink.StreamSinks;
import dev.hitflow.jobs.testing.KafkaTestBroker;
import dev.hitflow.jobs.testing.StreamTopics;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the stream job, Kafka to Iceberg (issue 7), beside a pass-through job with the same
 * source and sinks, measured in the same run: a KRaft broker in this JVM, N generated hits produced
 * once (not timed), then each variant on the same topic contents, one after another, each with a
 * fresh consumer group and a fresh warehouse:
 *
 * <ul>
 *   <li>{@value #PASS_THROUGH}: Kafka source -> decode + validate (dead letters to Kafka) -> hits
 *       rows without enrichment -> Iceberg {@code hits}: the floor.
 *   <li>{@value #HITFLOW}: the production job ({@link StreamJob#build}), bounded at the offsets
 *       that are latest at its start.
 * </ul>
 *
 * Each run is checked: the hits table must hold every valid hit exactly once (count and a checksum
 * of the hit IDs) and the dead-letter topic every invalid record once; otherwise the bench fails.
 * Not a test (surefire never runs it): {@code bench/stream-bench --hits 1000000}.
 */
@Command(
        name = "stream-bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs, on one set of generated hits produced to a Kafka broker in this JVM: (a)"
                    + " stream-pass-through: Kafka -> validate -> Iceberg hits (the floor); (b)"
                    + " stream-hitflow: the production stream job, bounded. Prints hits/s, the"
                    + " ratio, peak heap and the largest checkpoint; fails when a table or the"
                    + " dead-letter topic does not hold exactly what was produced."
        })
public final class StreamThroughputBench implements Callable<Integer> {
    static final String PASS_THROUGH = "stream-pass-through";
    static final String HITFLOW = "stream-hitflow";

    static final String HITS_TOPIC = "hits.raw";
    static final String CONFIG_TOPIC = "tenants.config";
    static final String RIGHTS_TOPIC = "rights.requests";

    @Option(
            names = "--hits",
            paramLabel = "N",
            defaultValue = "1000000",
            description = "Hits to generate and produce (default: ${DEFAULT-VALUE}).")
    long hits;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--tenants",
            paramLabel = "FILE",
            description = "Tenant configuration (default: the built-in sample).")
    Path tenants;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = "${sys:java.io.tmpdir}/hitflow-stream-bench",
            description =
                    "Generated input, keys and one fresh warehouse per variant (default:"
                            + " ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(
            names = "--geoip",
            paramLabel = "FILE",
            description =
                    "MaxMind City database (default: ../shared/data/geolite2-2019/GeoLite2-City.mmdb"
                            + " when present, else MaxMind's City test database).")
    Path geoip;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism of both jobs (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--partitions",
            defaultValue = "2",
            description = "Partitions of " + HITS_TOPIC + " (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "PT10S",
            description = "Checkpoint and Iceberg commit interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--out-of-orderness",
            paramLabel = "DURATION",
            defaultValue = "PT30S",
            description = "Watermark disorder bound (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "PT1M",
            description = "Partition idleness (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--compression",
            defaultValue = "lz4",
            description =
                    "compression.type of the producer that fills the topic: none, lz4, zstd,"
                            + " snappy, gzip (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(
            names = "--variants",
            split = ",",
            defaultValue = PASS_THROUGH + "," + HITFLOW,
            description =
                    "Which variants to run, in this order (default: ${DEFAULT-VALUE}); a variant"
                            + " named again runs again (as <variant>-2, ...), e.g. to see the JIT"
                            + " warm-up; the ratio takes the last run of each.")
    List<String> variants;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "Kafka client property for the jobs' sources and sinks (repeatable), as"
                            + " `hitflow stream --kafka-property`, e.g. max.poll.records=2000.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** What went onto the hits topic. */
    record Produced(long records, long valid, long undecodable, long idChecksum, Duration elapsed) {
        long invalid() {
            return records - valid;
        }
    }

    /**
     * Where a run's time went, from the accepted-hits samples: the first hit ingested, the last one
     * (seconds after submit), and the ingest rate from 10% to 90% of the hits, the steady state
     * without start-up (mini cluster, operators' open(), e.g. YAUAA's analyzer) and end (the last
     * sessions and aggregates, the final checkpoint, its commits); NaN when not measured.
     */
    record Progress(double firstHit, double lastHit, double steadyHitsPerSecond) {}

    /** One run's figures. */
    record Measured(BenchRun.Figures figures, Progress progress) {}

    /** A run that did not write exactly what it read. */
    static final class VerificationFailure extends Exception {
        private static final long serialVersionUID = 1L;

        VerificationFailure(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamThroughputBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        for (String variant : variants) {
            if (!variant.equals(PASS_THROUGH) && !variant.equals(HITFLOW)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown variant '"
                                + variant
                                + "' ("
                                + PASS_THROUGH
                                + ", "
                                + HITFLOW
                                + ")");
            }
        }
        if (geoip == null) {
            // as hitflow bench: the full-size GeoLite2 City beside the checkout, when present
            geoip = MaxMindTestDatabases.fullSizeCity().orElse(null);
        }
        LocalJob prepared =
                LocalJob.prepare(
                        new LocalJob.Options(
                                null,
                                hits,
                                seed,
                                tenants,
                                workDir,
                                parallelism,
                                checkpointInterval,
                                outOfOrderness,
                                geoip));
        out("geoip: %s", prepared.geoDescription());
        out(
                "stream-bench: %,d generated hits (seed %d), %s with %d partitions (%s),"
                        + " parallelism %d, checkpoints every %s, max heap %,d MiB (%s), %d cores",
                hits,
                seed,
                HITS_TOPIC,
                partitions,
                compression,
                parallelism,
                checkpointInterval,
                Runtime.getRuntime().maxMemory() >> 20,
                BenchRun.collectors(),
                Runtime.getRuntime().availableProcessors());

        long phase = System.nanoTime();
        // the input of `hitflow bench`: a realistic spread of addresses and user agents
        Path input =
                LocalJob.generatedInput(
                        prepared.warehouse().resolve("_input"),
                        hits,
                        seed,
                        prepared.tenants(),
                        TrafficGenerator.Spread.REALISTIC);
        out("  input      %s (%.1f s)", input, seconds(System.nanoTime() - phase));

        List<Measured> measured = new ArrayList<>();
        phase = System.nanoTime();
        try (KafkaTestBroker kafka = startBroker()) {
            out(
                    "  broker     %s (%.1f s)",
                    kafka.bootstrapServers(), seconds(System.nanoTime() - phase));
            Map<String, Integer> topics = new LinkedHashMap<>();
            topics.put(HITS_TOPIC, partitions);
            topics.put(CONFIG_TOPIC, 1);
            topics.put(RIGHTS_TOPIC, 1);
            for (String run : runs()) {
                topics.put(dlqTopic(run), 1);
            }
            kafka.createTopics(topics);

            Produced produced = produce(kafka, input, prepared.tenants());
            out(
                    "  produced   %,d records (%,d valid hits, %,d invalid of which %,d not"
                            + " decodable, sent as their raw bytes) in %.1f s (%,.0f records/s,"
                            + " not timed)",
                    produced.records(),
                    produced.valid(),
                    produced.invalid(),
                    produced.undecodable(),
                    seconds(produced.elapsed().toNanos()),
                    produced.records() / Math.max(seconds(produced.elapsed().toNanos()), 1e-9));

            for (String run : runs()) {
                Measured m = run(run, kafka, prepared, produced);
                measured.add(m);
                BenchRun.Figures f = m.figures();
                out(
                        "  %-20s %8.1f s %,12.0f hits/s  peak heap %,6d MiB  max checkpoint %,8d"
                                + " KiB  cpu %,6.1f s (%,.1f us/hit, the broker's included)"
                                + "  of it JIT %,5.1f s (without: %,.1f us/hit)",
                        f.variant(),
                        f.elapsed().toMillis() / 1000.0,
                        f.recordsPerSecond(),
                        f.peakHeapBytes() >> 20,
                        f.maxCheckpointBytes() >> 10,
                        f.cpu().toMillis() / 1000.0,
                        f.cpuMicrosPerRecord(),
                        f.jit().toMillis() / 1000.0,
                        f.cpuMicrosPerRecordWithoutJit());
            }
        } catch (VerificationFailure e) {
            spec.commandLine().getErr().println("stream-bench: FAILED: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        Measured floor = find(measured, PASS_THROUGH);
        Measured full = find(measured, HITFLOW);
        if (floor != null && full != null) {
            out(
                    "  %s / %s = %.2f (submit to finish), %.2f (10%%-90%% of the hits)",
                    HITFLOW,
                    PASS_THROUGH,
                    full.figures().recordsPerSecond() / floor.figures().recordsPerSecond(),
                    full.progress().steadyHitsPerSecond() / floor.progress().steadyHitsPerSecond());
        }
        out("stream-bench: %.1f s end to end", seconds(System.nanoTime() - started));
        return 0;
    }

    /** The broker, without the storage tool's lines on standard output. */
    static KafkaTestBroker startBroker() throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return KafkaTestBroker.start();
        } finally {
            System.setOut(stdout);
        }
    }

    /**
     * Decodes each generated line like the file job would, and produces it in the Kafka encoding
     * (Avro single-object); a line that does not decode goes as its raw bytes, so that it becomes a
     * dead letter in the job. Counts the hits the jobs must write, with a checksum of their IDs.
     */
    Produced produce(KafkaTestBroker kafka, Path input, TenantRegistry registry) throws Exception {
        long started = System.nanoTime();
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        JsonHitDecoder decoder = new JsonHitDecoder();
        HitValidator validator = new HitValidator(registry, true);
        long now = System.currentTimeMillis();
        long records = 0;
        long valid = 0;
        long undecodable = 0;
        long checksum = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onAck =
                (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                };
        try (BufferedReader lines = Files.newBufferedReader(input, StandardCharsets.UTF_8);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                byte[] value;
                try {
                    RawHit hit = decoder.decode(line);
                    value = StreamTopics.encode(hit);
                    if (value.length <= SingleObjectIngestFunction.MAX_RECORD_BYTES
                            && validator.validate(hit, now) instanceof HitValidator.Valid) {
                        valid++;
                        checksum += idHash(hit.getHitId());
                    }
                } catch (JsonHitDecoder.DecodeException e) {
                    value = line.getBytes(StandardCharsets.UTF_8);
                    undecodable++;
                }
                producer.send(
                        new ProducerRecord<>(HITS_TOPIC, (int) (records % partitions), null, value),
                        onAck);
                records++;
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "producing to " + HITS_TOPIC + " failed", failure.get());
        }
        long onTopic = endOffsets(kafka, HITS_TOPIC).values().stream().mapToLong(l -> l).sum();
        if (onTopic != records) {
            throw new IllegalStateException(
                    HITS_TOPIC + " holds " + onTopic + " records, " + records + " were sent");
        }
        return new Produced(
                records,
                valid,
                undecodable,
                checksum,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** The runs in order: the variants, a repeated one as {@code <variant>-2}, .... */
    List<String> runs() {
        List<String> runs = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String variant : variants) {
            int n = seen.merge(variant, 1, Integer::sum);
            runs.add(n == 1 ? variant : variant + "-" + n);
        }
        return runs;
    }

    /** The variant a run is of. */
    static String kind(String run) {
        return run.startsWith(PASS_THROUGH) ? PASS_THROUGH : HITFLOW;
    }

    /** One variant: build the job into a fresh warehouse, time it, check what it wrote. */
    Measured run(String variant, KafkaTestBroker kafka, LocalJob prepared, Produced produced)
            throws Exception {
        Path warehouse = prepared.warehouse().resolve(variant);
        BenchRun.deleteRecursively(warehouse);
        Files.createDirectories(warehouse);
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        String group = "bench-" + variant + "-" + Long.toHexString(System.currentTimeMillis());
        Properties jobKafka = new Properties();
        jobKafka.putAll(kafkaProperties);
        KafkaHitSource.Settings source =
                new KafkaHitSource.Settings(
                        kafka.bootstrapServers(), HITS_TOPIC, group, jobKafka, true);
        Path checkpoints = warehouse.resolve("_checkpoints");
        StreamExecutionEnvironment env = environment(checkpoints);
        TenantRegistry registry = prepared.tenants();
        if (kind(variant).equals(PASS_THROUGH)) {
            catalog.createTables();
            IngestedHits in =
                    KafkaHitSource.read(env, source, registry, outOfOrderness, idleTimeout, true);
            // The stream job's own sinks: dead letters to Kafka exactly once, hits through the
            // Iceberg writer every table of the job uses (aggregate() is that generic writer).
            StreamSinks sinks =
                    new StreamSinks(
                            new IcebergSinks(catalog, null, StreamJob.RUN_ID),
                            kafka.bootstrapServers(),
                            dlqTopic(variant),
                            "hitflow-dlq-" + group,
                            jobKafka);
            sinks.deadLetters(in.deadLetters());
            sinks.aggregate(
                    HitflowTables.HITS_TABLE,
                    in.hits()
                            .map(new BenchRun.PassThroughRow(registry))
                            .returns(DetailRows.HITS.typeInfo())
                            .name("pass-through-rows")
                            .uid("pass-through-rows"));
        } else {
            StreamJob job =
                    new StreamJob(
                            new StreamJob.Settings(
                                    registry,
                                    prepared.keysFile(),
                                    prepared.geoDatabase(),
                                    catalog,
                                    source,
                                    dlqTopic(variant),
                                    CONFIG_TOPIC,
                                    RIGHTS_TOPIC,
                                    checkpointInterval,
                                    outOfOrderness,
                                    idleTimeout));
            job.prepare();
            job.build(env);
        }
        Measured measured =
                measure(variant, produced.records(), produced.valid(), env, checkpoints);
        verify(variant, catalog, kafka, produced);
        return measured;
    }

    /**
     * The local mini cluster of {@code hitflow local} / {@code hitflow bench} (heap state,
     * exactly-once checkpoints into a folder), with object reuse on, as the production job runs
     * ({@link StreamJob#environment()}, the FlinkDeployment).
     */
    StreamExecutionEnvironment environment(Path checkpoints) {
        StreamExecutionEnvironment env =
                LocalJob.localEnvironment(checkpoints, parallelism, checkpointInterval, "hashmap");
        Configuration conf = new Configuration();
        IngestProgress.enable(conf);
        env.configure(conf);
        if (!env.getConfig().isObjectReuseEnabled()) {
            throw new IllegalStateException("object reuse did not take");
        }
        return env;
    }

    /**
     * Submit to finish, with the heap pools' peak, the checkpoint folder and the hits accepted so
     * far sampled meanwhile.
     */
    static Measured measure(
            String variant,
            long records,
            long validHits,
            StreamExecutionEnvironment env,
            Path checkpoints)
            throws Exception {
        IngestProgress.reset();
        List<long[]> progress = java.util.Collections.synchronizedList(new ArrayList<>());
        BenchRun.Sampler usage =
                BenchRun.Sampler.start(
                        checkpoints,
                        sinceStart ->
                                progress.add(new long[] {sinceStart, IngestProgress.accepted()}));
        JobExecutionResult result;
        try {
            JobClient client = env.executeAsync("stream-bench " + variant);
            result = client.getJobExecutionResult().get();
        } finally {
            usage.stop();
        }
        Progress steps = progress(progress, validHits, usage.elapsed());
        out(
                "  %-20s job %s finished: net runtime %.1f s; first hit ingested after %.1f s,"
                        + " the last after %.1f s; 10%%-90%% of the hits at %,.0f hits/s",
                variant,
                result.getJobID(),
                result.getNetRuntime() / 1000.0,
                steps.firstHit(),
                steps.lastHit(),
                steps.steadyHitsPerSecond());
        return new Measured(usage.figures(variant, records), steps);
    }

    /** The progress of a run from its samples of (nanoseconds since submit, hits accepted). */
    static Progress progress(List<long[]> samples, long validHits, Duration elapsed) {
        List<long[]> points;
        synchronized (samples) {
            points = new ArrayList<>(samples);
        }
        points.add(new long[] {elapsed.toNanos(), IngestProgress.accepted()});
        double at10 = crossing(points, validHits / 10);
        double at90 = crossing(points, validHits * 9 / 10);
        return new Progress(
                crossing(points, 1),
                crossing(points, validHits),
                at90 > at10 ? (validHits * 9 / 10 - validHits / 10) / (at90 - at10) : Double.NaN);
    }

    /** The time, in seconds, at which the count reached {@code count} (linear in between). */
    static double crossing(List<long[]> points, long count) {
        long[] before = null;
        for (long[] p : points) {
            if (p[1] >= count) {
                if (before == null || p[1] == before[1]) {
                    return seconds(p[0]);
                }
                double share = (double) (count - before[1]) / (p[1] - before[1]);
                return seconds(before[0] + (long) (share * (p[0] - before[0])));
            }
            before = p;
        }
        return Double.NaN;
    }

    /**
     * The hits table holds every valid hit once (committed row count, rows read back, checksum of
     * their IDs); the dead-letter topic holds every other record once (read committed).
     */
    void verify(String variant, HitflowCatalog catalog, KafkaTestBroker kafka, Produced produced)
            throws Exception {
        long started = System.nanoTime();
        Map<String, Long> committed = LocalJob.committedRows(catalog, StreamJob.RUN_ID);
        long hitsCommitted = committed.getOrDefault(HitflowTables.HITS.toString(), 0L);
        long[] read = hitIds(catalog);
        List<String> problems = new ArrayList<>();
        if (hitsCommitted != produced.valid()) {
            problems.add(
                    "snapshots of analytics.hits added "
                            + hitsCommitted
                            + " rows, expected "
                            + produced.valid());
        }
        if (read[0] != produced.valid() || read[1] != produced.idChecksum()) {
            problems.add(
                    "analytics.hits reads back "
                            + read[0]
                            + " rows"
                            + (read[1] != produced.idChecksum() ? " with other hit IDs" : "")
                            + ", expected "
                            + produced.valid()
                            + " valid hits once each");
        }
        List<JsonNode> letters =
                kafka.readJson(dlqTopic(variant), (int) produced.invalid(), Duration.ofSeconds(60));
        Map<String, Long> reasons =
                letters.stream()
                        .collect(
                                Collectors.groupingBy(
                                        l -> l.get("reason").asText(),
                                        TreeMap::new,
                                        Collectors.counting()));
        if (letters.size() != produced.invalid()) {
            problems.add(
                    dlqTopic(variant)
                            + " holds "
                            + letters.size()
                            + " dead letters, expected "
                            + produced.invalid());
        }
        if (kind(variant).equals(HITFLOW)
                && committed.getOrDefault(HitflowTables.SESSIONS.toString(), 0L) == 0) {
            problems.add("analytics.sessions is empty");
        }
        String tables =
                committed.entrySet().stream()
                        .filter(e -> e.getValue() > 0)
                        .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", "));
        out(
                "  %-20s rows: %s; dead letters %,d %s (checked in %.1f s)",
                variant, tables, letters.size(), reasons, seconds(System.nanoTime() - started));
        if (!problems.isEmpty()) {
            throw new VerificationFailure(variant + ": " + String.join("; ", problems));
        }
    }

    /** The hits table's current rows: how many, and the sum of their hit IDs' hashes. */
    static long[] hitIds(HitflowCatalog catalog) {
        return catalog.withCatalog(
                (Catalog opened) -> {
                    Table table = opened.loadTable(HitflowTables.HITS);
                    long count = 0;
                    long checksum = 0;
                    try (CloseableIterable<Record> rows =
                            IcebergGenerics.read(table).select("hit_id").build()) {
                        for (Record row : rows) {
                            count++;
                            checksum += idHash((String) row.getField("hit_id"));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return new long[] {count, checksum};
                });
    }

    /**
     * A 64-bit hash of a hit ID (FNV-1a, then MurmurHash3's finalizer); the sum over a set of IDs
     * is order-free, and a lost, doubled or foreign ID changes it.
     */
    static long idHash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    static Map<TopicPartition, Long> endOffsets(KafkaTestBroker kafka, String topic)
            throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            int count =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()
                            .size();
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (int p = 0; p < count; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new LinkedHashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }
    }

    /** Each variant writes its dead letters to its own topic, so that each can be counted. */
    static String dlqTopic(String variant) {
        return "hits.dlq." + variant;
    }

    /** The last run of a variant. */
    private static Measured find(List<Measured> measured, String variant) {
        return measured.stream()
                .filter(m -> kind(m.figures().variant()).equals(variant))
                .reduce((a, b) -> b)
                .orElse(null);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void out(String format, Object... args) {
        System.out.printf(Locale.ROOT, format + "%n", args);
        System.out.flush();
    }
}
