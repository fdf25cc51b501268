package dev.hitflow.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.hitflow.schemas.tables.AggregateTables;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, restart from it, and the tables come out as from an uninterrupted run:
 * sessions open at the savepoint (their hits held in state) continue after the restart.
 */
class StreamSavepointITCase {
    static final int N = 3_000;
    static final int VISITORS = 150;
    static final int STOP_AFTER = 1_500;
    static final long T0 = Instant.parse("2026-06-04T08:00:00Z").toEpochMilli();

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

    /**
     * Hit i of visitor i % 150, every 2 s; from hit 2,200 on, 40 minutes later: each visitor has a
     * session across the savepoint (hits 0-2,199) and one after the gap.
     */
    static void produce(String topic, int from, int to) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String visitor = "sp-cookie-" + (i % VISITORS);
            RawHit hit =
                    RawHit.newBuilder()
                            .setHitId("sp" + i)
                            .setReceivedAt(T0 + i * 2_000L + (i >= 2_200 ? 40 * 60_000L : 0))
                            .setSiteId("acme-shop")
                            .setHitType(HitType.PAGE_VIEW)
                            .setIp("81.2.69.142")
                            .setCookieId(visitor)
                            .setConsent(Consent.OPT_IN)
                            .setPage("/p" + (i % 7))
                            .build();
            records.add(new ProducerRecord<>(topic, visitor.getBytes(), StreamTopics.encode(hit)));
        }
        kafka.sendAll(records);
    }

    static JobClient start(StreamTopics topics, Path dir, Path warehouse, String savepoint)
            throws Exception {
        StreamJob job =
                new StreamJob(
                        topics.settings(
                                kafka,
                                dir.resolve("tenants.yaml"),
                                warehouse,
                                false,
                                Duration.ofMillis(500),
                                StreamTopics.NEVER_IDLE));
        job.prepare();
        StreamExecutionEnvironment env =
                LocalJob.localEnvironment(warehouse.resolve("_cp"), 2, Duration.ofMillis(500));
        if (savepoint != null) {
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            env.configure(restore);
        }
        job.build(env);
        return env.executeAsync("savepoint-it");
    }

    static String stop(JobClient client, Path dir, boolean drain) throws Exception {
        return client.stopWithSavepoint(
                        drain,
                        dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get();
    }

    @Test
    void aRestartFromASavepointGivesTheTablesOfAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        TestTenants.writeAcme(dir);

        StreamTopics whole = new StreamTopics("sp-whole").create(kafka, 2);
        Path wholeWarehouse = Files.createDirectories(dir.resolve("whole"));
        produce(whole.hits(), 0, N);
        JobClient uninterrupted = start(whole, dir, wholeWarehouse, null);
        kafka.awaitCommittedToEnd(whole.group(), whole.hits(), Duration.ofMinutes(5));
        // Drain: the watermark goes to the end of time, every session closes, all is committed.
        stop(uninterrupted, dir, true);

        StreamTopics split = new StreamTopics("sp-split").create(kafka, 2);
        Path splitWarehouse = Files.createDirectories(dir.resolve("split"));
        produce(split.hits(), 0, STOP_AFTER);
        JobClient first = start(split, dir, splitWarehouse, null);
        kafka.awaitCommittedToEnd(split.group(), split.hits(), Duration.ofMinutes(5));
        String savepoint = stop(first, dir, false);
        assertThat(IcebergReader.rows(HitflowCatalog.local(splitWarehouse), HitflowTables.SESSIONS))
                .as("every session is still open at the savepoint")
                .isEmpty();
        produce(split.hits(), STOP_AFTER, N);
        JobClient second = start(split, dir, splitWarehouse, savepoint);
        kafka.awaitCommittedToEnd(split.group(), split.hits(), Duration.ofMinutes(5));
        stop(second, dir, true);

        HitflowCatalog a = HitflowCatalog.local(wholeWarehouse);
        HitflowCatalog b = HitflowCatalog.local(splitWarehouse);
        Set<String> hitsA = hits(a);
        assertThat(hitsA).hasSize(N);
        Set<String> hitsB = hits(b);
        Set<String> onlyA = new TreeSet<>(hitsA);
        onlyA.removeAll(hitsB);
        Set<String> onlyB = new TreeSet<>(hitsB);
        onlyB.removeAll(hitsA);
        assertThat(hitsB)
                .as(
                        "hits only in the uninterrupted run %s, only in the restored run %s",
                        onlyA, onlyB)
                .hasSize(N)
                .isEqualTo(hitsA);
        Set<String> sessionsA = sessions(a);
        assertThat(sessionsA).hasSize(2 * VISITORS);
        assertThat(sessions(b)).isEqualTo(sessionsA);
        Map<String, Long> dailyA = daily(a);
        assertThat(dailyA).isEqualTo(Map.of("hits", (long) N, "sessions", 2L * VISITORS));
        assertThat(daily(b)).isEqualTo(dailyA);
    }

    /** hit_id, session_id and late of every hit. */
    static Set<String> hits(HitflowCatalog catalog) {
        return IcebergReader.rows(catalog, HitflowTables.HITS).stream()
                .map(
                        r ->
                                r.getField("hit_id")
                                        + " "
                                        + r.getField("session_id")
                                        + " "
                                        + r.getField("late"))
                .collect(Collectors.toSet());
    }

    static Set<String> sessions(HitflowCatalog catalog) {
        return IcebergReader.rows(catalog, HitflowTables.SESSIONS).stream()
                .map(
                        r ->
                                List.of(
                                                r.getField("session_id"),
                                                r.getField("hits"),
                                                r.getField("duration_ms"),
                                                r.getField("entry_page"),
                                                r.getField("exit_page"),
                                                r.getField("path"))
                                        .toString())
                .collect(Collectors.toSet());
    }

    /** Summed hits and sessions of traffic_daily (rows are additive). */
    static Map<String, Long> daily(HitflowCatalog catalog) {
        Map<String, Long> sums = new TreeMap<>();
        IcebergReader.rows(
                        catalog,
                        org.apache.iceberg.catalog.TableIdentifier.of(
                                HitflowTables.NAMESPACE, AggregateTables.TRAFFIC_DAILY))
                .forEach(
                        r -> {
                            sums.merge(
                                    "hits", ((Number) r.getField("hits")).longValue(), Long::sum);
                            sums.merge(
                                    "sessions",
                                    ((Number) r.getField("sessions")).longValue(),
                                    Long::sum);
                        });
        return sums;
    }
}
