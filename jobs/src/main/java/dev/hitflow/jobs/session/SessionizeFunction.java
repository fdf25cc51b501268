package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.OpenKey;
import dev.hitflow.schemas.avro.Session;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
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
 * <p>State holds only the hits of the key's open sessions (in the compact form of {@link OpenHits}:
 * the fields the key's hits share once, the rest per hit), so out-of-order hits within the
 * watermark bound are placed exactly: the sessions are recomputed from all open hits, and a session
 * is emitted (its hits with their session_id on the main output, its {@link Session} on {@link
 * #SESSIONS}) only once the watermark has passed its last hit + the inactivity timeout, when no hit
 * still to come can join it. Hits at or below the watermark when they arrive are late: passed on at
 * once with late = true and no session, counted in {@code lateHits}.
 *
 * <p>A hit_id seen again within the tenant's dedupe window is dropped and counted in {@code
 * duplicate_hits}. Past the tenant's {@code max_hits_per_visitor_day} a visitor's hits of that
 * tenant-local day are neither sessionized nor passed on: they go to {@link #CAPPED} (counted in
 * the traffic tables' {@code capped_hits}) and are counted in {@code capped_hits}.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, EnrichedHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Session> SESSIONS =
            new OutputTag<>("sessions", new AvroTypeInfo<>(Session.class));

    /** Hits past their visitor's cap of the day: counted, not sessionized, not in {@code hits}. */
    public static final OutputTag<EnrichedHit> CAPPED =
            new OutputTag<>("capped-hits", new AvroTypeInfo<>(EnrichedHit.class));

    /*
     * How long a hit_id is remembered: the tenant's dedupe window (the hit's dedupe_window_ms),
     * in event time past received_at of the last hit of its session (or of a late hit itself).
     * A replayed hit whose session has closed is late by definition; within the window it is
     * recognized and dropped, past it it would come out again as a late hit. The memory is bounded
     * by the key's hits of the window, at most the cap per day: each closed session (and each late
     * hit) files its hit_ids under the time of the one timer that forgets them, so forgetting is
     * point lookups, never a walk over the key's entries (on RocksDB a walk is an iterator that
     * steps over the tombstones of every entry already forgotten).
     */

    private transient MapState<String, byte[]> openHits;
    private transient ValueState<OpenKey> openKey;
    private transient long openKeys;
    private transient MapState<String, Long> emittedHitIds;
    private transient MapState<Long, List<String>> forgetAt;
    private transient MapState<Long, Integer> hitsOfDay;
    private transient SessionStateCodec codec;
    private transient Counter lateHits;
    private transient Counter duplicateHits;
    private transient Counter cappedHits;
    private transient SessionRules lastRules;
    private transient int lastDay;
    private transient String lastZone;
    private transient long lastDayEnd;

    /** The key the pipeline partitions by: site and visitor. */
    public static String key(EnrichedHit hit) {
        return hit.getSiteId() + '\u0000' + hit.getVisitorId();
    }

    @Override
    public void open(OpenContext openContext) {
        // No state TTL: every entry is removed by a timer (an open hit when its session closes,
        // a remembered hit_id after the replay memory), and a processing-time TTL would drop the
        // open hits of a job restored after a long stop, or held back by an idle source, without
        // a trace. It would also copy every value read from heap state.
        // Open hits are the compact bytes of SessionStateCodec (about 60% of what Flink's Avro
        // serializer writes), decoded only when the key's timer fires; the key's OpenKey, read
        // for every hit, stays an object on the heap backend.
        openHits =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "open-hits",
                                        Types.STRING,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        openKey =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "open-key", new AvroTypeInfo<>(OpenKey.class)));
        emittedHitIds =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "emitted-hit-ids", Types.STRING, Types.LONG));
        forgetAt =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "forget-at", Types.LONG, Types.LIST(Types.STRING)));
        // The visitor's hits of each tenant-local day still open, keyed by the instant that day
        // ends (the next local midnight), when a timer at that instant forgets the count.
        hitsOfDay =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("hits-of-day", Types.LONG, Types.INT));
        codec = new SessionStateCodec();
        lateHits = getRuntimeContext().getMetricGroup().counter("lateHits");
        duplicateHits = getRuntimeContext().getMetricGroup().counter("duplicate_hits");
        cappedHits = getRuntimeContext().getMetricGroup().counter("capped_hits");
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
        boolean late = hit.getReceivedAt() <= watermark;
        OpenKey key = openKey.value();
        long dayEnd = dayEnd(hit);
        int dayHits = countInDay(hit, dayEnd, key, key == null && !late, ctx);
        if (dayHits < 0) {
            cappedHits.inc();
            ctx.output(CAPPED, hit);
            return;
        }
        if (late) {
            lateHits.inc();
            remember(List.of(hitId), hit.getReceivedAt(), hit.getDedupeWindowMs(), ctx);
            // Jobs run with object reuse: the input is ours to change once we pass it on.
            hit.setLate(true);
            hit.setSessionId(null);
            out.collect(hit);
            return;
        }
        // One close timer per key, never later than the first open session can close: the
        // session holding this hit ends at or after it, and a hit after the first session
        // leaves that session as it was. An early firing only re-registers (see onTimer).
        long candidate = hit.getReceivedAt() + rules(hit).inactivityTimeoutMs() + 1;
        if (key == null) {
            openKeys++;
            key = new OpenKey(candidate, OpenHits.contextOf(hit), dayEnd, dayHits);
            ctx.timerService().registerEventTimeTimer(candidate);
            openKey.update(key);
        } else if (candidate < key.getCloseAt()) {
            // The old timer is left to fire: onTimer ignores a close timer that is no longer
            // the key's, and deleting it could delete a forget timer at the same instant.
            ctx.timerService().registerEventTimeTimer(candidate);
            key.setCloseAt(candidate);
            openKey.update(key);
        }
        openHits.put(hitId, codec.encode(OpenHits.compact(hit, key.getContext())));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        OpenKey key = openKey.value();
        if (key != null && key.getCloseAt() == timestamp) {
            closeSessions(key, watermark, ctx, out);
        }
        List<String> due = forgetAt.get(timestamp);
        if (due != null) {
            for (String hitId : due) {
                emittedHitIds.remove(hitId);
            }
            forgetAt.remove(timestamp);
        }
        hitsOfDay.remove(timestamp);
    }

    /**
     * Counts {@code hit} in its visitor's hits of its tenant-local day ({@code dayEnd} is when that
     * day ends), unless that day already had the tenant's cap of hits; the day's count with this
     * hit, or -1 when it was not counted. While the key is open its newest day's count is kept in
     * its {@link OpenKey} (a record read for every hit anyway); otherwise, and for an older day's
     * hit, in {@code hits-of-day} under the instant the day ends, when a timer forgets it. A hit
     * that {@code opens} the key takes its day's count out of {@code hits-of-day}: the caller keeps
     * the returned count in the new key.
     */
    private int countInDay(EnrichedHit hit, long dayEnd, OpenKey key, boolean opens, Context ctx)
            throws Exception {
        int cap = hit.getMaxHitsPerVisitorDay();
        if (key != null && dayEnd >= key.getDayEnd()) {
            int counted = key.getDayHits();
            if (dayEnd > key.getDayEnd()) {
                // A new day: the key's previous one is over but for hits within the bound.
                park(key.getDayEnd(), key.getDayHits(), ctx);
                Integer before = hitsOfDay.get(dayEnd);
                if (before != null) {
                    hitsOfDay.remove(dayEnd);
                }
                counted = before == null ? 0 : before;
                key.setDayEnd(dayEnd);
            }
            boolean under = counted < cap;
            key.setDayHits(under ? counted + 1 : counted);
            openKey.update(key);
            return under ? counted + 1 : -1;
        }
        Integer before = hitsOfDay.get(dayEnd);
        int counted = before == null ? 0 : before;
        if (counted >= cap) {
            return -1;
        }
        if (opens) {
            if (before != null) {
                hitsOfDay.remove(dayEnd);
            }
        } else {
            if (before == null) {
                ctx.timerService().registerEventTimeTimer(dayEnd);
            }
            hitsOfDay.put(dayEnd, counted + 1);
        }
        return counted + 1;
    }

    /** Keeps a day's count outside the key until the day ends, if it has not ended yet. */
    private void park(long dayEnd, int hits, Context ctx) throws Exception {
        if (hits > 0 && dayEnd > ctx.timerService().currentWatermark()) {
            Integer before = hitsOfDay.get(dayEnd);
            if (before == null) {
                ctx.timerService().registerEventTimeTimer(dayEnd);
            }
            hitsOfDay.put(dayEnd, hits + (before == null ? 0 : before));
        }
    }

    /**
     * The key's close timer fired: emits every session the watermark has closed, and sets the timer
     * again for the first one still open, or forgets the key when none is.
     */
    private void closeSessions(
            OpenKey key, long watermark, OnTimerContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        String currentKey = ctx.getCurrentKey();
        int split = currentKey.lastIndexOf('\u0000');
        String siteId = currentKey.substring(0, split);
        String visitorId = currentKey.substring(split + 1);
        List<EnrichedHit> open = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : openHits.entries()) {
            open.add(
                    OpenHits.expand(
                            siteId,
                            visitorId,
                            e.getKey(),
                            codec.decodeHit(e.getValue()),
                            key.getContext()));
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
                List<String> ids = new ArrayList<>(session.size());
                for (EnrichedHit hit : session) {
                    openHits.remove(hit.getHitId());
                    ids.add(hit.getHitId());
                    // expanded from state for this firing: ours to complete and pass on
                    hit.setSessionId(record.getSessionId());
                    out.collect(hit);
                }
                ctx.output(SESSIONS, record);
                remember(ids, last, newest.getDedupeWindowMs(), ctx);
            }
        }
        if (nextClose != null) {
            ctx.timerService().registerEventTimeTimer(nextClose);
            key.setCloseAt(nextClose);
            openKey.update(key);
        } else {
            openKeys--;
            park(key.getDayEnd(), key.getDayHits(), ctx);
            openKey.clear();
        }
    }

    /**
     * Remembers emitted hit_ids for the dedupe window past {@code latest}, the newest of them,
     * under one timer (a closed session's, or a late hit's own); each is remembered with that
     * timer's time, when it is forgotten.
     */
    private void remember(List<String> hitIds, long latest, long windowMs, Context ctx)
            throws Exception {
        long at = SessionRules.forgetAt(latest, windowMs);
        for (String hitId : hitIds) {
            emittedHitIds.put(hitId, at);
        }
        List<String> due = forgetAt.get(at);
        if (due == null) {
            forgetAt.put(at, hitIds);
        } else {
            List<String> more = new ArrayList<>(due);
            more.addAll(hitIds);
            forgetAt.put(at, more);
        }
        ctx.timerService().registerEventTimeTimer(at);
    }

    /** The end of the hit's local day; the last one is kept, as most hits share it. */
    private long dayEnd(EnrichedHit hit) {
        if (hit.getDay() != lastDay || !hit.getTimeZone().equals(lastZone)) {
            lastDayEnd = SessionRules.dayEnd(hit.getDay(), ZoneId.of(hit.getTimeZone()));
            lastDay = hit.getDay();
            lastZone = hit.getTimeZone();
        }
        return lastDayEnd;
    }

    private SessionRules rules(EnrichedHit hit) {
        SessionRules cached = lastRules;
        if (cached == null || !cached.sameAs(hit)) {
            cached = SessionRules.of(hit);
            lastRules = cached;
        }
        return cached;
    }
}
