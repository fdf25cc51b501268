package dev.hitflow.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.KafkaTestBroker;
import dev.hitflow.jobs.testing.StreamTopics;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream job against a real KRaft broker in this JVM: valid hits (Avro single-object) land in
 * Iceberg once each, every bad record lands in the dead-letter topic, read committed.
 */
class StreamJobITCase {
    static KafkaTestBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static byte[] encode(RawHit hit) throws Exception {
        return StreamTopics.encode(hit);
    }

    @Test
    void validHitsLandOnceAndBadRecordsInTheDeadLetterTopic(@TempDir Path dir) throws Exception {
        StreamTopics topics = new StreamTopics("plain").create(kafka, 2);
        Path tenantsFile = TestTenants.writeAcme(dir);
        long t0 = Instant.parse("2026-06-01T10:00:00Z").toEpochMilli();
        Set<String> valid = new HashSet<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
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
            records.add(
                    new ProducerRecord<>(topics.hits(), ("v" + (i % 20)).getBytes(), encode(hit)));
        }
        records.add(new ProducerRecord<>(topics.hits(), "not avro at all".getBytes()));
        records.add(
                new ProducerRecord<>(
                        topics.hits(), new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        records.add(
                new ProducerRecord<>(
                        topics.hits(),
                        encode(
                                RawHit.newBuilder()
                                        .setHitId("u1")
                                        .setReceivedAt(t0)
                                        .setSiteId("nobody")
                                        .setHitType(HitType.PAGE_VIEW)
                                        .setIp("81.2.69.142")
                                        .build())));
        kafka.sendAll(records);

        Path warehouse = dir.resolve("w");
        java.nio.file.Files.createDirectories(warehouse);
        StreamJob job =
                new StreamJob(
                        topics.settings(
                                kafka,
                                tenantsFile,
                                warehouse,
                                true,
                                Duration.ofSeconds(1),
                                Duration.ofMinutes(1)));
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

        Map<String, Integer> reasons = new TreeMap<>();
        for (JsonNode letter : kafka.readJson(topics.dlq(), 3, Duration.ofSeconds(30))) {
            reasons.merge(letter.get("reason").asText(), 1, Integer::sum);
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
        StreamTopics topics = new StreamTopics("crash").create(kafka, 2);
        Path tenantsFile = TestTenants.writeAcme(dir);
        int n = 20_000;
        Path warehouse = dir.resolve("w");
        java.nio.file.Files.createDirectories(warehouse);
        StreamJob job =
                new StreamJob(
                        topics.settings(
                                kafka,
                                tenantsFile,
                                warehouse,
                                false,
                                Duration.ofMillis(300),
                                StreamTopics.NEVER_IDLE));
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
        org.apache.flink.core.execution.JobClient client = env.executeAsync("stream-crash-it");
        // Half, then (once a checkpoint covers it) the other half: the first hit of the second
        // half fails the job after a completed checkpoint, whatever the machine's speed.
        long t0 = Instant.parse("2026-06-02T10:00:00Z").toEpochMilli();
        produceCrashHits(topics, t0, 0, n / 2);
        kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(90));
        produceCrashHits(topics, t0, n / 2, n);
        kafka.awaitCommittedToEnd(topics.group(), topics.hits(), Duration.ofSeconds(90));
        // Drain: sessions close, every table and the dead-letter transactions commit.
        client.stopWithSavepoint(
                        true,
                        dir.resolve("savepoints").toUri().toString(),
                        org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                .get();

        assertThat(FailOnceAfterCheckpoint.FAILED).as("the failure was injected").isTrue();
        List<String> ids = new ArrayList<>();
        IcebergReader.rows(HitflowCatalog.local(warehouse), HitflowTables.HITS)
                .forEach(r -> ids.add((String) r.getField("hit_id")));
        assertThat(ids).hasSize(n);
        assertThat(new HashSet<>(ids)).hasSize(n);

        int dead = kafka.readJson(topics.dlq(), n / 1000, Duration.ofSeconds(20)).size();
        assertThat(dead).isEqualTo(n / 1000);
    }

    /** Hits from..to of 200 visitors every 100 ms, and one undecodable record per 1,000. */
    static void produceCrashHits(StreamTopics topics, long t0, int from, int to) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
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
            records.add(new ProducerRecord<>(topics.hits(), encode(hit)));
            if (i % 1000 == 0) {
                records.add(new ProducerRecord<>(topics.hits(), ("bad " + i).getBytes()));
            }
        }
        kafka.sendAll(records);
    }
}
