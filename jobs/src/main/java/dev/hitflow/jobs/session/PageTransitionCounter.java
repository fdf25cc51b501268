package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.PageTransition;
import dev.hitflow.schemas.avro.Session;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts page-to-page steps of finished sessions per (tenant, site, day) and emits the counts once
 * the watermark passes the end of that day (plus {@link #SETTLE}); sessions that finish later add
 * delta rows, so rows are additive. State holds one day's counts per key, cleared on every
 * emission.
 */
public class PageTransitionCounter extends KeyedProcessFunction<String, Session, PageTransition> {
    private static final long serialVersionUID = 1L;

    /** Sessions of a day mostly end within this after midnight: wait for them before emitting. */
    public static final long SETTLE = java.time.Duration.ofHours(1).toMillis();

    private transient MapState<String, Long> counts;
    private transient ValueState<Long> timer;

    public PageTransitionCounter() {}

    public static String key(Session s) {
        // The zone rides in the key (it is the tenant's, the same for the whole day): the timer
        // needs it, and the tenant config may change while the job runs.
        return s.getTenantId()
                + '\u0000'
                + s.getSiteId()
                + '\u0000'
                + s.getDay()
                + '\u0000'
                + s.getTimeZone();
    }

    @Override
    public void open(OpenContext openContext) {
        counts =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "transition-counts", Types.STRING, Types.LONG));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("flush-timer", Types.LONG));
    }

    @Override
    public void processElement(Session session, Context ctx, Collector<PageTransition> out)
            throws Exception {
        for (PageTransitions.Step step : PageTransitions.of(session.getPath())) {
            String k = step.from() + '\u0000' + step.to();
            Long c = counts.get(k);
            counts.put(k, c == null ? 1L : c + 1);
        }
        if (timer.value() == null) {
            ZoneId zone = ZoneId.of(session.getTimeZone());
            long dayEnd =
                    LocalDate.ofEpochDay(session.getDay())
                            .plusDays(1)
                            .atStartOfDay(zone)
                            .toInstant()
                            .toEpochMilli();
            long at = Math.max(dayEnd + SETTLE, ctx.timerService().currentWatermark() + 1);
            ctx.timerService().registerEventTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PageTransition> out)
            throws Exception {
        String[] key = ctx.getCurrentKey().split("\u0000", -1);
        String zone = key[3];
        for (Map.Entry<String, Long> e : counts.entries()) {
            String[] step = e.getKey().split("\u0000", -1);
            out.collect(
                    PageTransition.newBuilder()
                            .setTenantId(key[0])
                            .setSiteId(key[1])
                            .setDay(Integer.parseInt(key[2]))
                            .setTimeZone(zone)
                            .setFromPage(step[0])
                            .setToPage(step[1])
                            .setTransitions(e.getValue())
                            .build());
        }
        counts.clear();
        timer.clear();
    }
}
