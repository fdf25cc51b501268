package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import io.airlift.stats.cardinality.HyperLogLog;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums contributions to aggregate rows where they arise, before the keyed {@link AggregateCounter}:
 * a hit adds to five rows, and without this every one of those contributions would cross the
 * network on its own. Partial sums (visitors as both sketches) are held only in memory, so this
 * operator has no state to checkpoint: all of them are sent on before every checkpoint barrier, at
 * the end of the input, and when {@link #MAX_PARTIALS} are held. As Flink SQL's local-global
 * aggregation does.
 *
 * <p>A watermark sends on only the partials of rows the counter may close at it: those whose period
 * has ended and settled ({@link AggregateCounter#periodEnd} + {@link AggregateCounter#SETTLE}) by
 * the watermark, late ones included. Any other row's counter timer lies beyond this watermark, so a
 * partial held past it still reaches the counter before the row is emitted, and the rows are
 * exactly those without the combiner. Sending every partial at every watermark (one every 200 ms)
 * summed only a fifth of a second of hits: nearly one partial per hit for the rows with many
 * dimensions (geo, devices), each crossing the network and merged into the counter's sketch on its
 * own.
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
        HyperLogLog visitorsTrino;

        /** When the counter may close the row: its period's end + the settling time. */
        long closesAt;
    }

    /** The earliest {@code closesAt} of the partials held (MAX_VALUE: none). */
    private transient long firstClose;

    public AggregateCombiner(Contributions<IN> contributions) {
        this.contributions = contributions;
    }

    @Override
    public void open() throws Exception {
        super.open();
        partials = new HashMap<>();
        firstClose = Long.MAX_VALUE;
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        for (AggregateDelta d : contributions.of(element.getValue())) {
            AggregateContributions.RowKey row = AggregateContributions.RowKey.of(d);
            Partial p = partials.get(row);
            if (p == null) {
                p = new Partial();
                p.closesAt = AggregateCounter.periodEnd(d) + AggregateCounter.SETTLE;
                firstClose = Math.min(firstClose, p.closesAt);
                partials.put(row, p);
            }
            p.sum = AggregateContributions.add(p.sum, d);
            if (d.getVisitorId() != null) {
                if (p.visitors == null) {
                    p.visitors = HllSketches.empty();
                    p.visitorsTrino = TrinoSketches.empty();
                }
                p.visitors.update(d.getVisitorId());
                TrinoSketches.add(p.visitorsTrino, d.getVisitorId());
            }
        }
        if (partials.size() >= MAX_PARTIALS) {
            flush();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() >= firstClose) {
            long stillOpen = Long.MAX_VALUE;
            for (Iterator<Partial> it = partials.values().iterator(); it.hasNext(); ) {
                Partial p = it.next();
                if (p.closesAt <= mark.getTimestamp()) {
                    emit(p);
                    it.remove();
                } else {
                    stillOpen = Math.min(stillOpen, p.closesAt);
                }
            }
            firstClose = stillOpen;
        }
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
        partials.values().forEach(this::emit);
        partials.clear();
        firstClose = Long.MAX_VALUE;
    }

    private void emit(Partial p) {
        if (p.visitors != null) {
            p.sum.setVisitors(ByteBuffer.wrap(p.visitors.toCompactByteArray()));
            p.sum.setVisitorsTrino(ByteBuffer.wrap(TrinoSketches.bytes(p.visitorsTrino)));
        }
        output.collect(new StreamRecord<>(p.sum));
    }
}
