package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a replayed hit_id of a hit without a visitor ID (OPT_OUT, NO_CONSENT: no sessionizer, whose
 * per-visitor memory dedupes the others) for the tenant's dedupe window, counted in {@code
 * duplicate_hits}. Keyed by (tenant, hit_id): its state is one long per hit_id of the window, and
 * one event-time timer, at the end of the window ({@link SessionRules#forgetAt}), removes it.
 */
public class DuplicateHitFilter extends KeyedProcessFunction<String, EnrichedHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Long> forgetAt;
    private transient Counter duplicateHits;

    /** The key the pipeline partitions by: tenant and hit_id. */
    public static String key(EnrichedHit hit) {
        return hit.getTenantId() + '\u0000' + hit.getHitId();
    }

    @Override
    public void open(OpenContext openContext) {
        // No state TTL: it runs on processing time; a timer forgets each hit_id in event time.
        forgetAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("forget-at", Types.LONG));
        duplicateHits = getRuntimeContext().getMetricGroup().counter("duplicate_hits");
    }

    @Override
    public void processElement(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (forgetAt.value() != null) {
            duplicateHits.inc();
            return;
        }
        long at = SessionRules.forgetAt(hit.getReceivedAt(), hit.getDedupeWindowMs());
        forgetAt.update(at);
        ctx.timerService().registerEventTimeTimer(at);
        out.collect(hit);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        forgetAt.clear();
    }
}
