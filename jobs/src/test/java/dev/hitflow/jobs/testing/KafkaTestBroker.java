package dev.hitflow.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real Kafka broker (KRaft, combined node) in the test JVM, with the clients tests need. */
public final class KafkaTestBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private KafkaProducer<byte[], byte[]> shared;

    private KafkaTestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaTestBroker start() throws Exception {
        KafkaClusterTestKit cluster =
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
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaTestBroker(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates topics: name -> partitions; names ending in ".config" are compacted. Returns once the
     * broker leads every new partition: the controller acknowledges a topic before the broker has
     * loaded it, and an idempotent producer whose first batch to a partition meets that gap
     * (NOT_LEADER_OR_FOLLOWER) while its next batch lands retries the first one out of sequence
     * until its delivery timeout, then drops it.
     */
    public void createTopics(Map<String, Integer> partitions) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            List<NewTopic> topics = new ArrayList<>();
            partitions.forEach(
                    (name, count) -> {
                        NewTopic topic = new NewTopic(name, count, (short) 1);
                        if (name.endsWith(".config")) {
                            topic.configs(Map.of("cleanup.policy", "compact"));
                        }
                        topics.add(topic);
                    });
            admin.createTopics(topics).all().get();
            // ListOffsets goes to the partition's leader; the admin client retries it until the
            // broker answers for the partition itself.
            Map<TopicPartition, OffsetSpec> created = new HashMap<>();
            partitions.forEach(
                    (name, count) -> {
                        for (int p = 0; p < count; p++) {
                            created.put(new TopicPartition(name, p), OffsetSpec.latest());
                        }
                    });
            admin.listOffsets(created).all().get();
        }
    }

    /** What a client needs to reach the broker, a copy to add client settings to. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        return props;
    }

    /**
     * Sends records in order and waits until the broker acknowledged every one: a record the broker
     * did not take fails here, naming it, instead of as a row missing from a table much later.
     */
    public void sendAll(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> record : records) {
                acks.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get();
                } catch (ExecutionException e) {
                    throw new AssertionError(
                            "record "
                                    + i
                                    + " of "
                                    + records.size()
                                    + " to "
                                    + records.get(i).topic()
                                    + " was not acknowledged",
                            e.getCause());
                }
            }
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** Sends and waits for the broker's acknowledgement. */
    public synchronized void send(String topic, Integer partition, byte[] key, byte[] value)
            throws Exception {
        if (shared == null) {
            shared = producer();
        }
        shared.send(new ProducerRecord<>(topic, partition, key, value)).get();
    }

    /**
     * Waits until a consumer group has committed, on every partition of {@code topic}, the end
     * offset: a Flink Kafka source commits on a completed checkpoint, so the whole job graph has
     * processed those records (aligned barriers follow them).
     */
    public void awaitCommittedToEnd(String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            while (true) {
                List<TopicPartition> partitions =
                        admin
                                .describeTopics(List.of(topic))
                                .allTopicNames()
                                .get()
                                .get(topic)
                                .partitions()
                                .stream()
                                .map(p -> new TopicPartition(topic, p.partition()))
                                .toList();
                Map<TopicPartition, Long> ends = new HashMap<>();
                admin.listOffsets(
                                partitions.stream()
                                        .collect(
                                                Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                        .all()
                        .get()
                        .forEach((p, info) -> ends.put(p, info.offset()));
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                boolean done =
                        ends.entrySet().stream()
                                .allMatch(
                                        e ->
                                                e.getValue() == 0
                                                        || (committed.get(e.getKey()) != null
                                                                && committed
                                                                                .get(e.getKey())
                                                                                .offset()
                                                                        >= e.getValue()));
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "group " + group + " did not commit " + ends + ", has " + committed);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Reads committed records of a topic (read_committed) until {@code expected} came or the
     * timeout passed, then a little longer so that a duplicate would show; values as JSON.
     */
    public List<JsonNode> readJson(String topic, int expected, Duration timeout) throws Exception {
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        props.put("group.id", "reader-" + topic + "-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(json.readTree(r.value()));
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                values.add(json.readTree(r.value()));
            }
        }
        return values;
    }

    @Override
    public void close() throws Exception {
        if (shared != null) {
            shared.close();
        }
        cluster.close();
    }
}
