package dev.hitflow.jobs.aggregate;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * Unique-visitor sketches as the tables store them: DataSketches HLL, lgK 12, HLL_8, compact bytes,
 * fed with the visitor ID string; what Spark SQL's hll_union_agg / hll_sketch_estimate read.
 */
public final class HllSketches {
    public static final int LG_K = 12;
    public static final TgtHllType TYPE = TgtHllType.HLL_8;

    private HllSketches() {}

    /** An empty sketch to update with visitor IDs. */
    public static HllSketch empty() {
        return new HllSketch(LG_K, TYPE);
    }

    /**
     * The stored sketch of {@code current} (null: none yet) with the visitors of {@code other} (a
     * stored sketch, or null) and {@code visitorId} (or null) added.
     */
    public static ByteBuffer merge(ByteBuffer current, ByteBuffer other, String visitorId) {
        Union union = new Union(LG_K);
        if (current != null) {
            union.update(HllSketch.heapify(Memory.wrap(bytes(current))));
        }
        if (other != null) {
            union.update(HllSketch.heapify(Memory.wrap(bytes(other))));
        }
        if (visitorId != null) {
            union.update(visitorId);
        }
        return ByteBuffer.wrap(union.getResult(TYPE).toCompactByteArray());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Distinct visitors over the union of several stored sketches. */
    public static double unionEstimate(List<byte[]> sketches) {
        Union union = new Union(LG_K);
        for (byte[] bytes : sketches) {
            if (bytes != null) {
                union.update(HllSketch.heapify(Memory.wrap(bytes)));
            }
        }
        return union.getResult(TYPE).getEstimate();
    }
}
