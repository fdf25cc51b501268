package dev.hitflow.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.jobs.ingest.KafkaHitSource;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream job against a real KRaft broker in this JVM: valid hits (Avro single-object) land in
 * Iceberg once each, every bad record lands in the dead-letter topic, read committed.
 */
class StreamJobITCase {
    static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic("hits.raw", 2, (short) 1),
                                    new NewTopic("hits.dlq", 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static byte[] encode(RawHit hit) throws Exception {
        ByteBuffer b = RawHit.getEncoder().encode(hit);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void validHitsLandOnceAndBadRecordsInTheDeadLetterTopic(@TempDir Path dir) throws Exception {
        Path tenantsFile = TestTenants.writeAcme(dir);
        long t0 = Instant.parse("2026-06-01T10:00:00Z").toEpochMilli();
        Set<String> valid = new HashSet<>();
        Properties producerProps = new Properties();
        producerProps.putAll(kafka.clientProperties());
        producerProps.put("key.serializer", ByteArraySerializer.class.getName());
        producerProps.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < 300; i++) {
                String id = "k" + i;
                RawHit hit =
                        RawHit.newBuilder()
                                .setHitId(id)
                                .setReceivedAt(t0 + i * 1_000L)
                                .setSiteId("acme-shop")
                                .setHitType(HitType.PAGE_VIEW)
                                .setIp("81.2.69.142")
                                .setCookieId("cookie-stream-" + (i % 20))
                                .setConsent(Consent.OPT_IN)
                                .setPage("/p" + (i % 7))
                                .build();
                valid.add(id);
                producer.send(
                        new ProducerRecord<>("hits.raw", ("v" + (i % 20)).getBytes(), encode(hit)));
            }
            producer.send(new ProducerRecord<>("hits.raw", "not avro at all".getBytes()));
            producer.send(
                    new ProducerRecord<>(
                            "hits.raw", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
            producer.send(
                    new ProducerRecord<>(
                            "hits.raw",
                            encode(
                                    RawHit.newBuilder()
                                            .setHitId("u1")
                                            .setReceivedAt(t0)
                                            .setSiteId("nobody")
                                            .setHitType(HitType.PAGE_VIEW)
                                            .setIp("81.2.69.142")
                                            .build())));
            producer.flush();
        }

        Path warehouse = dir.resolve("w");
        java.nio.file.Files.createDirectories(warehouse);
        StreamJob job =
                new StreamJob(
                        new StreamJob.Settings(
                                TenantConfigLoader.load(tenantsFile),
                                dir.resolve("keys.yaml"),
                                null,
                                HitflowCatalog.local(warehouse),
                                new KafkaHitSource.Settings(
                                        kafka.bootstrapServers(),
                                        "hits.raw",
                                        "it",
                                        new Properties(),
                                        true),
                                "hits.dlq",
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(30)));
        job.prepare();
        var env =
                LocalJob.localEnvironment(
                        warehouse.resolve("_checkpoints"), 2, Duration.ofSeconds(1));
        job.build(env);
        env.execute("stream-it");

        List<String> ids = new ArrayList<>();
        IcebergReader.rows(HitflowCatalog.local(warehouse), HitflowTables.HITS)
                .forEach(r -> ids.add((String) r.getField("hit_id")));
        assertThat(ids).hasSize(300);
        assertThat(new HashSet<>(ids)).isEqualTo(valid);

        Properties consumerProps = new Properties();
        consumerProps.putAll(kafka.clientProperties());
        consumerProps.put("group.id", "dlq-reader");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("isolation.level", "read_committed");
        consumerProps.put("key.deserializer", ByteArrayDeserializer.class.getName());
        consumerProps.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Map<String, Integer> reasons = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of("hits.dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reasons.values().stream().mapToInt(Integer::intValue).sum() < 3
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    reasons.merge(json.readTree(r.value()).get("reason").asText(), 1, Integer::sum);
                }
            }
        }
        assertThat(reasons)
                .isEqualTo(Map.of("MALFORMED_AVRO", 1, "UNKNOWN_SCHEMA", 1, "UNKNOWN_SITE", 1));
    }

    /** Throws once, after a checkpoint completed and half the hits went through. */
    static final class FailOnceAfterCheckpoint
            implements org.apache.flink.api.common.functions.MapFunction<RawHit, RawHit>,
                    org.apache.flink.api.common.state.CheckpointListener {
        static final java.util.concurrent.atomic.AtomicBoolean FAILED =
                new java.util.concurrent.atomic.AtomicBoolean();
        static final java.util.concurrent.atomic.AtomicBoolean CHECKPOINTED =
                new java.util.concurrent.atomic.AtomicBoolean();
        static final java.util.concurrent.atomic.AtomicInteger SEEN =
                new java.util.concurrent.atomic.AtomicInteger();
        private final int after;

        FailOnceAfterCheckpoint(int after) {
            this.after = after;
        }

        @Override
        public RawHit map(RawHit hit) {
            if (SEEN.incrementAndGet() >= after
                    && CHECKPOINTED.get()
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return hit;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    @Test
    void aFailureAfterACheckpointLosesAndDoublesNothing(@TempDir Path dir) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic("hits.raw.crash", 2, (short) 1),
                                    new NewTopic("hits.dlq.crash", 1, (short) 1)))
                    .all()
                    .get();
        }
        Path tenantsFile = TestTenants.writeAcme(dir);
        long t0 = Instant.parse("2026-06-02T10:00:00Z").toEpochMilli();
        int n = 20_000;
        Properties producerProps = new Properties();
        producerProps.putAll(kafka.clientProperties());
        producerProps.put("key.serializer", ByteArraySerializer.class.getName());
        producerProps.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < n; i++) {
                RawHit hit =
                        RawHit.newBuilder()
                                .setHitId("c" + i)
                                .setReceivedAt(t0 + i * 100L)
                                .setSiteId("acme-shop")
                                .setHitType(HitType.PAGE_VIEW)
                                .setIp("81.2.69.142")
                                .setCookieId("cookie-crash-" + (i % 200))
                                .setConsent(Consent.OPT_IN)
                                .setPage("/p" + (i % 5))
                                .build();
                producer.send(new ProducerRecord<>("hits.raw.crash", encode(hit)));
                if (i % 1000 == 0) {
                    producer.send(new ProducerRecord<>("hits.raw.crash", ("bad " + i).getBytes()));
                }
            }
            producer.flush();
        }
        Path warehouse = dir.resolve("w");
        java.nio.file.Files.createDirectories(warehouse);
        StreamJob job =
                new StreamJob(
                        new StreamJob.Settings(
                                TenantConfigLoader.load(tenantsFile),
                                dir.resolve("keys.yaml"),
                                null,
                                HitflowCatalog.local(warehouse),
                                new KafkaHitSource.Settings(
                                        kafka.bootstrapServers(),
                                        "hits.raw.crash",
                                        "crash",
                                        new Properties(),
                                        true),
                                "hits.dlq.crash",
                                Duration.ofMillis(300),
                                Duration.ofSeconds(30)));
        job.prepare();
        org.apache.flink.configuration.Configuration conf =
                new org.apache.flink.configuration.Configuration();
        conf.set(
                org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY,
                "fixed-delay");
        conf.set(
                org.apache.flink.configuration.RestartStrategyOptions
                        .RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                3);
        conf.set(
                org.apache.flink.configuration.RestartStrategyOptions
                        .RESTART_STRATEGY_FIXED_DELAY_DELAY,
                Duration.ofMillis(200));
        var env =
                LocalJob.localEnvironment(
                        warehouse.resolve("_checkpoints"), 2, Duration.ofMillis(300));
        env.configure(conf);
        job.build(
                env,
                in ->
                        new dev.hitflow.jobs.ingest.IngestedHits(
                                in.hits()
                                        .map(new FailOnceAfterCheckpoint(n / 2))
                                        .returns(
                                                new org.apache.flink.formats.avro.typeutils
                                                        .AvroTypeInfo<>(RawHit.class))
                                        .name("fail-once")
                                        .uid("fail-once"),
                                in.deadLetters()));
        env.execute("stream-crash-it");

        assertThat(FailOnceAfterCheckpoint.FAILED).as("the failure was injected").isTrue();
        List<String> ids = new ArrayList<>();
        IcebergReader.rows(HitflowCatalog.local(warehouse), HitflowTables.HITS)
                .forEach(r -> ids.add((String) r.getField("hit_id")));
        assertThat(ids).hasSize(n);
        assertThat(new HashSet<>(ids)).hasSize(n);

        Properties consumerProps = new Properties();
        consumerProps.putAll(kafka.clientProperties());
        consumerProps.put("group.id", "dlq-crash-reader");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("isolation.level", "read_committed");
        consumerProps.put("key.deserializer", ByteArrayDeserializer.class.getName());
        consumerProps.put("value.deserializer", ByteArrayDeserializer.class.getName());
        int dead = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of("hits.dlq.crash"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                dead += consumer.poll(Duration.ofMillis(500)).count();
                if (dead >= n / 1000) {
                    // read a little longer: a duplicate would show up now
                    dead += consumer.poll(Duration.ofSeconds(2)).count();
                    break;
                }
            }
        }
        assertThat(dead).isEqualTo(n / 1000);
    }
}
