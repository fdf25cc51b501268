package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums contributions to aggregate rows where they arise, before the keyed {@link AggregateCounter}:
 * a hit adds to five rows, and without this every one of those contributions would cross the
 * network on its own. Partial sums (visitors as an HLL sketch) are held only in memory, between two
 * watermarks, and sent on before the next watermark, before every checkpoint barrier and at the end
 * of the input, so the counter sees exactly what it would have seen, in fewer records, and this
 * operator has no state to checkpoint. As Flink SQL's local-global aggregation does.
 */
public final class AggregateCombiner<IN> extends AbstractStreamOperator<AggregateDelta>
        implements OneInputStreamOperator<IN, AggregateDelta> {
    private static final long serialVersionUID = 1L;

    /** Partial sums held at most: a bound on memory between two watermarks. */
    static final int MAX_PARTIALS = 50_000;

    /** What one input adds to which rows (see {@link AggregateContributions}). */
    @FunctionalInterface
    public interface Contributions<IN> extends Serializable {
        Iterable<AggregateDelta> of(IN element);
    }

    private final Contributions<IN> contributions;
    private transient Map<AggregateContributions.RowKey, Partial> partials;

    private static final class Partial {
        AggregateDelta sum;
        HllSketch visitors;
    }

    public AggregateCombiner(Contributions<IN> contributions) {
        this.contributions = contributions;
    }

    @Override
    public void open() throws Exception {
        super.open();
        partials = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        for (AggregateDelta d : contributions.of(element.getValue())) {
            Partial p =
                    partials.computeIfAbsent(
                            AggregateContributions.RowKey.of(d), k -> new Partial());
            p.sum = AggregateContributions.add(p.sum, d);
            if (d.getVisitorId() != null) {
                if (p.visitors == null) {
                    p.visitors = HllSketches.empty();
                }
                p.visitors.update(d.getVisitorId());
            }
        }
        if (partials.size() >= MAX_PARTIALS) {
            flush();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (partials.isEmpty()) {
            return;
        }
        for (Partial p : partials.values()) {
            if (p.visitors != null) {
                p.sum.setVisitors(ByteBuffer.wrap(p.visitors.toCompactByteArray()));
            }
            output.collect(new StreamRecord<>(p.sum));
        }
        partials.clear();
    }
}
