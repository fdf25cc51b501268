package dev.hitflow.jobs.pipeline;

import dev.hitflow.jobs.ingest.ControlTopics;
import dev.hitflow.jobs.ingest.IngestedHits;
import dev.hitflow.jobs.ingest.KafkaHitSource;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.IcebergSinks;
import dev.hitflow.jobs.sink.StreamSinks;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production job: hits from Kafka, dead letters to Kafka, tables to Iceberg, exactly once on
 * checkpoints. State backend, checkpoint storage and restart strategy come from the Flink
 * configuration (the FlinkDeployment); this wires sources, stages and sinks only.
 */
public final class StreamJob {
    /** The run ID in the snapshot summaries of every commit the stream job makes. */
    public static final String RUN_ID = "stream";

    /** What the job needs. */
    public record Settings(
            TenantRegistry tenants,
            Path keysFile,
            Path geoDatabase,
            HitflowCatalog catalog,
            KafkaHitSource.Settings source,
            String dlqTopic,
            String configTopic,
            String rightsTopic,
            Duration checkpointInterval,
            Duration outOfOrderness,
            Duration idleTimeout) {}

    private final Settings settings;

    public StreamJob(Settings settings) {
        this.settings = settings;
    }

    /** Checks keys and creates missing tables; a problem is a ConfigException before Flink runs. */
    public void prepare() {
        KeyRing.load(settings.keysFile()).requireCurrentKeys(settings.tenants());
        settings.catalog()
                .withCatalog(
                        catalog -> {
                            settings.catalog().createTables(catalog);
                            return null;
                        });
    }

    /** Builds the job on {@code env} (its own config decides state backend and restarts). */
    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /**
     * The same, with a hook between ingest and the pipeline, where tests put their own operators (a
     * failure injector, say).
     */
    public void build(StreamExecutionEnvironment env, UnaryOperator<IngestedHits> afterIngest) {
        env.enableCheckpointing(
                settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        KafkaHitSource.Settings hits = settings.source();
        Properties kafka = hits.properties();
        IngestedHits ingested =
                KafkaHitSource.read(
                        env,
                        hits,
                        settings.tenants(),
                        settings.outOfOrderness(),
                        settings.idleTimeout(),
                        false);
        new HitflowPipeline(
                        new HitflowPipeline.Settings(
                                settings.tenants(),
                                settings.keysFile(),
                                settings.outOfOrderness(),
                                settings.geoDatabase(),
                                true,
                                settings.catalog()))
                .build(
                        afterIngest.apply(ingested),
                        ControlTopics.tenantConfigChanges(
                                env, control(settings.configTopic(), "-tenants-config")),
                        ControlTopics.rightsRequests(
                                env, control(settings.rightsTopic(), "-rights-requests")),
                        hits.topic(),
                        settings.rightsTopic(),
                        new StreamSinks(
                                new IcebergSinks(settings.catalog(), null, RUN_ID),
                                hits.bootstrapServers(),
                                settings.dlqTopic(),
                                "hitflow-dlq-" + hits.groupId(),
                                kafka));
    }

    /** A control topic read like the hits topic, under its own consumer group. */
    private KafkaHitSource.Settings control(String topic, String groupSuffix) {
        KafkaHitSource.Settings hits = settings.source();
        return new KafkaHitSource.Settings(
                hits.bootstrapServers(),
                topic,
                hits.groupId() + groupSuffix,
                hits.properties(),
                hits.bounded());
    }

    /** The environment a submitted job runs in, with object reuse (see LocalJob). */
    public static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("hitflow-stream");
    }
}
