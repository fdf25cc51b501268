package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sums the contributions to one aggregate row (keyed by table, tenant, site, day, hour and
 * dimensions) and emits the row once the watermark passes the end of its hour or day in the
 * tenant's time zone plus {@link #SETTLE}; contributions arriving later start a new row (a delta:
 * rows are additive). Visitors are kept as the row's two sketches (DataSketches, Trino), merged
 * from the partial sums of {@link AggregateCombiner} (or single visitor IDs). State is cleared at
 * every emission.
 */
public class AggregateCounter extends KeyedProcessFunction<String, AggregateDelta, AggregateDelta> {
    private static final long serialVersionUID = 1L;

    /** Wait this long past the period for sessions, which close after their last hit. */
    public static final long SETTLE = Duration.ofHours(1).toMillis();

    private transient ValueState<AggregateDelta> sum;
    private transient ValueState<Long> timer;

    @Override
    public void open(OpenContext openContext) {
        sum =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "sum", new AvroTypeInfo<>(AggregateDelta.class)));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("emit-at", Types.LONG));
    }

    @Override
    public void processElement(AggregateDelta d, Context ctx, Collector<AggregateDelta> out)
            throws Exception {
        AggregateDelta row = AggregateContributions.add(sum.value(), d);
        if (d.getVisitorId() != null || d.getVisitors() != null) {
            row.setVisitors(
                    HllSketches.merge(row.getVisitors(), d.getVisitors(), d.getVisitorId()));
            row.setVisitorsTrino(
                    TrinoSketches.merge(
                            row.getVisitorsTrino(), d.getVisitorsTrino(), d.getVisitorId()));
        }
        sum.update(row);
        if (timer.value() == null) {
            long at = Math.max(periodEnd(d) + SETTLE, ctx.timerService().currentWatermark() + 1);
            ctx.timerService().registerEventTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AggregateDelta> out)
            throws Exception {
        AggregateDelta row = sum.value();
        if (row != null) {
            out.collect(row);
        }
        sum.clear();
        timer.clear();
    }

    /** The end of the row's hour (hourly tables) or day, in its time zone, as epoch ms. */
    static long periodEnd(AggregateDelta d) {
        ZoneId zone = ZoneId.of(d.getTimeZone());
        LocalDate day = LocalDate.ofEpochDay(d.getDay());
        if (d.getHour() < 0) {
            return day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        // the first instant of that local hour, then one hour on (DST-safe: instants, not fields)
        ZonedDateTime start = day.atStartOfDay(zone);
        while (start.getHour() != d.getHour() && start.toLocalDate().equals(day)) {
            start = start.plusHours(1);
        }
        return start.toInstant().toEpochMilli() + Duration.ofHours(1).toMillis();
    }
}
