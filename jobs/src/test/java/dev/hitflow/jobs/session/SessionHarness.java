package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The sessionizer in Flink's keyed operator harness, for one test tenant. */
final class SessionHarness implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(30);
    static final Duration MAX_LENGTH = Duration.ofHours(2);
    static final Duration BOUND = Duration.ofSeconds(30);

    final KeyedOneInputStreamOperatorTestHarness<String, EnrichedHit, EnrichedHit> harness;
    private final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
    private final MockEnvironment environment;

    SessionHarness() throws Exception {
        this(new SessionizeFunction());
    }

    SessionHarness(SessionizeFunction function) throws Exception {
        this(function, SessionizeFunction::key);
    }

    /** Another keyed function over enriched hits in the same harness (its metrics, its output). */
    SessionHarness(
            KeyedProcessFunction<String, EnrichedHit, EnrichedHit> function,
            KeySelector<EnrichedHit, String> key)
            throws Exception {
        environment =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID id, String name) {
                                        return metrics;
                                    }

                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            String name) {
                                        return metrics;
                                    }
                                })
                        .build();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), key, Types.STRING, environment);
        harness.open();
    }

    /** The value of one of the operator's gauges. */
    Object gauge(String name) {
        return ((org.apache.flink.metrics.Gauge<?>) metrics.get(name)).getValue();
    }

    /** The value of one of the operator's counters. */
    long counter(String name) {
        Counter counter = (Counter) metrics.get(name);
        return counter == null ? 0 : counter.getCount();
    }

    void hit(EnrichedHit hit) throws Exception {
        harness.processElement(hit, hit.getReceivedAt());
    }

    void watermark(long watermark) throws Exception {
        harness.processWatermark(watermark);
    }

    /** Main output so far (and clears it). */
    List<EnrichedHit> takeHits() {
        List<EnrichedHit> hits = harness.extractOutputValues();
        harness.getOutput().clear();
        return hits;
    }

    /** Hits past their visitor's daily cap so far (and clears them). */
    List<EnrichedHit> takeCapped() {
        var queue = harness.getSideOutput(SessionizeFunction.CAPPED);
        if (queue == null) {
            return List.of();
        }
        List<EnrichedHit> hits = queue.stream().map(StreamRecord::getValue).toList();
        queue.clear();
        return hits;
    }

    /** Sessions so far (and clears them). */
    List<Session> takeSessions() {
        var queue = harness.getSideOutput(SessionizeFunction.SESSIONS);
        if (queue == null) {
            return List.of();
        }
        List<Session> sessions = queue.stream().map(StreamRecord::getValue).toList();
        queue.clear();
        return sessions;
    }

    @Override
    public void close() throws Exception {
        harness.close();
        environment.close();
    }
}
