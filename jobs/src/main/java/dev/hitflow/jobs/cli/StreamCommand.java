package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.ingest.KafkaHitSource;
import dev.hitflow.jobs.pipeline.HitflowPipeline;
import dev.hitflow.jobs.pipeline.StreamJob;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hitflow stream}: the production job, what the Flink Kubernetes Operator runs. */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the production job: hits from Kafka (Avro single-object encoding), dead letters"
                    + " to Kafka, tables to Iceberg, exactly once on checkpoints. State backend,"
                    + " checkpoint storage and restart strategy come from the Flink configuration."
        })
public final class StreamCommand implements Callable<Integer> {
    @Option(
            names = "--tenants",
            required = true,
            paramLabel = "FILE",
            description = "Tenant configuration.")
    Path tenants;

    @Option(
            names = "--catalog-properties",
            required = true,
            paramLabel = "FILE",
            description =
                    "Iceberg catalog properties (type, uri, warehouse, ...; ${env:NAME} allowed).")
    Path catalogProperties;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOSTS",
            description = "Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--hits-topic",
            defaultValue = "hits.raw",
            description = "Input topic (default: ${DEFAULT-VALUE}).")
    String hitsTopic;

    @Option(
            names = "--dlq-topic",
            defaultValue = "hits.dlq",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String dlqTopic;

    @Option(
            names = "--config-topic",
            defaultValue = "tenants.config",
            description =
                    "Compacted topic of tenant documents (key: tenant ID), applied without a"
                            + " restart over --tenants (default: ${DEFAULT-VALUE}).")
    String configTopic;

    @Option(
            names = "--rights-topic",
            defaultValue = "rights.requests",
            description =
                    "Data-subject requests (JSON); opt-outs and erasures suppress the visitor from"
                            + " then on (default: ${DEFAULT-VALUE}).")
    String rightsTopic;

    @Option(
            names = "--group-id",
            defaultValue = "hitflow",
            description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
            names = "--geoip",
            paramLabel = "FILE",
            description = "MaxMind City database (none: geo columns empty).")
    Path geoip;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT1M",
            paramLabel = "DURATION",
            description = "Checkpoint and Iceberg commit interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "PT30S",
            paramLabel = "DURATION",
            description =
                    "Disorder of received_at the watermark allows (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @Option(
            names = "--idle-timeout",
            defaultValue = "PT1M",
            paramLabel = "DURATION",
            description =
                    "A hits partition without records this long stops holding the watermark back"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property (repeatable), e.g. security settings.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        TenantRegistry registry = TenantConfigLoader.load(tenants);
        Path keys =
                registry.keysFile()
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                "no keys file: set keys_file in the tenant config or HITFLOW_KEYS_FILE"));
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        StreamJob job =
                new StreamJob(
                        new StreamJob.Settings(
                                registry,
                                keys,
                                geoip,
                                HitflowCatalog.fromPropertiesFile(catalogProperties),
                                new KafkaHitSource.Settings(
                                        bootstrapServers, hitsTopic, groupId, props, false),
                                dlqTopic,
                                configTopic,
                                rightsTopic,
                                checkpointInterval,
                                outOfOrderness == null
                                        ? HitflowPipeline.DEFAULT_OUT_OF_ORDERNESS
                                        : outOfOrderness,
                                idleTimeout));
        job.prepare();
        var env = StreamJob.environment();
        job.build(env);
        env.execute("hitflow-stream");
        return 0;
    }
}
