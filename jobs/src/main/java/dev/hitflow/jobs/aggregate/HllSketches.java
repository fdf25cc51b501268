package dev.hitflow.jobs.aggregate;

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

    public static byte[] of(Iterable<String> visitorIds) {
        HllSketch sketch = new HllSketch(LG_K, TYPE);
        for (String id : visitorIds) {
            sketch.update(id);
        }
        return sketch.toCompactByteArray();
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
