package dev.hitflow.jobs.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hitflow.jobs.generate.TrafficGenerator;
import dev.hitflow.jobs.ingest.JsonHitDecoder;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.StreamTopics;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.tables.HitflowTables;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The production rehearsal (deploy/rehearsal/run): the shaded job jar on a Flink 2.1.1 cluster of
 * separate JobManager and TaskManager processes configured from the FlinkDeployment, a KRaft Kafka
 * broker process, a TaskManager killed with {@code kill -9} mid-stream, a savepoint upgrade, exact
 * checks against an uninterrupted {@code hitflow local} run of the same input, and the maintenance
 * CronJob's container command. Prints a timeline; exits 1 when a check fails.
 */
public final class ProductionRehearsal {
    static final String MANIFEST = "deploy/k8s/base/flinkdeployment.yaml";
    static final String CRONJOB = "deploy/k8s/base/maintain-cronjob.yaml";
    static final String DEFAULTS = "deploy/rehearsal/flink-config-defaults.yaml";

    /**
     * The manifest's PT1M, shortened so that the rehearsal sees several checkpoints and a kill
     * between two of them within minutes.
     */
    static final String CHECKPOINT_INTERVAL = "PT10S";

    static final int PART_A = 10_000;
    static final int PART_B = 15_000;
    static final int PART_C = 10_000;
    static final int PART_B_PER_SECOND = 750;
    static final int HIT_PARTITIONS = 2;
    static final String GROUP = "hitflow";

    /** Its retention is made one month, so the generated March 2026 data is past it. */
    static final String SHORT_RETENTION_TENANT = "globex";

    static final String TM_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String JM_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path root;
    private final Path flinkLib;
    private final Path work;
    private final Path jobJar;
    private final RehearsalProcesses processes;
    private final long startNanos = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private Path flinkHome;
    private Path logs;
    private ClusterConfig config;
    private FlinkRest rest;
    private Process jobManager;
    private String bootstrap;
    private final Map<String, String> topics = new LinkedHashMap<>();

    ProductionRehearsal(Path root, Path flinkLib, Path work, Path jobJar) {
        this.root = root;
        this.flinkLib = flinkLib;
        this.work = work;
        this.jobJar = jobJar;
        this.processes = new RehearsalProcesses(work.resolve("pids"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        Path root = Path.of(options.get("--root")).toAbsolutePath();
        Path work = Path.of(options.get("--work")).toAbsolutePath();
        Files.createDirectories(work);
        ProductionRehearsal rehearsal =
                new ProductionRehearsal(
                        root,
                        Path.of(options.get("--flink-lib")).toAbsolutePath(),
                        work,
                        Path.of(options.get("--job-jar")).toAbsolutePath());
        int code;
        try {
            code = rehearsal.run();
        } catch (Throwable e) {
            System.out.println("rehearsal: FAILED: " + e);
            e.printStackTrace(System.out);
            rehearsal.printTimeline();
            code = 1;
        } finally {
            rehearsal.processes.close();
        }
        System.out.println("rehearsal: every process it started is stopped");
        System.exit(code);
    }

    private void t(String event) {
        String line = String.format("%7.1fs  %s", (System.nanoTime() - startNanos) / 1e9, event);
        timeline.add(line);
        System.out.println("rehearsal: " + line);
    }

    private void check(boolean ok, String what) {
        System.out.println("rehearsal: check " + (ok ? "PASSED" : "FAILED") + ": " + what);
        if (!ok) {
            failures.add(what);
        }
    }

    private void printTimeline() {
        System.out.println();
        System.out.println("rehearsal: timeline");
        timeline.forEach(l -> System.out.println("  " + l));
    }

    int run() throws Exception {
        t("started (work folder " + work + ")");
        logs = Files.createDirectories(work.resolve("logs"));
        JsonNode deployment = YAML.readTree(root.resolve(MANIFEST).toFile()).path("spec");

        // Tenants, keys and catalog where the manifests mount them, under the work folder.
        Files.createDirectories(work.resolve("etc/hitflow/keys"));
        Path etc = work.resolve("etc");
        Path tenants = writeTenants(work.resolve("etc/hitflow"));
        Path warehouse = Files.createDirectories(work.resolve("warehouse"));
        writeCatalogProperties(work.resolve("etc/hitflow/catalog.properties"), warehouse);

        // The input: generated hits (some invalid) and one late "clock" hit per partition.
        List<String> lines = generate(PART_A + PART_B + PART_C, tenants);
        List<String> closers = closers();
        Path input = work.resolve("input.jsonl");
        Files.write(input, Stream.concat(lines.stream(), closers.stream()).toList());
        Path referenceWarehouse = work.resolve("reference");
        Process reference =
                processes.start(
                        List.of(
                                root.resolve("hitflow").toString(),
                                "local",
                                "--input",
                                input.toString(),
                                "--tenants",
                                tenants.toString(),
                                "--warehouse",
                                referenceWarehouse.toString()),
                        root,
                        logs.resolve("reference-local.log"),
                        Map.of());
        t("reference run started: hitflow local --input " + input.getFileName());
        // Before the cluster: on two shared cores, a broker and a JobManager starting beside it
        // took minutes (the RPC system's start timed out).
        if (!reference.waitFor(8, TimeUnit.MINUTES) || reference.exitValue() != 0) {
            throw new IllegalStateException(
                    "the reference run failed; see " + logs.resolve("reference-local.log"));
        }
        HitflowCatalog referenceCatalog = HitflowCatalog.local(referenceWarehouse);
        long referenceSessions = rows(referenceCatalog, HitflowTables.SESSIONS);
        t("reference run done: " + referenceSessions + " sessions");

        startKafka();
        List<String> jobArgs = mapJobArgs(deployment.at("/job/args"), etc);
        createTopics();
        t("kafka broker up at " + bootstrap + ", topics " + topics.values());

        startCluster(deployment);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String line : lines) {
            records.add(record(records.size(), line));
        }
        send(records.subList(0, PART_A));
        t("produced part A: " + PART_A + " records");

        String jarId = rest.uploadJar(jobJar);
        String entryClass = deployment.at("/job/entryClass").asText();
        String job1 = submit(jarId, entryClass, jobArgs, null);
        t(
                "submitted "
                        + entryClass
                        + " (manifest parallelism "
                        + deployment.at("/job/parallelism").asText()
                        + " -> "
                        + ClusterConfig.PARALLELISM
                        + ") as job "
                        + job1);
        awaitRunning(job1, Duration.ofMinutes(3));
        t("job running; JobManager alive: " + jobManager.isAlive());
        check(jobManager.isAlive(), "the JobManager is alive after the submission");
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        awaitTrue(
                () -> completedCheckpoints(job1) >= 1 && rows(catalog, HitflowTables.HITS) > 0,
                Duration.ofMinutes(3),
                "a first checkpoint and Iceberg commit");
        t(
                "first commit: checkpoint "
                        + latestCompleted(job1)
                        + ", "
                        + rows(catalog, HitflowTables.HITS)
                        + " hits in analytics.hits");

        // Part B streams in while the TaskManager dies between two checkpoints.
        AtomicInteger producedB = new AtomicInteger();
        Thread producerB =
                new Thread(
                        () -> {
                            try {
                                sendPaced(records.subList(PART_A, PART_A + PART_B), producedB);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "part-b");
        producerB.start();
        long before = completedCheckpoints(job1);
        awaitTrue(
                () -> completedCheckpoints(job1) > before,
                Duration.ofMinutes(2),
                "a checkpoint while part B streams in");
        Thread.sleep(4_000);
        Map<TopicPartition, Long> committedAtKill = committed();
        Map<TopicPartition, Long> endAtKill = endOffsets(topics.get("hits"));
        long replay =
                endAtKill.entrySet().stream()
                        .mapToLong(e -> e.getValue() - committedAtKill.getOrDefault(e.getKey(), 0L))
                        .sum();
        Process taskManager1 = taskManagers.get(0);
        RehearsalProcesses.kill9(taskManager1);
        t(
                "kill -9 TaskManager (pid "
                        + taskManager1.pid()
                        + ") 4 s after checkpoint "
                        + latestCompleted(job1)
                        + " completed; part B produced "
                        + producedB.get()
                        + "/"
                        + PART_B
                        + "; "
                        + replay
                        + " records in the topic after the checkpointed offsets");
        check(
                replay > 0 && producedB.get() < PART_B,
                "records were in flight at the kill (after the checkpointed offsets)");
        startTaskManager(2);
        t("second TaskManager started");
        awaitTrue(() -> restored(job1) >= 1, Duration.ofMinutes(4), "a restore of job 1");
        awaitRunning(job1, Duration.ofMinutes(4));
        t(
                "restored: job "
                        + job1
                        + " running again from checkpoint "
                        + checkpoints(job1).at("/latest/restored/id").asText()
                        + " (restores: "
                        + restored(job1)
                        + ")");
        producerB.join();
        awaitCommittedToEnd(Duration.ofMinutes(4));
        t("part B consumed and committed");

        String savepointDir = config.effective.get("execution.checkpointing.savepoint-dir");
        String savepoint = stopWithSavepoint(job1, savepointDir);
        t("stopped with savepoint " + savepoint);
        send(records.subList(PART_A + PART_B, records.size()));
        List<ProducerRecord<byte[], byte[]>> clockHits = new ArrayList<>();
        for (int p = 0; p < HIT_PARTITIONS; p++) {
            clockHits.add(
                    new ProducerRecord<>(
                            topics.get("hits"),
                            p,
                            null,
                            StreamTopics.encode(new JsonHitDecoder().decode(closers.get(p)))));
        }
        send(clockHits);
        t("produced part C (" + PART_C + ") and a clock hit on each partition");
        String job2 = submit(jarId, entryClass, jobArgs, savepoint);
        awaitRunning(job2, Duration.ofMinutes(3));
        t("resumed from the savepoint as job " + job2 + " (restores: " + restored(job2) + ")");
        awaitCommittedToEnd(Duration.ofMinutes(4));
        t("part C consumed and committed");

        try {
            awaitTrue(
                    () -> rows(catalog, HitflowTables.SESSIONS) >= referenceSessions,
                    Duration.ofMinutes(3),
                    referenceSessions + " sessions committed");
        } catch (IllegalStateException e) {
            // The checks below say what differs.
            System.out.println("rehearsal: " + e.getMessage());
        }
        t("sessions closed and committed");

        checkHits(catalog, referenceCatalog);
        checkSessions(catalog, referenceCatalog);
        checkDeadLetters(records, referenceCatalog);
        check(jobManager.isAlive(), "the JobManager ran through all of it");
        int falseAlarms = countInLogs("Unable to commit transaction");
        System.out.println(
                "rehearsal: TaskManager logs hold "
                        + falseAlarms
                        + " line(s) 'Unable to commit transaction' (the dead-letter sink's"
                        + " committer after the restore; see docs/RUNBOOK.md)");
        describeFencedTransactions();
        t("checks done");

        rest.patch("/jobs/" + job2 + "?mode=cancel");
        awaitTrue(() -> "CANCELED".equals(state(job2)), Duration.ofMinutes(2), "job 2 canceled");
        runMaintain(warehouse, etc);
        t("maintain done");
        printTimeline();
        System.out.println(
                "rehearsal: restores seen: job 1 "
                        + restored(job1)
                        + " (TaskManager loss), job 2 "
                        + restored(job2)
                        + " (savepoint); false 'data loss' ERROR lines: "
                        + falseAlarms);
        if (failures.isEmpty()) {
            System.out.println("rehearsal: PASSED");
            return 0;
        }
        System.out.println("rehearsal: FAILED: " + failures);
        return 1;
    }

    // ---- input ----

    private Path writeTenants(Path dir) throws IOException {
        String sample = Files.readString(root.resolve("config/tenants.sample.yaml"));
        String shortened =
                sample.replace(
                        "retention: {detail_months: 13, aggregate_months: 25}",
                        "retention: {detail_months: 1, aggregate_months: 1}");
        if (shortened.equals(sample)) {
            throw new IllegalStateException(
                    "config/tenants.sample.yaml changed: set the short retention of "
                            + SHORT_RETENTION_TENANT
                            + " another way");
        }
        Path keys = dir.resolve("keys/keys.yaml");
        StringBuilder keyring = new StringBuilder();
        for (String tenant : List.of("acme", "globex", "initech")) {
            byte[] key = ("rehearsal-" + tenant + "-key-0123456789abcdef").getBytes();
            byte[] suppression = ("rehearsal-" + tenant + "-suppression-0123456789").getBytes();
            keyring.append(tenant)
                    .append(":\n  v1: ")
                    .append(Base64.getEncoder().encodeToString(key))
                    .append("\n  ")
                    .append(KeyRing.SUPPRESSION)
                    .append(": ")
                    .append(Base64.getEncoder().encodeToString(suppression))
                    .append('\n');
        }
        Files.writeString(keys, keyring.toString());
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, "keys_file: " + keys + "\n" + shortened);
        return tenants;
    }

    private static void writeCatalogProperties(Path file, Path warehouse) throws IOException {
        Properties props = new Properties();
        props.putAll(HitflowCatalog.local(warehouse).properties());
        try (var out = Files.newBufferedWriter(file)) {
            props.store(out, "Iceberg JDBC catalog on SQLite in the rehearsal's warehouse");
        }
    }

    private static List<String> generate(int count, Path tenants) throws IOException {
        List<String> sites =
                dev.hitflow.schemas.config.TenantConfigLoader.load(tenants).tenants().stream()
                        .flatMap(t -> t.sites().stream())
                        .toList();
        StringWriter out = new StringWriter();
        new TrafficGenerator(42, sites, LocalJob.GENERATED_START.toEpochMilli()).write(count, out);
        return out.toString().lines().toList();
    }

    /**
     * Hits without consent (so without a session) days after the rest: they close every session.
     */
    private static List<String> closers() {
        long at = Instant.parse("2026-04-03T00:00:00Z").toEpochMilli();
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < HIT_PARTITIONS; p++) {
            lines.add(
                    JSON.createObjectNode()
                            .put("hit_id", "rehearsal-clock-" + p)
                            .put("received_at", at + p)
                            .put("site_id", "acme-shop")
                            .put("hit_type", "PAGE_VIEW")
                            .put("ip", "81.2.69.142")
                            .put("consent", "NO_CONSENT")
                            .put("page", "/")
                            .toString());
        }
        return lines;
    }

    /**
     * A line as the stream job's input carries it: the hit in Avro single-object encoding, or the
     * line's own bytes when it is not a hit at all (a dead letter either way). Partitions take
     * turns, so both stay busy and neither holds the watermark back for long.
     */
    private ProducerRecord<byte[], byte[]> record(int index, String line) throws Exception {
        byte[] value;
        try {
            value = StreamTopics.encode(new JsonHitDecoder().decode(line));
        } catch (JsonHitDecoder.DecodeException e) {
            value = line.getBytes(StandardCharsets.UTF_8);
        }
        return new ProducerRecord<>(topics.get("hits"), index % HIT_PARTITIONS, null, value);
    }

    // ---- Kafka ----

    private void startKafka() throws Exception {
        int port = freePort();
        int controller = freePort();
        bootstrap = "127.0.0.1:" + port;
        Path dir = Files.createDirectories(work.resolve("kafka"));
        Path properties = dir.resolve("server.properties");
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controller,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controller,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=4",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=4",
                        "group.initial.rebalance.delay.ms=0",
                        ""));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(
                log4j,
                String.join(
                        "\n",
                        "rootLogger.level=INFO",
                        "rootLogger.appenderRef.file.ref=file",
                        "appender.file.type=File",
                        "appender.file.name=file",
                        "appender.file.fileName=" + logs.resolve("kafka.log"),
                        "appender.file.layout.type=PatternLayout",
                        "appender.file.layout.pattern=%d %-5p %c - %m%n",
                        ""));
        List<String> java =
                List.of(
                        javaBin(),
                        "-Xmx512m",
                        "-Dlog4j2.configurationFile=" + log4j,
                        "-cp",
                        System.getProperty("java.class.path"));
        List<String> format = new ArrayList<>(java);
        format.addAll(
                List.of(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        properties.toString()));
        Process formatting =
                processes.start(format, dir, logs.resolve("kafka-format.log"), Map.of());
        if (!formatting.waitFor(2, TimeUnit.MINUTES) || formatting.exitValue() != 0) {
            throw new IllegalStateException("kafka storage format failed: see kafka-format.log");
        }
        List<String> server = new ArrayList<>(java);
        server.addAll(List.of("kafka.Kafka", properties.toString()));
        Process broker = processes.start(server, dir, logs.resolve("kafka-process.log"), Map.of());
        awaitTrue(
                () -> {
                    if (!broker.isAlive()) {
                        throw new IllegalStateException("the broker exited: see kafka-process.log");
                    }
                    try (Admin admin = admin()) {
                        return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                    } catch (Exception e) {
                        return false;
                    }
                },
                Duration.ofMinutes(5),
                "the broker");
    }

    private void createTopics() throws Exception {
        try (Admin admin = admin()) {
            List<NewTopic> create = new ArrayList<>();
            Map<TopicPartition, OffsetSpec> leaders = new HashMap<>();
            for (Map.Entry<String, String> e : topics.entrySet()) {
                int partitions = e.getKey().equals("hits") ? HIT_PARTITIONS : 1;
                NewTopic topic = new NewTopic(e.getValue(), partitions, (short) 1);
                if (e.getKey().equals("config")) {
                    topic.configs(Map.of("cleanup.policy", "compact"));
                }
                create.add(topic);
                for (int p = 0; p < partitions; p++) {
                    leaders.put(new TopicPartition(e.getValue(), p), OffsetSpec.latest());
                }
            }
            admin.createTopics(create).all().get();
            admin.listOffsets(leaders).all().get();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "acks",
                        "all",
                        "key.serializer",
                        ByteArraySerializer.class.getName(),
                        "value.serializer",
                        ByteArraySerializer.class.getName()));
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (var ack : acks) {
                ack.get();
            }
        }
    }

    private void sendPaced(List<ProducerRecord<byte[], byte[]>> records, AtomicInteger produced)
            throws Exception {
        int perTick = PART_B_PER_SECOND / 10;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            long next = System.nanoTime();
            for (int i = 0; i < records.size(); i += perTick) {
                List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
                for (ProducerRecord<byte[], byte[]> r :
                        records.subList(i, Math.min(records.size(), i + perTick))) {
                    acks.add(producer.send(r));
                }
                producer.flush();
                for (var ack : acks) {
                    ack.get();
                }
                produced.addAndGet(acks.size());
                next += 100_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000L);
                }
            }
        }
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < HIT_PARTITIONS; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new TreeMap<>(Comparator.PARTITIONS);
            admin.listOffsets(request).all().get().forEach((k, v) -> out.put(k, v.offset()));
            return out;
        }
    }

    private Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, Long> out = new TreeMap<>(Comparator.PARTITIONS);
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            offsets.forEach(
                    (k, v) -> {
                        if (v != null && k.topic().equals(topics.get("hits"))) {
                            out.put(k, v.offset());
                        }
                    });
            return out;
        }
    }

    private void awaitCommittedToEnd(Duration timeout) throws Exception {
        Map<TopicPartition, Long> end = endOffsets(topics.get("hits"));
        awaitTrue(
                () -> {
                    try {
                        Map<TopicPartition, Long> committed = committed();
                        return end.entrySet().stream()
                                .allMatch(
                                        e ->
                                                committed.getOrDefault(e.getKey(), 0L)
                                                        >= e.getValue());
                    } catch (Exception e) {
                        return false;
                    }
                },
                timeout,
                "the job's consumer group committing " + end);
    }

    /** Orders topic partitions by topic, then partition. */
    private static final class Comparator {
        static final java.util.Comparator<TopicPartition> PARTITIONS =
                java.util.Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition);
    }

    // ---- Flink ----

    private List<String> mapJobArgs(JsonNode manifestArgs, Path etc) {
        List<String> args = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        String previous = "";
        for (JsonNode node : manifestArgs) {
            String arg = node.asText();
            String mapped = arg;
            if (arg.startsWith("/etc/hitflow/")) {
                mapped =
                        etc.resolve("hitflow")
                                .resolve(arg.substring("/etc/hitflow/".length()))
                                .toString();
            } else if (previous.equals("--bootstrap-servers")) {
                mapped = bootstrap;
            } else if (previous.equals("--checkpoint-interval")) {
                mapped = CHECKPOINT_INTERVAL;
            }
            switch (previous) {
                case "--hits-topic" -> topics.put("hits", arg);
                case "--dlq-topic" -> topics.put("dlq", arg);
                case "--config-topic" -> topics.put("config", arg);
                case "--rights-topic" -> topics.put("rights", arg);
                default -> {}
            }
            if (!mapped.equals(arg)) {
                changes.add(previous + " " + arg + " -> " + mapped);
            }
            args.add(mapped);
            previous = arg;
        }
        topics.putIfAbsent("hits", "hits.raw");
        topics.putIfAbsent("dlq", "hits.dlq");
        topics.putIfAbsent("config", "tenants.config");
        topics.putIfAbsent("rights", "rights.requests");
        System.out.println("rehearsal: job args mapped from " + MANIFEST + ":");
        changes.forEach(c -> System.out.println("  " + c));
        return args;
    }

    private final List<Process> taskManagers = new ArrayList<>();

    private void startCluster(JsonNode deployment) throws Exception {
        flinkHome = Files.createDirectories(work.resolve("flink"));
        Files.createDirectories(flinkHome.resolve("plugins"));
        int rpcPort = freePort();
        int restPort = freePort();
        config =
                ClusterConfig.of(
                        ClusterConfig.readFlat(root.resolve(DEFAULTS)),
                        deployment,
                        work.resolve("object-storage"),
                        rpcPort,
                        restPort,
                        "10s");
        System.out.println(
                "rehearsal: Flink configuration = Flink's defaults + flinkConfiguration of "
                        + MANIFEST
                        + ", then mapped for one machine:");
        config.mappings.forEach(m -> System.out.println("  " + m));
        System.out.println(
                "rehearsal: env.java.opts.all in effect: "
                        + config.effective.get(ClusterConfig.JAVA_OPTS_ALL));
        Path conf = flinkHome.resolve("conf");
        config.write(conf);
        Files.writeString(
                conf.resolve("log4j-console.properties"),
                String.join(
                        "\n",
                        "rootLogger.level=INFO",
                        "rootLogger.appenderRef.console.ref=ConsoleAppender",
                        "appender.console.name=ConsoleAppender",
                        "appender.console.type=CONSOLE",
                        "appender.console.layout.type=PatternLayout",
                        "appender.console.layout.pattern=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        ""));
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level=INFO",
                        "rootLogger.appenderRef.file.ref=MainAppender",
                        "appender.main.name=MainAppender",
                        "appender.main.type=File",
                        "appender.main.append=true",
                        "appender.main.fileName=${sys:log.file}",
                        "appender.main.layout.type=PatternLayout",
                        "appender.main.layout.pattern=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        "logger.kafka.name=org.apache.kafka",
                        "logger.kafka.level=WARN",
                        ""));
        rest = new FlinkRest(restPort);
        jobManager = startFlinkProcess("jobmanager", "GET_JM_RESOURCE_PARAMS", JM_CLASS, 0);
        startTaskManager(1);
        awaitTrue(
                () -> {
                    if (!jobManager.isAlive()) {
                        throw new IllegalStateException(
                                "the JobManager exited: see " + logs.resolve("jobmanager.log"));
                    }
                    try {
                        return rest.get("/overview").path("slots-total").asInt()
                                == ClusterConfig.PARALLELISM;
                    } catch (Exception e) {
                        return false;
                    }
                },
                Duration.ofMinutes(3),
                "the JobManager and a TaskManager of two slots");
        t(
                "flink cluster up: JobManager (pid "
                        + jobManager.pid()
                        + "), TaskManager, REST :"
                        + restPort);
    }

    private void startTaskManager(int n) throws Exception {
        taskManagers.add(startFlinkProcess("taskmanager", "GET_TM_RESOURCE_PARAMS", TM_CLASS, n));
    }

    /**
     * What bin/jobmanager.sh and bin/taskmanager.sh do: BashJavaUtils derives the JVM memory
     * options and dynamic properties from the configuration, then the process starts with them, the
     * configured Java options and the log settings, on lib/*.
     */
    private Process startFlinkProcess(String role, String resourceCommand, String mainClass, int n)
            throws Exception {
        String classpath = flinkLib + "/*";
        Path conf = flinkHome.resolve("conf");
        Path utilsLog = logs.resolve("bash-java-utils-" + role + n + ".log");
        Process utils =
                processes.start(
                        List.of(
                                javaBin(),
                                "-cp",
                                classpath,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                resourceCommand,
                                "--configDir",
                                conf.toString()),
                        flinkHome,
                        utilsLog,
                        Map.of());
        if (!utils.waitFor(2, TimeUnit.MINUTES) || utils.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils failed: see " + utilsLog);
        }
        List<String> results =
                Files.readAllLines(utilsLog).stream()
                        .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim())
                        .toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils gave no resource options: " + utilsLog);
        }
        String name = n == 0 ? role : role + "-" + n;
        List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(split(results.get(results.size() - 2)));
        command.addAll(config.javaOptions(role));
        command.add("-Dlog.file=" + logs.resolve(name + ".log"));
        command.add("-Dlog4j.configuration=file:" + conf.resolve("log4j.properties"));
        command.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toString());
        if (n == 0) {
            command.add("--executionMode");
            command.add("cluster");
        }
        command.addAll(split(results.get(results.size() - 1)));
        Files.writeString(logs.resolve(name + ".command"), String.join(" ", command) + "\n");
        return processes.start(
                command,
                flinkHome,
                logs.resolve(name + ".out"),
                Map.of(
                        "FLINK_CONF_DIR", conf.toString(),
                        "FLINK_PLUGINS_DIR", flinkHome.resolve("plugins").toString(),
                        "FLINK_LIB_DIR", flinkLib.toString(),
                        "FLINK_HOME", flinkHome.toString()));
    }

    private static List<String> split(String options) {
        return Stream.of(options.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private String submit(String jarId, String entryClass, List<String> args, String savepoint)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entryClass", entryClass);
        body.put("programArgsList", args);
        body.put("parallelism", ClusterConfig.PARALLELISM);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        try {
            return rest.post("/jars/" + jarId + "/run", body).path("jobid").asText();
        } catch (FlinkRest.RestException e) {
            throw new IllegalStateException(
                    "the submission failed (JobManager alive: "
                            + jobManager.isAlive()
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private String state(String jobId) {
        try {
            return rest.get("/jobs/" + jobId).path("state").asText();
        } catch (Exception e) {
            return "UNKNOWN";
        }
    }

    private void awaitRunning(String jobId, Duration timeout) throws Exception {
        awaitTrue(
                () -> {
                    try {
                        JsonNode job = rest.get("/jobs/" + jobId);
                        String state = job.path("state").asText();
                        if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                            throw new IllegalStateException("job " + jobId + " is " + state);
                        }
                        boolean all = "RUNNING".equals(state);
                        for (JsonNode v : job.path("vertices")) {
                            all &= "RUNNING".equals(v.path("status").asText());
                        }
                        return all;
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                },
                timeout,
                "job " + jobId + " with every task running");
    }

    private JsonNode checkpoints(String jobId) {
        try {
            return rest.get("/jobs/" + jobId + "/checkpoints");
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private long completedCheckpoints(String jobId) {
        return checkpoints(jobId).at("/counts/completed").asLong();
    }

    private long restored(String jobId) {
        return checkpoints(jobId).at("/counts/restored").asLong();
    }

    private String latestCompleted(String jobId) {
        return checkpoints(jobId).at("/latest/completed/id").asText();
    }

    private String stopWithSavepoint(String jobId, String directory) throws Exception {
        String request =
                rest.post(
                                "/jobs/" + jobId + "/stop",
                                Map.of("targetDirectory", directory, "drain", false))
                        .path("request-id")
                        .asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = rest.get("/jobs/" + jobId + "/savepoints/" + request);
            if ("COMPLETED".equals(status.at("/status/id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException(
                            "stop with savepoint failed: " + operation.path("failure-cause"));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("stop with savepoint did not complete in 3 minutes");
    }

    // ---- checks ----

    private static long rows(HitflowCatalog catalog, TableIdentifier table) {
        try {
            return catalog.withCatalog(
                    c -> {
                        if (!c.tableExists(table)) {
                            return 0L;
                        }
                        Snapshot s = c.loadTable(table).currentSnapshot();
                        return s == null
                                ? 0L
                                : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
                    });
        } catch (RuntimeException e) {
            return 0L;
        }
    }

    private void checkHits(HitflowCatalog catalog, HitflowCatalog reference) {
        Map<String, Long> counts =
                IcebergReader.rows(catalog, HitflowTables.HITS).stream()
                        .collect(
                                Collectors.groupingBy(
                                        r -> (String) r.getField("hit_id"), Collectors.counting()));
        Set<String> expected =
                IcebergReader.rows(reference, HitflowTables.HITS).stream()
                        .map(r -> (String) r.getField("hit_id"))
                        .collect(Collectors.toSet());
        long doubled = counts.values().stream().filter(c -> c > 1).count();
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(counts.keySet());
        Set<String> extra = new TreeSet<>(counts.keySet());
        extra.removeAll(expected);
        System.out.println(
                "rehearsal: analytics.hits: "
                        + counts.values().stream().mapToLong(Long::longValue).sum()
                        + " rows, "
                        + counts.size()
                        + " hit IDs; reference "
                        + expected.size()
                        + "; doubled "
                        + doubled
                        + ", missing "
                        + missing.size()
                        + first(missing)
                        + ", extra "
                        + extra.size()
                        + first(extra));
        check(
                doubled == 0 && missing.isEmpty() && extra.isEmpty(),
                "every valid hit exactly once in analytics.hits (" + expected.size() + ")");
    }

    private void checkSessions(HitflowCatalog catalog, HitflowCatalog reference) {
        Set<String> stream = sessions(catalog);
        Set<String> expected = sessions(reference);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(stream);
        Set<String> extra = new TreeSet<>(stream);
        extra.removeAll(expected);
        System.out.println(
                "rehearsal: analytics.sessions: "
                        + stream.size()
                        + ", reference "
                        + expected.size()
                        + "; only in the reference "
                        + missing.size()
                        + first(missing)
                        + ", only in the rehearsal "
                        + extra.size()
                        + first(extra));
        check(
                missing.isEmpty()
                        && extra.isEmpty()
                        && rows(catalog, HitflowTables.SESSIONS) == expected.size(),
                "sessions equal to the uninterrupted reference run (" + expected.size() + ")");
    }

    private static Set<String> sessions(HitflowCatalog catalog) {
        return IcebergReader.rows(catalog, HitflowTables.SESSIONS).stream()
                .map(
                        r ->
                                java.util.Arrays.asList(
                                                r.getField("session_id"),
                                                r.getField("hits"),
                                                r.getField("duration_ms"),
                                                r.getField("entry_page"),
                                                r.getField("exit_page"),
                                                r.getField("path"))
                                        .toString())
                .collect(Collectors.toSet());
    }

    private static String first(Set<String> values) {
        return values.isEmpty() ? "" : " (first: " + values.iterator().next() + ")";
    }

    private void checkDeadLetters(
            List<ProducerRecord<byte[], byte[]>> records, HitflowCatalog reference)
            throws Exception {
        Set<String> valid =
                IcebergReader.rows(reference, HitflowTables.HITS).stream()
                        .map(r -> (String) r.getField("hit_id"))
                        .collect(Collectors.toSet());
        Map<String, Integer> expected = new HashMap<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            String hitId = null;
            try {
                hitId = RawHit.getDecoder().decode(r.value()).getHitId();
            } catch (Exception notAHit) {
                // stays null: a dead letter
            }
            if (hitId == null || !valid.contains(hitId)) {
                byte[] v = r.value();
                expected.merge(
                        fingerprint(
                                v.length,
                                java.util.Arrays.copyOf(v, Math.min(v.length, 16 * 1024))),
                        1,
                        Integer::sum);
            }
        }
        int expectedCount = expected.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (JsonNode letter : readCommitted(topics.get("dlq"), expectedCount)) {
            byte[] original =
                    letter.has("original")
                            ? letter.get("original").asText().getBytes(StandardCharsets.UTF_8)
                            : Base64.getDecoder().decode(letter.path("original_base64").asText());
            seen.merge(
                    fingerprint(letter.path("original_size").asInt(), original), 1, Integer::sum);
            reasons.merge(letter.path("reason").asText(), 1, Integer::sum);
        }
        int seenCount = seen.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println(
                "rehearsal: "
                        + topics.get("dlq")
                        + " (read_committed): "
                        + seenCount
                        + " dead letters "
                        + reasons
                        + ", expected "
                        + expectedCount);
        check(
                seen.equals(expected),
                "every dead letter exactly once in "
                        + topics.get("dlq")
                        + " ("
                        + expectedCount
                        + ")");
    }

    private static String fingerprint(int size, byte[] bytes) throws Exception {
        return size
                + ":"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private List<JsonNode> readCommitted(String topic, int expected) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "rehearsal-check-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<JsonNode> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(JSON.readTree(r.value()));
                }
            }
            // A little longer, so that a duplicate would show.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(3))) {
                values.add(JSON.readTree(r.value()));
            }
        }
        return values;
    }

    private int countInLogs(String text) throws IOException {
        int count = 0;
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f :
                    files.filter(p -> p.getFileName().toString().startsWith("taskmanager"))
                            .toList()) {
                try (Stream<String> lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                    count += (int) lines.filter(l -> l.contains(text)).count();
                }
            }
        }
        return count;
    }

    /**
     * What the broker says of each transaction a "producer is already fenced" line names: {@code
     * CompleteCommit} means it was committed before the TaskManager died (a false alarm).
     */
    private void describeFencedTransactions() throws Exception {
        java.util.regex.Pattern named =
                java.util.regex.Pattern.compile(
                        "Unable to commit transaction.*epoch=(\\d+), transactionalId='([^']+)'");
        Map<String, String> epochs = new TreeMap<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f :
                    files.filter(p -> p.getFileName().toString().startsWith("taskmanager"))
                            .toList()) {
                try (Stream<String> lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                    lines.map(named::matcher)
                            .filter(java.util.regex.Matcher::find)
                            .forEach(m -> epochs.put(m.group(2), m.group(1)));
                }
            }
        }
        if (epochs.isEmpty()) {
            return;
        }
        try (Admin admin = admin()) {
            admin.describeTransactions(epochs.keySet())
                    .all()
                    .get()
                    .forEach(
                            (id, d) ->
                                    System.out.println(
                                            "rehearsal:   "
                                                    + id
                                                    + ": epoch in the log line "
                                                    + epochs.get(id)
                                                    + ", the broker has "
                                                    + d.state()
                                                    + " at epoch "
                                                    + d.producerEpoch()));
        }
    }

    // ---- maintain ----

    private void runMaintain(Path warehouse, Path etc) throws Exception {
        JsonNode container =
                YAML.readTree(root.resolve(CRONJOB).toFile())
                        .at("/spec/jobTemplate/spec/template/spec/containers/0");
        List<String> command = new ArrayList<>();
        for (JsonNode part : container.path("command")) {
            command.add(mapContainerPath(part.asText(), etc));
        }
        for (JsonNode part : container.path("args")) {
            command.add(mapContainerPath(part.asText(), etc));
        }
        if (command.isEmpty() || !command.get(0).equals("java")) {
            throw new IllegalStateException(CRONJOB + ": the container command is not java");
        }
        command.set(0, javaBin());
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.has("value")) {
                env.put(e.path("name").asText(), mapContainerPath(e.path("value").asText(), etc));
            } else {
                System.out.println(
                        "rehearsal: maintain: env "
                                + e.path("name").asText()
                                + " comes from the cluster; not set here");
            }
        }
        System.out.println("rehearsal: maintain as " + CRONJOB + " runs it:");
        System.out.println(
                "  " + String.join(" ", command) + (env.isEmpty() ? "" : "  env " + env));
        for (JsonNode mount : container.path("volumeMounts")) {
            Files.createDirectories(
                    Path.of(mapContainerPath(mount.path("mountPath").asText() + "/", etc)));
        }
        Map<String, long[]> before = tenantFiles(warehouse);
        // Data files no snapshot refers to: written by the killed TaskManager after its last
        // completed checkpoint, never committed. The CronJob's --orphan-min-age (PT6H) keeps
        // them from this run (they could belong to a commit in flight); a later run removes them.
        Set<String> uncommitted = uncommittedFiles(warehouse);
        Process maintain = processes.start(command, work, logs.resolve("maintain.log"), env);
        boolean done = maintain.waitFor(6, TimeUnit.MINUTES);
        int exit = done ? maintain.exitValue() : -1;
        Map<String, long[]> after = tenantFiles(warehouse);
        for (String tenant : new TreeSet<>(before.keySet())) {
            long[] b = before.get(tenant);
            long[] a = after.getOrDefault(tenant, new long[2]);
            System.out.println(
                    "rehearsal: data files of tenant "
                            + tenant
                            + ": before "
                            + b[0]
                            + " ("
                            + b[1]
                            + " bytes), after "
                            + a[0]
                            + " ("
                            + a[1]
                            + " bytes)");
        }
        check(
                exit == 0,
                "maintain exits 0 (exit " + exit + ", see " + logs.resolve("maintain.log") + ")");
        List<String> left = new ArrayList<>();
        try (Stream<Path> files = Files.walk(warehouse)) {
            files.filter(f -> f.toString().endsWith(".parquet"))
                    .filter(f -> f.toString().contains("tenant_id=" + SHORT_RETENTION_TENANT + "/"))
                    .map(f -> f.toAbsolutePath().normalize().toString())
                    .forEach(left::add);
        }
        List<String> committedLeft = left.stream().filter(f -> !uncommitted.contains(f)).toList();
        System.out.println(
                "rehearsal: "
                        + SHORT_RETENTION_TENANT
                        + " files left: "
                        + committedLeft.size()
                        + " committed, "
                        + (left.size() - committedLeft.size())
                        + " never committed (orphans younger than --orphan-min-age)");
        check(
                before.getOrDefault(SHORT_RETENTION_TENANT, new long[2])[0] > 0
                        && committedLeft.isEmpty(),
                "the expired bytes of " + SHORT_RETENTION_TENANT + " (retention 1 month) are gone");
        check(
                after.getOrDefault("acme", new long[2])[0] > 0,
                "the data of acme (retention 25 months) stays");
    }

    /** The image's and the pod's paths, in the work folder and the assembled distribution. */
    private String mapContainerPath(String value, Path etc) {
        return value.replace("/opt/flink/usrlib/hitflow.jar", jobJar.toString())
                .replace("/opt/flink/lib/", flinkLib + "/")
                .replace("/opt/flink/conf/", flinkHome.resolve("conf") + "/")
                .replace("/etc/hitflow/", etc.resolve("hitflow") + "/")
                .replace("/var/lib/hitflow/", work.resolve("var/lib/hitflow") + "/");
    }

    /** Parquet files under the warehouse that no snapshot of any table refers to. */
    private static Set<String> uncommittedFiles(Path warehouse) throws IOException {
        Set<String> referenced = new java.util.HashSet<>();
        HitflowCatalog.local(warehouse)
                .withCatalog(
                        catalog -> {
                            for (var def : HitflowTables.all()) {
                                if (!catalog.tableExists(def.id())) {
                                    continue;
                                }
                                var table = catalog.loadTable(def.id());
                                for (var snapshot : table.snapshots()) {
                                    try (var tasks =
                                            table.newScan()
                                                    .useSnapshot(snapshot.snapshotId())
                                                    .planFiles()) {
                                        for (var task : tasks) {
                                            String location = task.file().location();
                                            referenced.add(
                                                    Path.of(
                                                                    location.startsWith("file:")
                                                                            ? java.net
                                                                                    .URI
                                                                                    .create(
                                                                                            location)
                                                                                    .getPath()
                                                                            : location)
                                                            .toAbsolutePath()
                                                            .normalize()
                                                            .toString());
                                        }
                                    } catch (IOException e) {
                                        throw new java.io.UncheckedIOException(e);
                                    }
                                }
                            }
                            return null;
                        });
        Set<String> out = new java.util.HashSet<>();
        try (Stream<Path> files = Files.walk(warehouse)) {
            files.filter(f -> f.toString().endsWith(".parquet"))
                    .map(f -> f.toAbsolutePath().normalize().toString())
                    .filter(f -> !referenced.contains(f))
                    .forEach(out::add);
        }
        return out;
    }

    /** Data files (Parquet) per tenant under the warehouse: count and bytes. */
    private static Map<String, long[]> tenantFiles(Path warehouse) throws IOException {
        Map<String, long[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(warehouse)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (Path part : f) {
                    String s = part.toString();
                    if (s.startsWith("tenant_id=")) {
                        long[] c =
                                out.computeIfAbsent(
                                        s.substring("tenant_id=".length()), k -> new long[2]);
                        c[0]++;
                        c[1] += Files.size(f);
                    }
                }
            }
        }
        return out;
    }

    // ---- helpers ----

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + timeout + " in vain for " + what);
            }
            Thread.sleep(500);
        }
    }
}
