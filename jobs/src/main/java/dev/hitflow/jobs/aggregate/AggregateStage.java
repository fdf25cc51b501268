package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.config.TenantRegistry;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Wires the aggregates: hits and finished sessions become contributions, summed per row by {@link
 * AggregateCounter}. The caller splits the rows by table and sinks them.
 */
public final class AggregateStage {
    private AggregateStage() {}

    public static DataStream<AggregateDelta> build(
            DataStream<EnrichedHit> hits, DataStream<Session> sessions, TenantRegistry tenants) {
        AvroTypeInfo<AggregateDelta> type = new AvroTypeInfo<>(AggregateDelta.class);
        DataStream<AggregateDelta> fromHits =
                hits.flatMap(new HitContributions(tenants))
                        .returns(type)
                        .name("aggregate-hit-contributions")
                        .uid("aggregate-hit-contributions");
        DataStream<AggregateDelta> fromSessions =
                sessions.flatMap(new SessionContributions())
                        .returns(type)
                        .name("aggregate-session-contributions")
                        .uid("aggregate-session-contributions");
        return fromHits.union(fromSessions)
                .keyBy(AggregateContributions::key)
                .process(new AggregateCounter())
                .returns(type)
                .name("aggregate-rows")
                .uid("aggregate-rows");
    }

    /** A hit's contributions; bots of tenants that exclude them add no visitor. */
    static final class HitContributions implements FlatMapFunction<EnrichedHit, AggregateDelta> {
        private static final long serialVersionUID = 1L;
        private final TenantRegistry tenants;

        HitContributions(TenantRegistry tenants) {
            this.tenants = tenants;
        }

        @Override
        public void flatMap(EnrichedHit hit, Collector<AggregateDelta> out) {
            // The gate decided under the tenant's bot policy in force for this hit.
            boolean excludedBot = hit.getExcludedBot();
            for (AggregateDelta d : AggregateContributions.ofHit(hit, !excludedBot)) {
                out.collect(d);
            }
        }
    }

    static final class SessionContributions implements FlatMapFunction<Session, AggregateDelta> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Session session, Collector<AggregateDelta> out) {
            for (AggregateDelta d : AggregateContributions.ofSession(session)) {
                out.collect(d);
            }
        }
    }
}
