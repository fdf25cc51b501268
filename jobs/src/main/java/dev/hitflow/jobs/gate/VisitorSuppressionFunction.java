package dev.hitflow.jobs.gate;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.udfs.consent.Suppression;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The opt-out registry of the privacy gate, keyed by tenant and visitor ID: once an opt-out or
 * erasure request for a visitor has arrived, that visitor's later hits leave on {@link #SUPPRESSED}
 * as OPT_OUT hits (no visitor ID, no session), whatever consent they claim. The state is one short
 * string per request and key version and is kept without TTL: an opt-out does not expire.
 */
public class VisitorSuppressionFunction
        extends KeyedCoProcessFunction<String, EnrichedHit, VisitorSuppression, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<EnrichedHit> SUPPRESSED =
            new OutputTag<>("suppressed-hits", new AvroTypeInfo<>(EnrichedHit.class));

    private transient ValueState<String> suppressedBy;
    private transient Counter suppressed;

    public static String key(EnrichedHit hit) {
        return hit.getTenantId() + '\u0000' + hit.getVisitorId();
    }

    public static String key(VisitorSuppression request) {
        return request.getTenantId() + '\u0000' + request.getVisitorId();
    }

    @Override
    public void open(OpenContext openContext) {
        suppressedBy =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("suppressed-by", Types.STRING));
        suppressed =
                getRuntimeContext().getMetricGroup().addGroup("hitflow").counter("suppressed_hits");
    }

    @Override
    public void processElement1(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (suppressedBy.value() == null) {
            out.collect(hit);
        } else {
            suppressed.inc();
            ctx.output(SUPPRESSED, Suppression.asOptedOut(hit));
        }
    }

    @Override
    public void processElement2(VisitorSuppression request, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        // ACCESS only reads: the maintenance run answers it from the tables.
        if (!request.getType().equals("ACCESS") && suppressedBy.value() == null) {
            suppressedBy.update(request.getType() + " " + request.getRequestId());
        }
    }
}
