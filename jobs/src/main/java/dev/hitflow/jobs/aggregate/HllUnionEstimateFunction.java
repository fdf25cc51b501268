package dev.hitflow.jobs.aggregate;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.table.functions.AggregateFunction;

/**
 * {@code hll_union_estimate(visitors)} for Flink SQL, which has no HLL functions of its own: unions
 * the stored sketches of the rows in a group and returns the distinct-visitor estimate, like
 * Spark's {@code hll_sketch_estimate(hll_union_agg(visitors))}.
 */
public class HllUnionEstimateFunction
        extends AggregateFunction<Double, HllUnionEstimateFunction.Accumulator> {

    /** The running union as compact sketch bytes (a POJO Flink can serialize). */
    public static class Accumulator {
        public byte[] union;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    public void accumulate(Accumulator acc, byte[] sketch) {
        if (sketch == null) {
            return;
        }
        Union union =
                acc.union == null
                        ? new Union(HllSketches.LG_K)
                        : Union.heapify(Memory.wrap(acc.union));
        union.update(HllSketch.heapify(Memory.wrap(sketch)));
        acc.union = union.toCompactByteArray();
    }

    public void merge(Accumulator acc, Iterable<Accumulator> others) {
        for (Accumulator other : others) {
            accumulate(acc, other.union);
        }
    }

    @Override
    public Double getValue(Accumulator acc) {
        if (acc.union == null) {
            return 0.0;
        }
        return Union.heapify(Memory.wrap(acc.union)).getEstimate();
    }
}
