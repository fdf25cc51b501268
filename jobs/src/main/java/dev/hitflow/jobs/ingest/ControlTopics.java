package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.config.TenantConfigChange;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The stream job's control topics: tenant config changes ({@code tenants.config}, compacted) and
 * data-subject requests ({@code rights.requests}). Their records carry no event time and must never
 * move the hits' watermark where they join the hits: their sources declare themselves idle, so an
 * operator joining them takes its watermark from the hits alone. (An end-of-time watermark would
 * not do: while the hits are idle, the joining operator would take it and make every later hit
 * late.)
 */
public final class ControlTopics {
    private ControlTopics() {}

    /**
     * Every record of the compacted config topic, from the beginning on a fresh start (the topic is
     * the whole config), from the checkpointed offsets on a restore.
     */
    public static DataStream<TenantConfigChange> tenantConfigChanges(
            StreamExecutionEnvironment env, KafkaHitSource.Settings settings) {
        KafkaSourceBuilder<TenantConfigChange> builder =
                KafkaSource.<TenantConfigChange>builder()
                        .setBootstrapServers(settings.bootstrapServers())
                        .setTopics(settings.topic())
                        .setGroupId(settings.groupId())
                        .setProperties(settings.properties())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new ConfigRecords());
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(
                        builder.build(), neverHoldsBackEventTime(), "kafka-" + settings.topic())
                .uid("kafka-source-tenants-config")
                .setParallelism(1);
    }

    /** Data-subject requests as their JSON bytes, from the committed offsets (else the start). */
    public static DataStream<byte[]> rightsRequests(
            StreamExecutionEnvironment env, KafkaHitSource.Settings settings) {
        KafkaSourceBuilder<byte[]> builder =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(settings.bootstrapServers())
                        .setTopics(settings.topic())
                        .setGroupId(settings.groupId())
                        .setProperties(settings.properties())
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setValueOnlyDeserializer(new KafkaHitSource.RawBytes());
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(
                        builder.build(), neverHoldsBackEventTime(), "kafka-" + settings.topic())
                .uid("kafka-source-rights-requests");
    }

    /**
     * The control input of a run on a file: no config change (the tenant file is the whole config).
     * Bounded and empty: it ends at once, and its end-of-input watermark holds nothing back.
     */
    public static DataStream<TenantConfigChange> noTenantConfigChanges(
            StreamExecutionEnvironment env) {
        return nothing(
                env, "no-tenant-config-changes", TypeInformation.of(TenantConfigChange.class));
    }

    /**
     * The other control input of a run on a file: no requests topic (requests reach it through the
     * durable opt-out registry).
     */
    public static DataStream<byte[]> noRightsRequests(StreamExecutionEnvironment env) {
        return nothing(
                env, "no-rights-requests", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /**
     * A bounded input of no records. (Flink 2.1's {@code fromData} of an empty collection fails at
     * run time: its generator is asked for element 0.) One number, dropped.
     */
    private static <T> DataStream<T> nothing(
            StreamExecutionEnvironment env, String name, TypeInformation<T> type) {
        return env.fromSequence(0, 0)
                .name(name + "-source")
                .uid(name + "-source")
                .setParallelism(1)
                .flatMap((Long n, Collector<T> out) -> {})
                .returns(type)
                .name(name)
                .uid(name)
                .setParallelism(1);
    }

    /** Always idle: this input never moves event time where it joins hits. */
    static <T> WatermarkStrategy<T> neverHoldsBackEventTime() {
        return context ->
                new WatermarkGenerator<T>() {
                    @Override
                    public void onEvent(T event, long timestamp, WatermarkOutput output) {}

                    @Override
                    public void onPeriodicEmit(WatermarkOutput output) {
                        output.markIdle();
                    }
                };
    }

    /** Key: tenant ID; value: its document, or none (a tombstone). */
    static final class ConfigRecords
            implements KafkaRecordDeserializationSchema<TenantConfigChange> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<TenantConfigChange> out) {
            out.collect(
                    new TenantConfigChange(
                            record.key() == null
                                    ? null
                                    : new String(record.key(), StandardCharsets.UTF_8),
                            record.value() == null
                                    ? null
                                    : new String(record.value(), StandardCharsets.UTF_8)));
        }

        @Override
        public TypeInformation<TenantConfigChange> getProducedType() {
            return TypeInformation.of(TenantConfigChange.class);
        }
    }
}
