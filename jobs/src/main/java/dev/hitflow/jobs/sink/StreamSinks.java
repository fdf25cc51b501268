package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.deadletter.DeadLetters;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;

/**
 * The production outputs: Iceberg for every table (as {@link IcebergSinks}), dead letters to a
 * Kafka topic, exactly once: transactions committed with the checkpoint, read with read_committed.
 */
public final class StreamSinks implements HitflowSinks {
    /** At most the broker's default transaction.max.timeout.ms (15 min); the sink's is 1 h. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(14);

    private final IcebergSinks tables;
    private final String bootstrapServers;
    private final String dlqTopic;
    private final String transactionalIdPrefix;
    private final Properties kafkaProperties;

    public StreamSinks(
            IcebergSinks tables,
            String bootstrapServers,
            String dlqTopic,
            String transactionalIdPrefix,
            Properties kafkaProperties) {
        this.tables = tables;
        this.bootstrapServers = bootstrapServers;
        this.dlqTopic = dlqTopic;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.kafkaProperties = kafkaProperties;
    }

    @Override
    public void hits(Map<String, DataStream<EnrichedHit>> parts) {
        tables.hits(parts);
    }

    @Override
    public void sessions(DataStream<Session> sessions) {
        tables.sessions(sessions);
    }

    @Override
    public void aggregate(TableDef table, DataStream<RowData> rows) {
        tables.aggregate(table, rows);
    }

    @Override
    public void rightsQueue(DataStream<VisitorSuppression> requests) {
        tables.rightsQueue(requests);
    }

    @Override
    public void suppressions(DataStream<SuppressionEntry> suppressions) {
        tables.suppressions(suppressions);
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.setProperty("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        String topic = dlqTopic;
        KafkaSink<DeadLetter> sink =
                KafkaSink.<DeadLetter>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setKafkaProducerConfig(props)
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix)
                        .setRecordSerializer(
                                (KafkaRecordSerializationSchema<DeadLetter>)
                                        (letter, context, timestamp) ->
                                                new org.apache.kafka.clients.producer
                                                        .ProducerRecord<>(
                                                        topic,
                                                        letter.getTenantId() == null
                                                                ? null
                                                                : letter.getTenantId()
                                                                        .getBytes(
                                                                                StandardCharsets
                                                                                        .UTF_8),
                                                        DeadLetters.toJson(letter)
                                                                .getBytes(StandardCharsets.UTF_8)))
                        .build();
        deadLetters.sinkTo(sink).name("dead-letters-kafka").uid("dead-letters-kafka");
    }
}
