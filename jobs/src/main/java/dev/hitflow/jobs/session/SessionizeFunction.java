package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.config.SessionSettings;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sessionizes the hits of one (site, visitor) on event time, by the rules of {@link SessionRules}.
 *
 * <p>State holds only the hits of the key's open sessions, so out-of-order hits within the
 * watermark bound are placed exactly: the sessions are recomputed from all open hits, and a session
 * is emitted (its hits with their session_id on the main output, its {@link Session} on {@link
 * #SESSIONS}) only once the watermark has passed its last hit + the inactivity timeout, when no hit
 * still to come can join it. Hits at or below the watermark when they arrive are late: passed on at
 * once with late = true and no session, counted in {@code lateHits}.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, EnrichedHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Session> SESSIONS =
            new OutputTag<>("sessions", new AvroTypeInfo<>(Session.class));

    /**
     * How long (event time past its received_at) an emitted hit_id is remembered per key. A
     * replayed hit whose session has closed is late by definition; within this horizon it is
     * recognized and dropped, past it it would come out again as a late hit. The memory is bounded
     * by the key's hits of this last period, pruned on timers, and by the state TTL.
     */
    public static final Duration REPLAY_MEMORY = Duration.ofHours(1);

    private final Duration allowedLateness;

    private transient MapState<String, EnrichedHit> openHits;
    private transient long openKeys;
    private transient MapState<String, Long> emittedHitIds;
    private transient ValueState<Long> closeTimer;
    private transient Counter lateHits;
    private transient Counter duplicateHits;
    private transient SessionRules lastRules;

    public SessionizeFunction(Duration allowedLateness) {
        this.allowedLateness = Objects.requireNonNull(allowedLateness, "allowedLateness");
    }

    /** The key the pipeline partitions by: site and visitor. */
    public static String key(EnrichedHit hit) {
        return hit.getSiteId() + '\u0000' + hit.getVisitorId();
    }

    @Override
    public void open(OpenContext openContext) {
        // Processing-time TTL as a backstop for keys abandoned while open (an idle source holds
        // the watermark back): longer than any session can stay open (the config loader caps the
        // maximum length, and the timeout is at most that) plus the replay memory.
        long longestMs = 2 * SessionSettings.LONGEST_MAX_LENGTH.toMillis();
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(
                                Duration.ofMillis(longestMs)
                                        .plus(allowedLateness)
                                        .plus(REPLAY_MEMORY)
                                        .plus(Duration.ofHours(1)))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        MapStateDescriptor<String, EnrichedHit> open =
                new MapStateDescriptor<>(
                        "open-hits", Types.STRING, new AvroTypeInfo<>(EnrichedHit.class));
        open.enableTimeToLive(ttl);
        MapStateDescriptor<String, Long> emitted =
                new MapStateDescriptor<>("emitted-hit-ids", Types.STRING, Types.LONG);
        emitted.enableTimeToLive(ttl);
        openHits = getRuntimeContext().getMapState(open);
        emittedHitIds = getRuntimeContext().getMapState(emitted);
        ValueStateDescriptor<Long> timer = new ValueStateDescriptor<>("close-timer", Types.LONG);
        timer.enableTimeToLive(ttl);
        closeTimer = getRuntimeContext().getState(timer);
        lateHits = getRuntimeContext().getMetricGroup().counter("lateHits");
        duplicateHits = getRuntimeContext().getMetricGroup().counter("duplicateHits");
        // Keys (site, visitor) with an open session on this subtask, counted since the task
        // started (a restore starts again from zero, hence the floor at 0).
        getRuntimeContext()
                .getMetricGroup()
                .gauge("openSessions", (Gauge<Long>) () -> Math.max(0, openKeys));
    }

    @Override
    public void processElement(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (hit.getExcludedBot()) {
            out.collect(hit);
            return;
        }
        String hitId = hit.getHitId();
        if (openHits.contains(hitId) || emittedHitIds.contains(hitId)) {
            duplicateHits.inc();
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (hit.getReceivedAt() <= watermark) {
            lateHits.inc();
            emittedHitIds.put(hitId, hit.getReceivedAt());
            ctx.timerService()
                    .registerEventTimeTimer(hit.getReceivedAt() + REPLAY_MEMORY.toMillis() + 1);
            out.collect(EnrichedHit.newBuilder(hit).setLate(true).setSessionId(null).build());
            return;
        }
        // A copy: jobs run with object reuse, and a heap state backend keeps the reference.
        openHits.put(hitId, EnrichedHit.newBuilder(hit).build());
        // One close timer per key, never later than the first open session can close: the
        // session holding this hit ends at or after it, and a hit after the first session
        // leaves that session as it was. An early firing only re-registers (see onTimer).
        long candidate = hit.getReceivedAt() + rules(hit).inactivityTimeoutMs() + 1;
        Long pending = closeTimer.value();
        if (pending == null) {
            openKeys++;
        }
        if (pending == null || candidate < pending) {
            if (pending != null) {
                ctx.timerService().deleteEventTimeTimer(pending);
            }
            ctx.timerService().registerEventTimeTimer(candidate);
            closeTimer.update(candidate);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        List<EnrichedHit> open = new ArrayList<>();
        for (EnrichedHit hit : openHits.values()) {
            open.add(hit);
        }
        Long nextClose = null;
        if (!open.isEmpty()) {
            // The settings the gate gave the newest open hit: a config change applies from the
            // first hit that the gate passed under it.
            EnrichedHit newest = open.get(0);
            for (EnrichedHit hit : open) {
                if (hit.getReceivedAt() > newest.getReceivedAt()) {
                    newest = hit;
                }
            }
            SessionRules rules = rules(newest);
            ZoneId zone = ZoneId.of(newest.getTimeZone());
            // Closed sessions always form a prefix: a later session's last hit is later.
            for (List<EnrichedHit> session : rules.split(open)) {
                long last = session.get(session.size() - 1).getReceivedAt();
                if (!rules.isClosed(last, watermark)) {
                    nextClose = last + rules.inactivityTimeoutMs() + 1;
                    break;
                }
                Session record = SessionBuilder.build(session, zone);
                for (EnrichedHit hit : session) {
                    openHits.remove(hit.getHitId());
                    emittedHitIds.put(hit.getHitId(), hit.getReceivedAt());
                    out.collect(
                            EnrichedHit.newBuilder(hit)
                                    .setSessionId(record.getSessionId())
                                    .build());
                }
                ctx.output(SESSIONS, record);
                // One timer per closed session to forget its hit_ids after the replay memory.
                ctx.timerService().registerEventTimeTimer(last + REPLAY_MEMORY.toMillis() + 1);
            }
        }
        Long pending = closeTimer.value();
        if (!Objects.equals(pending, nextClose)) {
            if (pending != null && pending > watermark) {
                ctx.timerService().deleteEventTimeTimer(pending);
            }
            if (nextClose != null) {
                ctx.timerService().registerEventTimeTimer(nextClose);
                closeTimer.update(nextClose);
            } else {
                if (pending != null) {
                    openKeys--;
                }
                closeTimer.clear();
            }
        }
        forgetOldEmitted(watermark);
    }

    private void forgetOldEmitted(long watermark) throws Exception {
        long horizon = REPLAY_MEMORY.toMillis();
        Iterator<Map.Entry<String, Long>> entries = emittedHitIds.iterator();
        while (entries.hasNext()) {
            if (entries.next().getValue() + horizon < watermark) {
                entries.remove();
            }
        }
    }

    private SessionRules rules(EnrichedHit hit) {
        long timeout = hit.getInactivityTimeoutMs();
        long maxLength = hit.getMaxSessionMs();
        SessionRules cached = lastRules;
        if (cached == null
                || cached.inactivityTimeoutMs() != timeout
                || cached.maxLengthMs() != maxLength) {
            cached = new SessionRules(timeout, maxLength);
            lastRules = cached;
        }
        return cached;
    }
}
