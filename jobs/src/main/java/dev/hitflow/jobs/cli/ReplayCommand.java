package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.ingest.DeadLetterReplay;
import dev.hitflow.schemas.config.ConfigException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hitflow replay}: dead letters back to the input once their cause is fixed (typically
 * UNKNOWN_SITE after the tenant's config reached tenants.config). Reads the dead-letter topic up to
 * its end at start, read committed, and produces the kept originals to the hits topic as they were.
 * Prints counts only: originals may hold raw identifiers.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Produces the originals of dead letters (by reason) back to the hits topic, e.g. after"
                    + " a tenant's config arrived. The stream job drops a hit_id it already has"
                    + " within its replay memory, so a second replay doubles nothing recent."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOSTS",
            description = "Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--from",
            defaultValue = "hits.dlq",
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(
            names = "--to",
            defaultValue = "hits.raw",
            description = "Hits topic (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(
            names = "--reason",
            defaultValue = "UNKNOWN_SITE",
            split = ",",
            description = "Reasons to replay, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> reasons = new ArrayList<>();

    @Option(names = "--dry-run", description = "Count what would be replayed; produce nothing.")
    boolean dryRun;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property (repeatable), e.g. security settings.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Set<String> chosen = new LinkedHashSet<>(reasons);
        for (String reason : chosen) {
            try {
                dev.hitflow.schemas.avro.DeadLetterReason.valueOf(reason);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--reason: unknown reason '" + reason + "'");
            }
        }
        DeadLetterReplay replay = new DeadLetterReplay(chosen);
        Properties common = new Properties();
        common.putAll(kafkaProperties);
        common.put("bootstrap.servers", bootstrapServers);

        Properties consumerProps = new Properties();
        consumerProps.putAll(common);
        consumerProps.put("isolation.level", "read_committed");
        consumerProps.put("enable.auto.commit", "false");
        consumerProps.put("key.deserializer", ByteArrayDeserializer.class.getName());
        consumerProps.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Properties producerProps = new Properties();
        producerProps.putAll(common);
        producerProps.put("acks", "all");
        producerProps.put("enable.idempotence", "true");
        producerProps.put("key.serializer", ByteArraySerializer.class.getName());
        producerProps.put("value.serializer", ByteArraySerializer.class.getName());

        long replayed = 0;
        Map<String, Long> skipped = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps);
                KafkaProducer<byte[], byte[]> producer =
                        dryRun ? null : new KafkaProducer<>(producerProps)) {
            List<PartitionInfo> infos = consumer.partitionsFor(from, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new ConfigException("topic '" + from + "' does not exist");
            }
            List<TopicPartition> partitions =
                    infos.stream().map(p -> new TopicPartition(from, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    DeadLetterReplay.Decision decision = replay.decide(r.value());
                    if (decision instanceof DeadLetterReplay.Replay back) {
                        if (producer != null) {
                            producer.send(new ProducerRecord<>(to, back.original()));
                        }
                        replayed++;
                    } else if (decision instanceof DeadLetterReplay.Skip skip) {
                        skipped.merge(skip.why(), 1L, Long::sum);
                    }
                }
            }
            if (producer != null) {
                producer.flush();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%s %d dead letters (%s) from %s to %s%n",
                dryRun ? "would replay" : "replayed", replayed, String.join(",", chosen), from, to);
        skipped.forEach((why, count) -> out.printf("skipped %d: %s%n", count, why));
        out.flush();
        return 0;
    }
}
