package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import java.util.Map;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Wires the aggregates: hits and finished sessions become contributions, summed where they arise by
 * {@link AggregateCombiner} (chained to the operator that made them, so no hit crosses the network
 * for an aggregate) and per row by {@link AggregateCounter}. The caller splits the rows by table
 * and sinks them.
 */
public final class AggregateStage {
    private AggregateStage() {}

    /**
     * @param hitParts the streams whose union is every hit, by a name for their operators' uids
     *     (each is combined where it is, before the union)
     */
    public static DataStream<AggregateDelta> build(
            Map<String, DataStream<EnrichedHit>> hitParts, DataStream<Session> sessions) {
        return build(hitParts, sessions, null);
    }

    /**
     * @param capped hits past their visitor's daily cap (counted in {@code capped_hits} only), or
     *     null
     */
    public static DataStream<AggregateDelta> build(
            Map<String, DataStream<EnrichedHit>> hitParts,
            DataStream<Session> sessions,
            DataStream<EnrichedHit> capped) {
        AvroTypeInfo<AggregateDelta> type = new AvroTypeInfo<>(AggregateDelta.class);
        DataStream<AggregateDelta> partials =
                sessions.transform(
                                "aggregate-combine-sessions",
                                type,
                                new AggregateCombiner<Session>(AggregateContributions::ofSession))
                        .uid("aggregate-combine-sessions");
        for (Map.Entry<String, DataStream<EnrichedHit>> part : hitParts.entrySet()) {
            String name = "aggregate-combine-" + part.getKey() + "-hits";
            partials =
                    partials.union(
                            part.getValue()
                                    .transform(
                                            name,
                                            type,
                                            new AggregateCombiner<EnrichedHit>(
                                                    AggregateStage::contributionsOf))
                                    .uid(name));
        }
        if (capped != null) {
            partials =
                    partials.union(
                            capped.transform(
                                            "aggregate-combine-capped-hits",
                                            type,
                                            new AggregateCombiner<EnrichedHit>(
                                                    AggregateContributions::ofCappedHit))
                                    .uid("aggregate-combine-capped-hits"));
        }
        return partials.keyBy(AggregateContributions::key)
                .process(new AggregateCounter())
                .returns(type)
                .name("aggregate-rows")
                .uid("aggregate-rows");
    }

    /** A hit's contributions; only hits that count as visitors add their visitor. */
    public static Iterable<AggregateDelta> contributionsOf(EnrichedHit hit) {
        return AggregateContributions.ofHit(hit, AggregateContributions.countsAsVisitor(hit));
    }
}
