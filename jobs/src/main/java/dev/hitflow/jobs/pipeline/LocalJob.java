package dev.hitflow.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.jobs.generate.TrafficGenerator;
import dev.hitflow.jobs.ingest.FileHitSource;
import dev.hitflow.jobs.ingest.IngestedHits;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.IcebergSinks;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import dev.hitflow.udfs.geo.GeoDatabaseException;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on an embedded Flink mini cluster: a file (or generated traffic) in, the local
 * Iceberg warehouse out. {@link #prepare} checks everything that can be wrong before Flink starts;
 * {@link #run} runs to the end of the input and counts what this run committed.
 */
public final class LocalJob {
    private static final Logger LOG = LoggerFactory.getLogger(LocalJob.class);

    /** Generated traffic starts here: a fixed date keeps runs reproducible for a seed. */
    public static final Instant GENERATED_START = Instant.parse("2026-03-27T08:00:00Z");

    public static final String SAMPLE_TENANTS_RESOURCE = "/hitflow-sample-tenants.yaml";

    /** What the local runner was asked to do. */
    public record Options(
            Path input,
            long generate,
            long seed,
            Path tenantsFile,
            Path warehouse,
            int parallelism,
            Duration checkpointInterval,
            Duration outOfOrderness,
            Path geoDatabase) {}

    /** What a run made. */
    public record Result(
            String runId,
            Path input,
            Map<String, Long> rowsPerTable,
            Map<String, Long> deadLettersByReason,
            Duration elapsed,
            Path deadLetterDir) {
        public long deadLetters() {
            return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Options options;
    private final TenantRegistry tenants;
    private final Path warehouse;
    private final Path keysFile;
    private final boolean keysCreated;
    private final String tenantsOrigin;
    private final Path geoDatabase;
    private final String geoDescription;

    private LocalJob(
            Options options,
            TenantRegistry tenants,
            Path warehouse,
            Path keysFile,
            boolean keysCreated,
            String tenantsOrigin,
            Path geoDatabase,
            String geoDescription) {
        this.options = options;
        this.tenants = tenants;
        this.warehouse = warehouse;
        this.keysFile = keysFile;
        this.keysCreated = keysCreated;
        this.tenantsOrigin = tenantsOrigin;
        this.geoDatabase = geoDatabase;
        this.geoDescription = geoDescription;
    }

    /** Validates the options and files; every problem is a {@link ConfigException}. */
    public static LocalJob prepare(Options options) {
        if (options.input() == null && options.generate() <= 0) {
            throw new ConfigException("give --input FILE or --generate N (N > 0)");
        }
        if (options.input() != null && !Files.isRegularFile(options.input())) {
            throw new ConfigException("input file " + options.input() + " does not exist");
        }
        if (options.input() != null && !Files.isReadable(options.input())) {
            throw new ConfigException("input file " + options.input() + " is not readable");
        }
        if (options.parallelism() < 1) {
            throw new ConfigException("--parallelism must be at least 1");
        }
        TenantRegistry tenants;
        String origin;
        if (options.tenantsFile() != null) {
            tenants = TenantConfigLoader.load(options.tenantsFile());
            origin = options.tenantsFile().toString();
        } else {
            tenants = TenantConfigLoader.parse(sampleTenants(), "(built-in sample)", null, null);
            origin = "built-in sample (config/tenants.sample.yaml)";
        }
        Path warehouse =
                HitflowCatalog.requireWritableWarehouse(
                        options.warehouse().toAbsolutePath().normalize());
        Path keys = tenants.keysFile().orElse(null);
        boolean created = false;
        if (keys == null) {
            keys = LocalKeys.defaultLocation(warehouse);
            created = LocalKeys.ensure(keys, tenants);
        }
        KeyRing.load(keys).requireCurrentKeys(tenants);

        // GeoIP: the given City database, else MaxMind's public test database when it is found.
        Path geo = options.geoDatabase();
        if (geo == null) {
            geo = MaxMindTestDatabases.cityTestDatabase().orElse(null);
        }
        String geoDescription =
                "none found: country, region and city stay empty (give --geoip FILE)";
        if (geo != null) {
            try (GeoLocator locator = GeoLocator.open(geo)) {
                geoDescription = locator.description();
            } catch (GeoDatabaseException e) {
                throw new ConfigException(e.getMessage());
            }
        }
        return new LocalJob(
                options, tenants, warehouse, keys, created, origin, geo, geoDescription);
    }

    /** Which GeoIP database the run uses, for the start-up summary. */
    public String geoDescription() {
        return geoDescription;
    }

    public Path geoDatabase() {
        return geoDatabase;
    }

    public Path keysFile() {
        return keysFile;
    }

    public boolean keysCreated() {
        return keysCreated;
    }

    public String tenantsOrigin() {
        return tenantsOrigin;
    }

    public Path warehouse() {
        return warehouse;
    }

    public TenantRegistry tenants() {
        return tenants;
    }

    public Result run() throws Exception {
        long started = System.nanoTime();
        String runId =
                LocalDateTime.now(ZoneOffset.UTC)
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + "-"
                        + Long.toHexString(System.nanoTime() & 0xffffff);
        Path input = options.input() != null ? options.input() : generate();

        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        catalog.createTables();

        Path deadLetterDir = warehouse.resolve("dead-letters").resolve("run=" + runId);
        StreamExecutionEnvironment env = environment();
        IngestedHits ingested = FileHitSource.read(env, input, tenants);
        new HitflowPipeline(
                        new HitflowPipeline.Settings(
                                tenants,
                                keysFile,
                                options.outOfOrderness(),
                                geoDatabase,
                                true,
                                catalog))
                .buildForFile(
                        ingested,
                        new IcebergSinks(catalog, deadLetterDir.toUri().toString(), runId));
        LOG.info("run {}: pipeline on {} into {}", runId, input.getFileName(), warehouse);
        JobExecutionResult result = env.execute("hitflow-local " + runId);
        LOG.info(
                "run {}: job {} finished in {} ms",
                runId,
                result.getJobID(),
                result.getNetRuntime());

        Map<String, Long> rows = committedRows(catalog, runId);
        return new Result(
                runId,
                input,
                rows,
                deadLettersByReason(deadLetterDir),
                Duration.ofNanos(System.nanoTime() - started),
                deadLetterDir);
    }

    private StreamExecutionEnvironment environment() {
        return localEnvironment(
                warehouse.resolve("_checkpoints"),
                options.parallelism(),
                options.checkpointInterval());
    }

    /**
     * A mini-cluster environment: heap state, exactly-once checkpoints into a local folder, object
     * reuse (as in production, see StreamJob): no deep copy of every record between chained
     * operators; operators copy what they keep.
     */
    public static StreamExecutionEnvironment localEnvironment(
            Path checkpoints, int parallelism, Duration checkpointInterval) {
        return localEnvironment(checkpoints, parallelism, checkpointInterval, "hashmap");
    }

    /** The same with a chosen state backend: "hashmap" or "rocksdb". */
    public static StreamExecutionEnvironment localEnvironment(
            Path checkpoints, int parallelism, Duration checkpointInterval, String stateBackend) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    private Path generate() throws IOException {
        return generatedInput(
                warehouse.resolve("_input"), options.generate(), options.seed(), tenants);
    }

    /** Generates (or reuses: it is deterministic for seed and count) a JSON Lines input file. */
    public static Path generatedInput(Path dir, long count, long seed, TenantRegistry tenants)
            throws IOException {
        return generatedInput(dir, count, seed, tenants, TrafficGenerator.Spread.TEST_DATABASE);
    }

    /** The same with the given spread of addresses and user agents. */
    public static Path generatedInput(
            Path dir, long count, long seed, TenantRegistry tenants, TrafficGenerator.Spread spread)
            throws IOException {
        Files.createDirectories(dir);
        String name =
                "generated-v"
                        + TrafficGenerator.VERSION
                        + "-seed"
                        + seed
                        + "-n"
                        + count
                        + (spread == TrafficGenerator.Spread.REALISTIC ? "-realistic" : "")
                        + ".jsonl";
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            return file;
        }
        List<String> sites = new ArrayList<>();
        for (TenantConfig tenant : tenants.tenants()) {
            sites.addAll(tenant.sites());
        }
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            new TrafficGenerator(seed, sites, GENERATED_START.toEpochMilli(), spread)
                    .write(count, out);
        }
        Files.move(tmp, file);
        return file;
    }

    /** Rows each table gained from the snapshots this run committed. */
    public static Map<String, Long> committedRows(HitflowCatalog catalog, String runId) {
        return catalog.withCatalog(
                opened -> {
                    Map<String, Long> rows = new LinkedHashMap<>();
                    for (TableDef def : HitflowTables.all()) {
                        if (!opened.tableExists(def.id())) {
                            continue;
                        }
                        Table table = opened.loadTable(def.id());
                        long added = 0;
                        for (Snapshot snapshot : table.snapshots()) {
                            Map<String, String> summary = snapshot.summary();
                            if (runId.equals(summary.get(IcebergSinks.RUN_ID_PROPERTY))) {
                                added +=
                                        Long.parseLong(
                                                summary.getOrDefault(
                                                        SnapshotSummary.ADDED_RECORDS_PROP, "0"));
                            }
                        }
                        rows.put(def.id().toString(), added);
                    }
                    return rows;
                });
    }

    /** Counts the committed dead-letter files of a run by reason. */
    public static Map<String, Long> deadLettersByReason(Path dir) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return counts;
        }
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file :
                    files.filter(
                                    p ->
                                            Files.isRegularFile(p)
                                                    && p.getFileName()
                                                            .toString()
                                                            .startsWith("dead-letters"))
                            .toList()) {
                try (Stream<String> lines = Files.lines(file)) {
                    lines.forEach(
                            line -> {
                                try {
                                    counts.merge(
                                            json.readTree(line).get("reason").asText(),
                                            1L,
                                            Long::sum);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
                }
            }
        }
        return counts;
    }

    /** The built-in sample tenant configuration. */
    public static TenantRegistry sampleTenantRegistry() {
        return TenantConfigLoader.parse(sampleTenants(), "(built-in sample)", null, null);
    }

    private static String sampleTenants() {
        try (InputStream in = LocalJob.class.getResourceAsStream(SAMPLE_TENANTS_RESOURCE)) {
            if (in == null) {
                throw new ConfigException(
                        "the built-in sample tenant config is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
