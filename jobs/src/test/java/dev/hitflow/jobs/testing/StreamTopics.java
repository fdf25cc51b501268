package dev.hitflow.jobs.testing;

import dev.hitflow.jobs.ingest.KafkaHitSource;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantConfigLoader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** One stream job's topics on the test broker, named after a prefix, and its settings. */
public record StreamTopics(String prefix) {
    public String hits() {
        return prefix + ".hits";
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    public String config() {
        return prefix + ".tenants.config";
    }

    public String rights() {
        return prefix + ".rights";
    }

    /** The consumer group of the hits source; the control topics' groups add a suffix. */
    public String group() {
        return prefix;
    }

    public String configGroup() {
        return prefix + "-tenants-config";
    }

    public String rightsGroup() {
        return prefix + "-rights-requests";
    }

    public StreamTopics create(KafkaTestBroker broker, int hitPartitions) throws Exception {
        broker.createTopics(Map.of(hits(), hitPartitions, dlq(), 1, config(), 1, rights(), 1));
        return this;
    }

    /**
     * The job's settings over these topics, with the tenants file's keys and a local warehouse; 30
     * s of allowed disorder.
     */
    /**
     * An idle timeout no test run reaches, for tests that end with a drain (stop-with-savepoint
     * with the watermark at the end of time) and have records on every partition. A source whose
     * partitions all went idle before the drain drops the drain's end-of-time watermark in Flink
     * 2.1 (FLINK-40499: RecordWriterOutput and ChainingOutput drop watermarks while the announced
     * status is IDLE), so no event-time timer fires and open sessions stay in state: on a slow or
     * loaded machine, a one-minute timeout made such tests lose every open session.
     */
    public static final Duration NEVER_IDLE = Duration.ofHours(6);

    public StreamJob.Settings settings(
            KafkaTestBroker broker,
            Path tenantsFile,
            Path warehouse,
            boolean bounded,
            Duration checkpointInterval,
            Duration idleTimeout) {
        return new StreamJob.Settings(
                TenantConfigLoader.load(tenantsFile),
                tenantsFile.resolveSibling("keys.yaml"),
                null,
                HitflowCatalog.local(warehouse),
                new KafkaHitSource.Settings(
                        broker.bootstrapServers(), hits(), group(), new Properties(), bounded),
                dlq(),
                config(),
                rights(),
                checkpointInterval,
                Duration.ofSeconds(30),
                idleTimeout);
    }

    /** A hit in the Kafka input's encoding (Avro single-object). */
    public static byte[] encode(RawHit hit) throws Exception {
        ByteBuffer b = RawHit.getEncoder().encode(hit);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
