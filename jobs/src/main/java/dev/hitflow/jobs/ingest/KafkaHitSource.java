package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Hits from Kafka: the raw record values, decoded and validated like any other input. */
public final class KafkaHitSource {
    private KafkaHitSource() {}

    /** Where and how to read. {@code bounded}: stop at the offsets that are latest at start. */
    public record Settings(
            String bootstrapServers,
            String topic,
            String groupId,
            Properties properties,
            boolean bounded) {}

    /**
     * Event time is assigned in the source, per partition (Kafka splits), from received_at peeked
     * out of the bytes: the watermark is the slowest partition's, less {@code outOfOrderness}; a
     * partition without records for {@code idleTimeout} stops holding it back.
     *
     * @param requireKnownSite false when the gate checks sites against the live tenant config
     */
    public static IngestedHits read(
            StreamExecutionEnvironment env,
            Settings settings,
            TenantRegistry tenants,
            Duration outOfOrderness,
            Duration idleTimeout,
            boolean requireKnownSite) {
        KafkaSourceBuilder<byte[]> builder =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(settings.bootstrapServers())
                        .setTopics(settings.topic())
                        .setGroupId(settings.groupId())
                        .setProperties(settings.properties())
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(
                                        org.apache.kafka.clients.consumer.OffsetResetStrategy
                                                .EARLIEST))
                        .setValueOnlyDeserializer(new RawBytes());
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        DataStream<byte[]> records =
                env.fromSource(
                                builder.build(),
                                WatermarkStrategy.<byte[]>forBoundedOutOfOrderness(outOfOrderness)
                                        .withTimestampAssigner(
                                                (bytes, kafkaTime) ->
                                                        ReceivedAtPeek.receivedAt(
                                                                bytes, System.currentTimeMillis()))
                                        .withIdleness(idleTimeout),
                                "kafka-" + settings.topic())
                        .uid("kafka-source-hits");
        SingleOutputStreamOperator<RawHit> hits =
                records.process(
                                new SingleObjectIngestFunction(
                                        tenants, settings.topic(), requireKnownSite))
                        .returns(new AvroTypeInfo<>(RawHit.class))
                        .name("ingest-kafka")
                        .uid("ingest-kafka");
        return new IngestedHits(hits, hits.getSideOutput(IngestFunction.DEAD_LETTERS));
    }

    /** The record value as it is. */
    static final class RawBytes implements DeserializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] deserialize(byte[] message) throws IOException {
            return message;
        }

        @Override
        public boolean isEndOfStream(byte[] nextElement) {
            return false;
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }
}
